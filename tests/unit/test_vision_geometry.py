"""Orientation, skew and ruling lines of scanned pages, on pages rendered here with PyMuPDF."""

import cv2
import numpy as np
import pymupdf
import pytest

from extractor.backends.pdf import page_segments
from extractor.tables.grid import Grid, build_grids
from extractor.vision.imaging import ink_mask, rotate_quarter, rotate_small, to_grey
from extractor.vision.lines import find_lines, snap_ends, to_segments
from extractor.vision.ocr import load_engine
from extractor.vision.orientation import find_skew, normalise_page
from fixtures.scans import add_stamp_and_handwriting
from tests.scan_sample import build_sample_form

DPI = 200
SCALE = 72 / DPI


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[np.ndarray, list[Grid]]:
    """Page 1 of the sample form as a 200 dpi colour image, and its grids from the PDF's vector lines."""
    path = build_sample_form(tmp_path_factory.mktemp("form") / "form.pdf")
    with pymupdf.open(path) as document:
        page = document[0]
        pixmap = page.get_pixmap(dpi=DPI, colorspace=pymupdf.csRGB, alpha=False)
        image = np.frombuffer(pixmap.samples, np.uint8).reshape(pixmap.height, pixmap.width, 3)[:, :, ::-1].copy()
        grids = build_grids(page_segments(page))
    return image, grids


def scanned_grids(grey: np.ndarray) -> list[Grid]:
    lines = snap_ends(find_lines(ink_mask(grey, DPI), DPI), reach=DPI * 0.08)
    return build_grids(to_segments(lines, SCALE), tolerance=2.0)


def assert_same_grid(found: list[Grid], expected: list[Grid], tolerance: float = 1.5) -> None:
    assert len(found) == len(expected)
    for got, want in zip(found, expected):
        assert (got.n_rows, got.n_cols) == (want.n_rows, want.n_cols)
        spans = lambda grid: sorted((c.row, c.col, c.row_span, c.col_span) for c in grid.cells)  # noqa: E731
        assert spans(got) == spans(want)
        assert np.allclose(got.col_edges, want.col_edges, atol=tolerance)
        assert np.allclose(got.row_edges, want.row_edges, atol=tolerance)


def test_clean_scan_gives_the_vector_grid(sample):
    image, expected = sample
    assert_same_grid(scanned_grids(to_grey(image)), expected)


@pytest.mark.parametrize("turns", [0, 1, 2, 3])
@pytest.mark.parametrize("skew", [0.0, 1.5, -5.0])
def test_orientation_and_skew_are_undone(sample, turns, skew):
    image, expected = sample
    grey = rotate_quarter(rotate_small(to_grey(image), skew), turns)
    upright, geometry = normalise_page(grey, DPI, load_engine("rapidocr", None))
    assert (geometry.quarter_turns + turns) % 4 == 0
    assert abs(geometry.skew_degrees + skew) <= 0.1
    # After correction the grid is the printed one (rotation about the centre moves it a little).
    found = scanned_grids(upright)
    assert [(g.n_rows, g.n_cols, len(g.cells)) for g in found] == [(g.n_rows, g.n_cols, len(g.cells)) for g in expected]


def test_skew_of_a_blank_page_is_zero():
    assert find_skew(np.zeros((400, 300), np.uint8), DPI) == 0.0


def _line_pixels(grids: list[Grid]) -> tuple[list[int], list[int], tuple[int, int, int, int]]:
    grid = grids[0]
    rows = [int(round(y / SCALE)) for y in grid.row_edges]
    cols = [int(round(x / SCALE)) for x in grid.col_edges]
    return rows, cols, (cols[0], rows[0], cols[-1], rows[-1])


def test_broken_and_faint_lines_still_make_the_grid(sample):
    image, expected = sample
    grey = to_grey(image).copy()
    rows, cols, (left, top, right, bottom) = _line_pixels(expected)
    for y in rows:
        band = grey[y - 3 : y + 4, left - 3 : right + 4]
        band[:] = 255 - ((255 - band.astype(np.int32)) * 0.35).astype(np.uint8)  # faint: a third of the ink
        for x in range(left + 20, right - 20, 45):
            grey[y - 3 : y + 4, x : x + 2] = 255  # a 2 px break every 45 px
    for x in cols:
        for y in range(top + 20, bottom - 20, 45):
            grey[y : y + 2, x - 3 : x + 4] = 255
    assert_same_grid(scanned_grids(grey), expected)


def test_vertical_lines_stopping_short_of_the_border(sample):
    image, expected = sample
    grey = to_grey(image).copy()
    rows, cols, (left, top, right, bottom) = _line_pixels(expected)
    for x in cols[1:-1]:
        grey[bottom - 9 : bottom - 2, x - 3 : x + 4] = 255  # 7 px (2.5 pt) short of the bottom rule
        grey[top + 2 : top + 9, x - 3 : x + 4] = 255
    assert_same_grid(scanned_grids(grey), expected)


def test_stamp_and_handwriting_over_the_grid(sample):
    image, expected = sample
    marked = add_stamp_and_handwriting(image, DPI, np.random.default_rng(7))
    assert (np.abs(marked.astype(int) - image.astype(int)).sum(axis=2) > 60).sum() > 5000  # really marked
    assert_same_grid(scanned_grids(to_grey(marked)), expected)


def test_red_stamp_fades_in_the_grey_image():
    page = np.full((100, 100, 3), 255, np.uint8)
    page[20:40, 20:80] = (40, 40, 220)  # red seal ink (BGR)
    page[60:70, 20:80] = (0, 0, 0)  # black print
    grey = to_grey(page)
    assert grey[30, 50] > 200 and grey[65, 50] < 50


def test_short_divider_inside_one_low_row_is_a_rule():
    """A label | value divider in a 0.2 in row is shorter than a long rule but still splits the row."""
    page = np.full((400, 800), 255, np.uint8)
    for y in (100, 140, 300):  # a low first row (40 px = 0.2 in) over a tall second row
        cv2.line(page, (100, y), (700, y), 0, 2)
    for x in (100, 700):
        cv2.line(page, (x, 100), (x, 300), 0, 2)
    cv2.line(page, (300, 100), (300, 140), 0, 2)  # the short divider
    cv2.line(page, (420, 200), (420, 226), 0, 3)  # a lone stroke in the big cell: not a rule
    [grid] = scanned_grids(page)
    assert (grid.n_rows, grid.n_cols) == (2, 2)
    spans = sorted((c.row, c.col, c.row_span, c.col_span) for c in grid.cells)
    assert spans == [(0, 0, 1, 1), (0, 1, 1, 1), (1, 0, 1, 2)]


def test_small_ruled_boxes_need_the_layout_model_to_be_tables():
    from extractor.backends.scanned import is_table
    from extractor.vision.regions import Region

    def grid_of(width: float, height: float) -> Grid:
        segments = [
            _h(0, 0, width),
            _h(height, 0, width),
            _v(0, 0, height),
            _v(width / 2, 0, height),
            _v(width, 0, height),
        ]
        [grid] = build_grids(segments)
        return grid

    assert is_table(grid_of(300, 20), [])  # a one-row, two-cell form line: as born-digital
    small = grid_of(50, 30)  # a signature box
    assert not is_table(small, [])
    assert is_table(small, [Region(label="table", box=(0, 0, 60, 40), score=0.9)])
    assert not is_table(small, [Region(label="text", box=(0, 0, 60, 40), score=0.9)])


def _h(y, x0, x1):
    from schemas import Segment

    return Segment(x0=x0, y0=y, x1=x1, y1=y)


def _v(x, y0, y1):
    from schemas import Segment

    return Segment(x0=x, y0=y0, x1=x, y1=y1)
