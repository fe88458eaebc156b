"""Where the store lives, from the environment (EXTRACTOR_DATA_DIR, EXTRACTOR_DATABASE_URL)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from pydantic_settings import BaseSettings, SettingsConfigDict

SQLITE_FILE_NAME = "extractor.sqlite"


class StoreSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EXTRACTOR_", extra="ignore")

    data_dir: Path = Path("data")
    """Holds the SQLite database (and anything else the service keeps on disk)."""
    database_url: Optional[str] = None
    """Any SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db; unset means SQLite in data_dir."""

    def url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / SQLITE_FILE_NAME).resolve()}"
