"""Review-service tests run against SQLite and the real PostgreSQL, like the store's own tests.

The store's fixtures are reused (tests/store/conftest.py): `store_url` is a migrated, empty store —
a SQLite file in the test's tmp dir, or a PostgreSQL database created for this test session and
emptied before each test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from extractor.review.app import create_app
from extractor.review.settings import ServiceSettings
from extractor.review.tokens import Role, create_token
from extractor.store import session_scope
from schemas import ExtractionResult
from tests.store.conftest import engine, migrated_postgres, postgres_url, store_url  # noqa: F401  (fixtures)

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"
SEED_001 = SEEDS / "001" / "001.pdf"


@dataclass
class Service:
    client: TestClient
    settings: ServiceSettings
    tokens: dict[str, str]
    """role name → bearer token."""

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def make_service(
    database_url: str, data_dir: Path, process_uploads: bool = True, **settings: object
) -> Iterator[Service]:
    config = ServiceSettings(database_url=database_url, data_dir=data_dir, **settings)  # type: ignore[arg-type]
    app = create_app(config, process_uploads=process_uploads)
    tokens = {}
    with session_scope(app.state.engine) as session:
        for role in Role:
            _, tokens[role.value] = create_token(session=session, role=role, name=f"{role.value}-测试")
    with TestClient(app) as client:
        yield Service(client=client, settings=config, tokens=tokens)


@pytest.fixture
def service(store_url: str, tmp_path: Path) -> Iterator[Service]:  # noqa: F811
    yield from make_service(store_url, tmp_path / "data", max_upload_mb=1.0, timeout_s=60.0)


@pytest.fixture(scope="session")
def seed_001() -> ExtractionResult:
    """Seed 001 as the pipeline reads it (extracted once per test session)."""
    from extractor.pipeline import extract

    return extract(SEED_001)
