"""Image backend: PNG, JPEG, BMP, TIFF and multi-page TIFF, each page read as a scanned page.

Pages are decoded and read one at a time, so memory stays flat however long a TIFF is.
The page size in points comes from the image's resolution tag when it is believable; scanners
and phones often write a default 72 dpi, so a page that would come out smaller than a postcard or
larger than A3 is taken to be A4 on its long side instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from extractor.backends.bounds import PixelBudget, page_problem, reraise_if_out_of_memory
from extractor.errors import InputError
from schemas import Block, ExtractOptions, Layout, Problem, ReadLimits

A4_LONG_SIDE_INCH = 842 / 72
MIN_LONG_SIDE_INCH = 5.5
MAX_LONG_SIDE_INCH = 17.5


def page_dpi(size_px: tuple[int, int], dpi_tag: object) -> float:
    """Resolution to read the page at: the file's own when believable, else the A4 assumption."""
    long_side = max(size_px)
    try:
        dpi = float(dpi_tag[0]) if isinstance(dpi_tag, (tuple, list)) else float(dpi_tag)  # type: ignore[arg-type]
    except (TypeError, ValueError, IndexError):
        dpi = 0.0
    if dpi > 0 and MIN_LONG_SIDE_INCH <= long_side / dpi <= MAX_LONG_SIDE_INCH:
        return dpi
    return long_side / A4_LONG_SIDE_INCH


def to_array(frame: PIL.Image.Image) -> np.ndarray:  # type: ignore[name-defined]  # noqa: F821
    """A decoded frame as an OpenCV array: grey stays grey, everything else becomes BGR."""
    if frame.mode in ("1", "L", "I;16", "I", "F"):
        grey = np.asarray(frame.convert("L"))
        return np.ascontiguousarray(grey)
    rgb = np.asarray(frame.convert("RGB"))
    return np.ascontiguousarray(rgb[:, :, ::-1])


def image_pages(
    path: Path, max_pages: int | None, limits: ReadLimits | None = None
) -> Iterator[tuple[int, np.ndarray, float, int]]:
    """(page number, pixels, dpi, total pages) for each frame, decoded lazily, each frame's size
    checked against the pixel budgets before it is decoded (PageRefused)."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    limits = limits or ReadLimits()
    budget = PixelBudget(limits)
    try:
        # Pillow's own bomb check (DecompressionBombError) backs up the budget below.
        image = Image.open(path)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise InputError(path, f"图像文件已损坏或无法解码 (cannot decode image: {error})") from error
    with image:
        total = getattr(image, "n_frames", 1)
        if total > limits.max_pages:
            raise InputError(path, f"页数过多 ({total} pages, the limit is {limits.max_pages})")
        for index, frame in enumerate(ImageSequence.Iterator(image)):
            if max_pages is not None and index >= max_pages:
                break
            budget.take(*frame.size)
            try:
                pixels = to_array(frame)
            except OSError as error:
                if index == 0:
                    raise InputError(path, f"图像文件已损坏或无法解码 (cannot decode image: {error})") from error
                raise
            yield index + 1, pixels, page_dpi(frame.size, frame.info.get("dpi")), total


def read_image(path: Path, options: ExtractOptions) -> Layout:
    """Every page of an image file as blocks, through the scanned-page reader."""
    from extractor.backends.scanned import read_page_image

    blocks: list[Block] = []
    problems: list[Problem] = []
    sizes: dict[int, tuple[float, float]] = {}
    turns: dict[int, tuple[int, float]] = {}
    total = 0
    pages = image_pages(path, options.max_pages, options.limits)
    while True:
        try:
            number, pixels, dpi, total = next(pages)
        except StopIteration:
            break
        except InputError:
            raise
        except Exception as error:  # a damaged or refused later frame: keep the pages already read
            reraise_if_out_of_memory(error)
            problems.append(page_problem("image", len(sizes) + len(problems) + 1, error))
            break
        try:
            page = read_page_image(pixels, number, 72.0 / dpi, options)
        except Exception as error:  # one unreadable page must not lose the others
            reraise_if_out_of_memory(error)
            problems.append(page_problem("scan", number, error))
            continue
        sizes[number] = (page.width, page.height)
        turns[number] = (page.geometry.quarter_turns, page.geometry.skew_degrees)
        blocks.extend(page.blocks)
        problems.extend(page.problems)
    if not sizes and problems:  # nothing read: a failure, never an empty `done`
        raise InputError(path, f"没有一页能读取 (no page could be read: {problems[0].message})")
    return Layout(
        kind="image",
        page_count=max(total, len(sizes), 1),
        page_sizes=sizes,
        scan_turns=turns,
        blocks=blocks,
        problems=problems,
    )
