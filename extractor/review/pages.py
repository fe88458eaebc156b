"""Page images for the review page: rendered with PyMuPDF, cached on disk in the data dir.

Record and cell boxes are in PDF points of their page (SPEC `source.bbox`); the page list gives
each page's size in the same points, so the browser scales a box by image width / page width.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from extractor.pdflib import pymupdf
from pydantic import BaseModel

PAGED_KINDS = ("pdf_digital", "pdf_scanned", "pdf_mixed", "image")


class NoPageImage(LookupError):
    """The document has no such page image (office file, missing source file, page out of range)."""


class PageSize(BaseModel):
    n: int
    width: float
    height: float


def _open(source: Path, kind: str | None) -> pymupdf.Document:
    if kind not in PAGED_KINDS:
        raise NoPageImage(f"{source.name}: {kind} 文件没有页面图像 (only PDFs and images have pages)")
    if not source.is_file():
        raise NoPageImage(f"{source.name}: 原文件已不在 {source.parent} (source file is gone)")
    return pymupdf.open(source)


def page_sizes(source: Path, kind: str | None) -> list[PageSize]:
    if kind == "image":
        _open(source, kind).close()  # the same checks as for rendering
        return _image_page_sizes(source)
    with _open(source, kind) as document:
        return [
            PageSize(n=index + 1, width=page.rect.width, height=page.rect.height) for index, page in enumerate(document)
        ]


def _image_page_sizes(source: Path) -> list[PageSize]:
    """Image pages in the points the image backend gave their boxes (its own resolution rule)."""
    from PIL import Image, ImageSequence

    from extractor.backends.image import page_dpi

    sizes = []
    with Image.open(source) as image:
        for index, frame in enumerate(ImageSequence.Iterator(image)):
            scale = 72.0 / page_dpi(frame.size, frame.info.get("dpi"))
            sizes.append(PageSize(n=index + 1, width=frame.size[0] * scale, height=frame.size[1] * scale))
    return sizes


def page_png(*, source: Path, kind: str | None, sha256: str, page: int, dpi: int, cache_dir: Path) -> Path:
    """The PNG of page `page` (1-based), rendered once and then served from cache_dir/<sha256>/."""
    cached = cache_dir / sha256 / f"{page}@{dpi}.png"
    if cached.is_file():
        return cached
    with _open(source, kind) as document:
        if not 1 <= page <= document.page_count:
            raise NoPageImage(f"{source.name}: 没有第 {page} 页 (the document has {document.page_count} pages)")
        pixmap = document[page - 1].get_pixmap(dpi=dpi)
        cached.parent.mkdir(parents=True, exist_ok=True)
        # Written beside and renamed: a concurrent request never reads a half-written image.
        handle, temporary = tempfile.mkstemp(dir=cached.parent, suffix=".png")
        os.close(handle)
        pixmap.save(temporary)
        os.replace(temporary, cached)
    return cached
