"""API docs and the CJK font, served by the service itself: nothing is loaded from a CDN.

Swagger UI and ReDoc come from the `fastapi-offline` wheel, which ships their built assets; when it
is not installed, /docs and /redoc are simply absent (the schema stays at /openapi.json). The
font is the Droid Sans Fallback that PyMuPDF carries, so the review page renders Chinese on a
machine whose browser has no CJK font.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from typing import Optional

from fastapi import FastAPI, Response
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs-assets"
FONT_PATH = "/review/font/cjk.ttf"


def offline_assets() -> Optional[Path]:
    """The folder holding swagger-ui-bundle.js, swagger-ui.css and redoc.standalone.js, if installed."""
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "static"
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def add_docs(app: FastAPI) -> bool:
    """Mount /docs and /redoc over local assets; False (and no routes) when the assets are missing."""
    folder = offline_assets()
    if folder is None:
        return False
    app.mount(ASSETS, StaticFiles(directory=str(folder)), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} — API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} — API",
            redoc_js_url=f"{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS}/favicon.png",
            with_google_fonts=False,
        )

    return True


@cache
def cjk_font() -> bytes:
    """Droid Sans Fallback (TrueType) from PyMuPDF: read once, it never changes while running."""
    from extractor.pdflib import pymupdf

    return bytes(pymupdf.Font("cjk").buffer)


def add_font(app: FastAPI) -> None:
    @app.get(FONT_PATH, include_in_schema=False)
    def font() -> Response:
        return Response(cjk_font(), media_type="font/ttf", headers={"Cache-Control": "public, max-age=86400"})
