"""Text inside cells: line finding from ink, dashes, recognition batching, text fixes."""

import numpy as np
import pymupdf
import pytest

from extractor.backends.image import page_dpi
from extractor.tables.grid import Grid, GridCell
from extractor.vision.cells import bands, cell_confidence, cell_lines, clean_specks, dash_text
from extractor.vision.imaging import ink_mask
from extractor.vision.ocr import load_engine
from extractor.vision.page_text import locate_cell_lines
from extractor.vision.textfix import fix_recognised, normalise_punctuation, to_simplified

DPI = 200


def render_lines(lines: list[str], width: float = 260, size: float = 10) -> np.ndarray:
    """A grey 200 dpi image of text lines, drawn with PyMuPDF's bundled CJK font."""
    document = pymupdf.open()
    page = document.new_page(width=width, height=20 + 16 * len(lines))
    page.insert_font(fontname="cjk", fontbuffer=pymupdf.Font("cjk").buffer)
    for index, line in enumerate(lines):
        page.insert_text((8, 22 + 16 * index), line, fontname="cjk", fontsize=size)
    pixmap = page.get_pixmap(dpi=DPI, colorspace=pymupdf.csGRAY)
    return np.frombuffer(pixmap.samples, np.uint8).reshape(pixmap.height, pixmap.width).copy()


def test_bands_bridge_small_gaps_and_drop_small_runs():
    profile = np.array([0, 3, 3, 0, 3, 3, 0, 0, 0, 0, 5, 0, 0, 7, 7, 7, 7])
    assert bands(profile, min_gap=2, min_size=2) == [(1, 6), (13, 17)]


def test_two_line_cell_gives_two_lines_in_reading_order():
    grey = render_lines(["整治背街小巷", "数量48条"])
    ink = clean_specks(ink_mask(grey, DPI), DPI)
    found = cell_lines(ink, (0, 0, grey.shape[1], grey.shape[0]), DPI)
    assert len(found.boxes) == 2
    assert found.boxes[0][1] < found.boxes[1][1]
    assert not found.dashes and not found.speckled


def test_dash_is_read_from_its_shape_not_recognised():
    grey = np.full((60, 120), 255, np.uint8)
    grey[30:32, 40:68] = 0  # a 28 px em dash
    found = cell_lines(ink_mask(grey, DPI), (0, 0, 120, 60), DPI)
    assert found.boxes == [] and len(found.dashes) == 1
    x0, _, x1, _ = found.dashes[0]
    assert dash_text(x1 - x0, line_height=28) == "—"
    assert dash_text(12, line_height=28) == "-"
    assert dash_text(60, line_height=28) == "——"


@pytest.mark.parametrize(("dpi", "wide", "char_height"), [(150, 4, 14.0), (200, 6, 18.0), (300, 8, 27.0)])
def test_a_short_hyphen_alone_in_a_large_cell_is_a_dash(dpi, wide, char_height):
    """The seed scans' lone "-" blank markers: a blurred hyphen a third of a character wide, 4 px tall."""
    ink = np.zeros((190, 80), np.uint8)
    ink[97:101, 38 : 38 + wide] = 255
    found = cell_lines(ink, (0, 0, 80, 190), dpi, char_height)
    assert found.boxes == [] and len(found.dashes) == 1 and not found.speckled
    x0, _, x1, _ = found.dashes[0]
    assert dash_text(x1 - x0, line_height=char_height) == "-"


def test_a_speck_or_an_upright_stroke_is_not_a_dash():
    ink = np.zeros((190, 80), np.uint8)
    ink[97:101, 38:42] = 255  # a 4 px dot: shorter than a quarter of an 18 px character
    found = cell_lines(ink, (0, 0, 80, 190), DPI, 18.0)
    assert found.dashes == [] and found.speckled
    upright = np.zeros((190, 80), np.uint8)
    upright[95:101, 38:43] = 255  # long enough, but taller than long
    found = cell_lines(upright, (0, 0, 80, 190), DPI, 18.0)
    assert found.dashes == [] and found.speckled
    # The same stroke is a dash on a page of small text, a speck on a page of large text.
    ink[97:101, 38:44] = 255
    assert cell_lines(ink, (0, 0, 80, 190), DPI, 18.0).dashes
    assert not cell_lines(ink, (0, 0, 80, 190), DPI, 40.0).dashes


@pytest.mark.parametrize(("line_height", "is_dash"), [(18, True), (40, False)])
def test_a_dash_is_measured_against_the_pages_own_text(line_height, is_dash):
    """A 6 px stroke beside 18 px text lines is a hyphen; beside 40 px lines it is too short to be one."""
    ink = np.zeros((100, 400), np.uint8)
    ink[20 : 20 + line_height, 20:160] = 255  # a text line in the first cell (a block of ink will do)
    ink[50:54, 280:286] = 255  # the stroke, alone in the second cell
    cells = [GridCell(0, 0, 1, 1, (0.0, 0.0, 200.0, 100.0)), GridCell(0, 1, 1, 1, (200.0, 0.0, 400.0, 100.0))]
    grid = Grid(cells=cells, n_rows=1, n_cols=2, row_edges=[0.0, 100.0], col_edges=[0.0, 200.0, 400.0])
    text, stroke = locate_cell_lines([grid], ink, DPI, pixels_per_point=1.0)
    assert len(text.lines.boxes) == 1
    assert bool(stroke.lines.dashes) is is_dash and stroke.lines.speckled is not is_dash


def test_empty_and_speckled_cells():
    blank = np.zeros((60, 120), np.uint8)
    assert cell_lines(blank, (0, 0, 120, 60), DPI).boxes == []
    specks = blank.copy()
    specks[10, 10] = specks[40, 90] = 255
    cleaned = clean_specks(specks, DPI)
    assert not cleaned.any()
    assert cell_confidence([], cell_lines(cleaned, (0, 0, 120, 60), DPI), False) > 0.9


@pytest.mark.parametrize("side", ["left", "right", "top", "bottom"])
def test_a_border_sliver_left_by_line_removal_is_no_text(side):
    """The ink test: an empty cell holding only what is left of its own border gives nothing to recognise."""
    grey = np.full((80, 200), 255, np.uint8)
    sliver = {"left": np.s_[:, 0:2], "right": np.s_[:, 197:], "top": np.s_[0:2, :], "bottom": np.s_[77:, 6:]}[side]
    grey[sliver] = 60
    found = cell_lines(clean_specks(ink_mask(grey, DPI), DPI), (0, 0, 200, 80), DPI)
    assert found.boxes == [] and found.dashes == []
    # However short the page's characters, a sliver is no dash.
    found = cell_lines(clean_specks(ink_mask(grey, DPI), DPI), (0, 0, 200, 80), DPI, char_height=8.0)
    assert found.boxes == [] and found.dashes == []


def test_text_beside_a_border_sliver_and_faint_text_are_still_read():
    grey = render_lines(["预算执行率"])
    grey[:, 0:2] = 60  # a sliver of the left border
    found = cell_lines(clean_specks(ink_mask(grey, DPI), DPI), (0, 0, grey.shape[1], grey.shape[0]), DPI)
    assert len(found.boxes) == 1 and found.boxes[0][0] > 2  # the line starts at the text, not the sliver
    faint = np.where(render_lines(["10"]) < 128, 176, 255).astype(np.uint8)  # print under a red seal, red channel
    found = cell_lines(clean_specks(ink_mask(faint, DPI), DPI), (0, 0, faint.shape[1], faint.shape[0]), DPI)
    assert len(found.boxes) == 1
    short = np.full((80, 200), 255, np.uint8)
    short[20:60, 0:3] = 40  # a short stroke touching the border (a glyph cut by the cell) is not a border
    found = cell_lines(clean_specks(ink_mask(short, DPI), DPI), (0, 0, 200, 80), DPI)
    assert found.boxes and found.touches_border


def test_confidence_is_lowered_by_doubtful_structure():
    grey = render_lines(["预算执行率"])
    ink = ink_mask(grey, DPI)
    lines = cell_lines(ink, (0, 0, grey.shape[1], grey.shape[0]), DPI)
    plain = cell_confidence([0.99], lines, split_by_detector=False)
    assert cell_confidence([0.99], lines, split_by_detector=True) < plain
    touching = lines.model_copy(update={"touches_border": True})
    assert cell_confidence([0.99], touching, split_by_detector=False) < plain
    assert cell_confidence([0.6, 0.99], lines, split_by_detector=False) <= 0.6


def test_batched_recognition_reads_like_the_library():
    engine = load_engine("rapidocr", None)
    texts = ["项目支出绩效自评表", "1,837.28", "≥90%", "满意度", "96.30%", "城乡社区环境综合整治项目", "得分"]
    crops = [render_lines([text]) for text in texts]
    ours = engine.recognize(crops)
    library = engine.recognize_with_library(crops)
    assert [text for text, _ in ours] == [text for text, _ in library]
    assert sum(text == expected for (text, _), expected in zip(ours, texts)) >= len(texts) - 1
    assert all(0.0 <= score <= 1.0 for _, score in ours)


def test_punctuation_next_to_hanzi_is_full_width():
    assert normalise_punctuation("项目资金(万元)") == "项目资金（万元）"
    assert normalise_punctuation("其中:当年") == "其中：当年"
    assert normalise_punctuation("(1) 10:30 1,620") == "(1) 10:30 1,620"


def test_traditional_forms_become_simplified():
    assert to_simplified("決算数") == "决算数"
    assert to_simplified("一般公共預算") == "一般公共预算"
    assert fix_recognised(" 支出(決算) ") == "支出（决算）"
    assert to_simplified("96.30%") == "96.30%"


@pytest.mark.parametrize(
    ("size", "tag", "expected"),
    [
        ((1654, 2339), (200, 200), 200.0),
        ((1654, 2339), (72, 72), 2339 / (842 / 72)),  # a default 72 dpi tag on an A4 scan
        ((1240, 1754), None, 1754 / (842 / 72)),
        ((2480, 3508), 300, 300.0),
    ],
)
def test_page_resolution_is_believed_only_when_plausible(size, tag, expected):
    assert page_dpi(size, tag) == pytest.approx(expected)


@pytest.mark.parametrize(
    "printed",
    [
        "＝4次",
        "=100%",
        "产出指标(50分)",
        "项目资金（万元）",
        "其中：当年",
        "其中:当年",
        "（一）部门",
        "设备(台)",
        "满意度=100%",
    ],
)
def test_punctuation_width_follows_the_ink(printed):
    """The recogniser often reads ＝ as = or （ as (; the blank space around the glyph decides."""
    from extractor.vision.cells import padded_crop
    from extractor.vision.textfix import fix_recognised

    grey = render_lines([printed], size=9, width=300)
    lines = cell_lines(ink_mask(grey, DPI), (0, 0, grey.shape[1], grey.shape[0]), DPI)
    box = lines.boxes[0]
    crop = padded_crop(grey, box, DPI)
    engine = load_engine("rapidocr", None)
    [(text, _, centres)] = engine.recognize_with_positions([crop])
    assert fix_recognised(text, centres, crop, float(box[3] - box[1])) == printed
