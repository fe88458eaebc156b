"""Page images for the review page: rendered with PyMuPDF, cached on disk in the data dir.

Record and cell boxes are in PDF points of their page (SPEC `source.bbox`); the page list gives
each page's size in the same points, so the browser scales a box by image width / page width.
A scanned page's boxes are in points of the page the reader made upright (levelled, then turned
by quarter turns; `ExtractionResult.pages`), so its image is turned the same way before it is served.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from extractor.backends.bounds import PageRefused, PixelBudget
from extractor.pdflib import pymupdf
from schemas import PageInfo, ReadLimits

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


def page_sizes(source: Path, kind: str | None, recorded: list[PageInfo] | None = None) -> list[PageSize]:
    """Sizes the boxes were measured in: the reader's own record when the result has it (a scan
    turned upright has its sides swapped), else read from the file (results stored before)."""
    if recorded:
        return [PageSize(n=info.n, width=info.width, height=info.height) for info in recorded]
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


RENDER_SLOTS = threading.BoundedSemaphore(2)
"""Renders running at once in this process, whatever the number of requests: each child may take up
to its memory limit, and twelve at once once took the machine (a process-wide bound, like a pool)."""


class PageImageRefused(Exception):
    """The page image is over the pixel limit, or its render failed under the time or memory limit."""


def page_png(
    *,
    source: Path,
    kind: str | None,
    sha256: str,
    page: int,
    dpi: int,
    cache_dir: Path,
    turn: PageInfo | None = None,
    timeout_s: float = 30.0,
    memory_mb: int = 1024,
) -> Path:
    """The PNG of page `page` (1-based), rendered once in a bounded child process (the page's pixel
    count checked first: PageImageRefused) and then served from cache_dir/<sha256>/.

    `turn`: the reader's record of a scanned page; its image is levelled and turned upright the
    same way, so the boxes (upright points) land on it."""
    turned = turn is not None and turn.scanned and (turn.quarter_turns % 4 or _levels(turn))
    suffix = f"-q{turn.quarter_turns % 4}s{turn.skew_degrees:g}" if turn is not None and turned else ""
    cached = cache_dir / sha256 / f"{page}@{dpi}{suffix}.png"
    if cached.is_file():
        return cached
    with _open(source, kind) as document:
        if not 1 <= page <= document.page_count:
            raise NoPageImage(f"{source.name}: 没有第 {page} 页 (the document has {document.page_count} pages)")
        rect = document[page - 1].rect
    try:
        PixelBudget(ReadLimits()).take(rect.width / 72 * dpi, rect.height / 72 * dpi)
    except PageRefused as error:
        raise PageImageRefused(f"{source.name} 第 {page} 页: {error}") from error
    _render_in_child(source, page, dpi, cached, turn if turned else None, timeout_s=timeout_s, memory_mb=memory_mb)
    return cached


def _render_in_child(
    source: Path, page: int, dpi: int, out: Path, turn: PageInfo | None, *, timeout_s: float, memory_mb: int
) -> None:
    import extractor

    code_root = str(Path(extractor.__file__).resolve().parents[1])
    turn_json = turn.model_dump_json() if turn is not None else ""
    command = [sys.executable, "-m", "extractor.review.render_page", str(source), str(page), str(dpi), str(out)]
    try:
        with RENDER_SLOTS:
            done = subprocess.run(
                [*command, str(memory_mb), turn_json],
                capture_output=True,
                timeout=timeout_s,
                env={
                    **os.environ,
                    "PYTHONPATH": os.pathsep.join(filter(None, [code_root, os.environ.get("PYTHONPATH")])),
                },
                check=False,
            )
    except subprocess.TimeoutExpired as error:  # run() has killed the child
        raise PageImageRefused(
            f"{source.name} 第 {page} 页: 渲染超时 (render timed out after {timeout_s:g} s)"
        ) from error
    if done.returncode != 0 or not out.is_file():
        last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1][:200]
        raise PageImageRefused(f"{source.name} 第 {page} 页: 渲染失败 (render failed under {memory_mb} MB: {last})")


def render(source: Path, page: int, dpi: int, out: Path, turn: PageInfo | None) -> None:
    """Render one page to `out` (run by extractor.review.render_page, in the bounded child)."""
    with pymupdf.open(source) as document:
        pixmap = document[page - 1].get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB, alpha=False)
        out.parent.mkdir(parents=True, exist_ok=True)
        # Written beside and renamed: a concurrent request never reads a half-written image.
        handle, temporary = tempfile.mkstemp(dir=out.parent, suffix=".png")
        os.close(handle)
        if turn is not None:
            _save_upright(pixmap, turn, Path(temporary))
        else:
            pixmap.save(temporary)
        os.replace(temporary, out)


def _levels(turn: PageInfo) -> bool:
    from extractor.vision.orientation import MIN_SKEW_DEGREES

    return abs(turn.skew_degrees) >= MIN_SKEW_DEGREES


def upright(pixels: np.ndarray, turn: PageInfo) -> np.ndarray:
    """The page image as the reader saw it after normalise_page: levelled first, then quarter-turned."""
    from extractor.vision.imaging import rotate_quarter, rotate_small

    levelled = rotate_small(pixels, turn.skew_degrees) if _levels(turn) else pixels
    return rotate_quarter(levelled, turn.quarter_turns)


def _save_upright(pixmap: pymupdf.Pixmap, turn: PageInfo, path: Path) -> None:
    import cv2

    rgb = np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(pixmap.height, pixmap.width, pixmap.n)
    turned = upright(np.ascontiguousarray(rgb[:, :, ::-1]), turn)  # OpenCV writes BGR
    if not cv2.imwrite(str(path), turned):
        raise OSError(f"could not write {path}")
