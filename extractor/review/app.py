"""`create_app(settings)`: the review service over the same store as `extractor ingest`.

Everything the app needs lives on `app.state` (settings, engine, upload processor), made here;
there is no module-level state, so tests and benchmarks build as many apps as they like.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Any, Optional

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from extractor.review import admin, api, workflow_api
from extractor.review.docs import add_docs, add_font
from extractor.review.limits import install_limits
from extractor.review.processing import UploadProcessor
from extractor.review.settings import ServiceSettings
from extractor.review.summary import refresh_stale
from extractor.store import open_store

log = logging.getLogger("extractor.review")
STATIC = files("extractor.review") / "static"

DESCRIPTION = """绩效自评 review service. Every `/api` route needs `Authorization: Bearer <token>`
(`extractor token create --role reviewer|ingest|admin`); `/health`, this schema (`/openapi.json`) and
the docs pages are public: they hold no data. Reviewers correct fields and mark documents reviewed;
ingest tokens upload; admins do both, retry failed documents and manage tokens. The review page is at
`/review`."""


def create_app(settings: Optional[ServiceSettings] = None, *, process_uploads: bool = True) -> FastAPI:
    """The app for `settings`; the store is opened (and migrated) here.

    process_uploads=False leaves uploads queued (for a service that only serves reviews, and for
    benchmarks); `extractor ingest` or a later service start extracts them.
    """
    settings = settings or ServiceSettings()
    engine = open_store(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        processor = UploadProcessor(engine=engine, settings=settings)
        app.state.processor = processor
        if process_uploads:
            processor.start()
        # Counts for documents ingested without the service (older stores): refreshed in the background.
        threading.Thread(target=_refresh_counts, args=(engine,), name="refresh-counts", daemon=True).start()
        try:
            yield
        finally:
            if process_uploads:
                processor.stop()
            engine.dispose()

    app = FastAPI(
        title="绩效自评 extractor — review service",
        description=DESCRIPTION,
        version="1",
        lifespan=lifespan,
        docs_url=None,  # served from local assets by add_docs (FastAPI's defaults load a CDN)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    install_limits(app, settings)  # body, upload-time and value limits, security headers
    app.include_router(api.router)
    app.include_router(admin.router)
    app.include_router(workflow_api.router)
    app.mount("/review/static", StaticFiles(directory=str(STATIC)), name="review-static")
    add_docs(app)
    add_font(app)

    @app.get("/health", tags=["service"])
    def health() -> dict[str, Any]:
        """No token needed: is the service up and the database reachable."""
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok", "database": engine.dialect.name}

    @app.get("/review", response_class=HTMLResponse, include_in_schema=False)
    def review_page() -> HTMLResponse:
        """The review page shell (no data: the page asks the API with the token entered on it)."""
        return HTMLResponse((STATIC / "review.html").read_text(encoding="utf-8"))

    return app


def _refresh_counts(engine: Any) -> None:
    try:
        refreshed = refresh_stale(engine=engine)
        if refreshed:
            log.info("review counts refreshed for %d documents", refreshed)
    except Exception:  # noqa: BLE001 - the counts only order the queue; the service keeps running
        log.exception("refreshing review counts failed")
