"""Settings of the review service, from the environment (EXTRACTOR_*) or the `serve` options."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from extractor.store import StoreSettings


class ServiceSettings(StoreSettings):
    """The store (data_dir, database_url) plus what the HTTP service adds."""

    max_upload_mb: float = Field(default=100.0, gt=0)
    """Largest accepted upload; larger ones are answered 413."""
    workers: int = Field(default=1, ge=1)
    """Worker processes extracting uploads (each under the limits below, like `ingest`)."""
    timeout_s: float = Field(default=600.0, gt=0)
    memory_mb: int = Field(default=4096, ge=256)
    page_dpi: int = Field(default=110, ge=36, le=400)
    """Resolution of the page images of /api/documents/{id}/pages/{n}.png."""
    max_body_kb: int = Field(default=256, ge=1)
    """Largest request body other than an upload (a PATCH of one field is a few hundred bytes)."""
    upload_idle_s: float = Field(default=30.0, gt=0)
    """An upload that sends nothing for this long is answered 408 and closed."""
    upload_total_s: float = Field(default=600.0, gt=0)
    """An upload still arriving after this long is answered 408 and closed."""
    render_timeout_s: float = Field(default=30.0, gt=0)
    render_memory_mb: int = Field(default=1024, ge=256)
    """Page images are rendered in a child process under these limits, never in the service."""

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir.resolve() / "uploads"

    @property
    def pages_dir(self) -> Path:
        return self.data_dir.resolve() / "pages"
