"""PDF backend: the text layer and vector ruling lines of each page, page by page.

A page whose text layer is unusable (a scan) goes to the scanned-page reader;
the document kind says whether that happened to none, all or some pages.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import NamedTuple, Optional

from extractor.backends.bounds import (
    PixelBudget,
    check_form_draws,
    check_render,
    page_problem,
    reraise_if_out_of_memory,
)
from extractor.errors import InputError
from extractor.pdflib import pymupdf
from extractor.tables.grid import Grid, build_grids
from extractor.tables.structure import page_blocks
from schemas import Block, ExtractOptions, Layout, PageContent, Problem, Segment, Word
from schemas.records import DocumentKind

STRADDLE = 2.0
"""A word reaching this far (points) past its cell's border runs into the next cell."""
THIN = 2.0
"""A filled rectangle thinner than this (points) is drawn as a ruling line."""


def truncated(path: Path) -> bool:
    """A PDF ends with `%%EOF` (give or take trailing blanks and junk); a cut-off download does not."""
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - 1024))
        return b"%%EOF" not in handle.read()


def open_pdf(path: Path) -> pymupdf.Document:
    try:
        document = pymupdf.open(path, filetype="pdf")
    except (pymupdf.FileDataError, RuntimeError, ValueError) as error:
        if truncated(path):
            raise InputError(
                path, f"PDF 已损坏：文件被截断，无法打开 (corrupt PDF, truncated file: {error})"
            ) from error
        raise InputError(path, f"PDF 已损坏，无法打开 (corrupt PDF: {error})") from error
    if document.needs_pass:
        raise InputError(path, "PDF 已加密，需要密码 (encrypted PDF)")
    try:
        page_count = document.page_count
        if page_count:
            document.load_page(0)  # a truncated file can open yet have no readable page tree
    except (RuntimeError, ValueError) as error:
        raise InputError(path, f"PDF 已损坏，页面无法读取 (corrupt PDF: {error})") from error
    if page_count == 0:
        raise InputError(path, "PDF 没有页面 (PDF has no pages)")
    return document


class Rule(NamedTuple):
    """A ruling line in page points, as `build_grids` reads it.

    A tuple rather than `schemas.Segment`: a ruled page has hundreds, and they never leave the
    backend (validating each as a model cost more than reading the drawings).
    """

    x0: float
    y0: float
    x1: float
    y1: float


def page_rules(page: pymupdf.Page) -> list[Rule]:
    """Ruling lines of a page from its vector drawings (lines and thin or outlined rectangles).

    Reads MuPDF's raw path list (`get_cdrawings`): `get_drawings` is the same list with every
    coordinate wrapped in Point/Rect/Quad objects, which alone cost as much as MuPDF's walk.
    """
    rules: list[Rule] = []
    for path in page.get_cdrawings():
        stroked = path.get("color") is not None
        for item in path["items"]:
            kind = item[0]
            if kind == "l":
                (x0, y0), (x1, y1) = item[1], item[2]
                rules.append(Rule(float(x0), float(y0), float(x1), float(y1)))
            elif kind == "re":
                x0, y0, x1, y1 = (float(v) for v in item[1])
                rules.extend(_rect_rules(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1), stroked))
            elif kind == "qu":
                xs = [float(point[0]) for point in item[1]]
                ys = [float(point[1]) for point in item[1]]
                rules.extend(_rect_rules(min(xs), min(ys), max(xs), max(ys), stroked))
    return rules


def page_segments(page: pymupdf.Page) -> list[Segment]:
    """The page's ruling lines as schema Segments (for callers outside the backend)."""
    return as_segments(page_rules(page))


def as_segments(rules: list[Rule]) -> list[Segment]:
    return [Segment(x0=r.x0, y0=r.y0, x1=r.x1, y1=r.y1) for r in rules]


def _rect_rules(x0: float, y0: float, x1: float, y1: float, stroked: bool) -> list[Rule]:
    """One rule for a thin filled bar, four for an outlined box, none for a shaded area."""
    width, height = x1 - x0, y1 - y0
    if height <= THIN and width > THIN:
        y = (y0 + y1) / 2
        return [Rule(x0, y, x1, y)]
    if width <= THIN and height > THIN:
        x = (x0 + x1) / 2
        return [Rule(x, y0, x, y1)]
    if not stroked:
        return []  # a shaded area, not a border
    return [Rule(x0, y0, x1, y0), Rule(x0, y1, x1, y1), Rule(x0, y0, x0, y1), Rule(x1, y0, x1, y1)]


Glyph = tuple[str, tuple[float, float, float, float]]


def text_page(page: pymupdf.Page) -> pymupdf.TextPage:
    """MuPDF's text page as `get_text("words")` makes it; the words and, when a table asks, the
    glyphs are read from this one (building a text page is most of reading the words)."""
    return page.get_textpage(flags=pymupdf.TEXTFLAGS_WORDS)


def page_words(page: pymupdf.Page, textpage: Optional[pymupdf.TextPage] = None) -> list[Word]:
    return [
        Word(text=text, bbox=(round(x0, 2), round(y0, 2), round(x1, 2), round(y1, 2)))
        for x0, y0, x1, y1, text, *_ in page.get_text("words", sort=False, textpage=textpage)
        if text.strip()
    ]


def page_content(page: pymupdf.Page, textpage: Optional[pymupdf.TextPage] = None) -> PageContent:
    """The words of one page. Its ruling lines are read by the caller (`page_rules`) only when the
    text layer is usable: a scanned page's lines come from its image."""
    rect = page.rect  # a new Rect computed from the page on every access
    return PageContent(
        number=page.number + 1,
        width=rect.width,
        height=rect.height,
        words=page_words(page, textpage),
    )


class PageGlyphs:
    """A page's glyph boxes, read from its text page the first time a splitter asks, then kept
    (straddling words and unruled tables may both ask on one page)."""

    def __init__(self, page: pymupdf.Page, textpage: Optional[pymupdf.TextPage] = None) -> None:
        self.page = page
        self.textpage = textpage
        self._glyphs: Optional[list[Glyph]] = None
        self._by_middle: Optional[tuple[list[float], list[int]]] = None

    def __call__(self) -> list[Glyph]:
        if self._glyphs is None:
            # the text page was made without images (words' flags): image blocks have no lines anyway
            self._glyphs = [
                (char["c"], char["bbox"])
                for block in self.page.get_text("rawdict", textpage=self.textpage)["blocks"]
                for line in block.get("lines", [])
                for span in line["spans"]
                for char in span["chars"]
            ]
        return self._glyphs

    def on_line(self, middle: float, reach: float) -> list[Glyph]:
        """The glyphs whose vertical centre is less than `reach` from `middle`, in the page's order.

        Glyphs are sorted by centre once per page and looked up by binary search: splitting every word
        of an unruled table otherwise walked all of the page's glyphs per word.
        """
        glyphs = self()
        if self._by_middle is None:
            order = sorted(range(len(glyphs)), key=lambda index: _middle(glyphs[index]))
            self._by_middle = ([_middle(glyphs[index]) for index in order], order)
        middles, order = self._by_middle
        slack = 1e-6 * (1.0 + abs(middle) + reach)  # a hair wider than the test below, which decides
        near = order[bisect_left(middles, middle - reach - slack) : bisect_right(middles, middle + reach + slack)]
        return [glyphs[index] for index in sorted(near) if abs(_middle(glyphs[index]) - middle) < reach]


def _middle(glyph: Glyph) -> float:
    return (glyph[1][1] + glyph[1][3]) / 2


def _straddles(word: Word, grids: list[Grid]) -> bool:
    x = (word.bbox[0] + word.bbox[2]) / 2
    y = (word.bbox[1] + word.bbox[3]) / 2
    for grid in grids:
        cell = grid.locate(x, y)
        if cell is not None:
            return word.bbox[0] < cell.bbox[0] - STRADDLE or word.bbox[2] > cell.bbox[2] + STRADDLE
    return False


def split_straddling_words(
    page: pymupdf.Page, content: PageContent, grids: list[Grid], glyphs: Optional[PageGlyphs] = None
) -> PageContent:
    """Split the rare word that runs across a cell border (two cells' texts printed without a gap).

    Character boxes are read only for pages that have such a word: they cost more than words.
    """
    straddling = [word for word in content.words if _straddles(word, grids)]
    if not straddling:
        return content
    chars = (glyphs or PageGlyphs(page))()
    words = [word for word in content.words if word not in straddling]
    for word in straddling:
        pieces: dict[tuple[int, int, float], list[tuple[str, tuple]]] = {}
        for text, box in chars:
            cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
            middle = (word.bbox[1] + word.bbox[3]) / 2
            same_line = abs(cy - middle) < 0.3 * (word.bbox[3] - word.bbox[1])
            if not (word.bbox[0] <= cx <= word.bbox[2] and same_line):
                continue
            owner = next((g.locate(cx, cy) for g in grids if g.locate(cx, cy) is not None), None)
            key = (owner.row, owner.col, owner.bbox[0]) if owner is not None else (-1, -1, 0.0)
            pieces.setdefault(key, []).append((text, box))
        for piece in pieces.values():
            text = "".join(t for t, _ in piece).strip()
            if text:
                box = (
                    round(min(b[0] for _, b in piece), 2),
                    round(min(b[1] for _, b in piece), 2),
                    round(max(b[2] for _, b in piece), 2),
                    round(max(b[3] for _, b in piece), 2),
                )
                words.append(Word(text=text, bbox=box))
    return content.model_copy(update={"words": words})


GLYPH_GAP = 0.25
"""Glyphs of one word further apart than this share of the text height are two cells' texts."""


def glyph_gap_splitter(page: pymupdf.Page, glyphs: Optional[PageGlyphs] = None) -> Callable[[list[Word]], list[Word]]:
    """Words re-read from their glyphs, split where two glyphs stand apart (for unruled tables).

    MuPDF joins the texts of two tightly printed cells into one word when no space separates them;
    a ruled grid splits them at its borders (split_straddling_words), an unruled table needs the gap.
    The page's glyph boxes are read once, and only when a table asks.
    """
    read = glyphs or PageGlyphs(page)

    def split(words: list[Word]) -> list[Word]:
        # each word looks only at the glyphs of its own line (_split_word's line test, applied first)
        return [
            piece
            for word in words
            for piece in _split_word(word, read.on_line((word.bbox[1] + word.bbox[3]) / 2, 0.3 * _height(word)))
        ]

    return split


def _height(word: Word) -> float:
    return word.bbox[3] - word.bbox[1]


def _split_word(word: Word, glyphs: list[Glyph]) -> list[Word]:
    x0, y0, x1, y1 = word.bbox
    middle, height = (y0 + y1) / 2, y1 - y0
    mine = sorted(
        (
            g
            for g in glyphs
            if x0 - 0.5 <= (g[1][0] + g[1][2]) / 2 <= x1 + 0.5 and abs((g[1][1] + g[1][3]) / 2 - middle) < 0.3 * height
        ),
        key=lambda g: g[1][0],
    )
    if len(mine) < 2 or "".join(c for c, _ in mine).replace(" ", "") != word.text.replace(" ", ""):
        return [word]  # glyphs do not spell the word (ligatures, overprint): keep MuPDF's reading
    pieces: list[list[Glyph]] = [[mine[0]]]
    for glyph in mine[1:]:
        if glyph[1][0] - pieces[-1][-1][1][2] > GLYPH_GAP * height:
            pieces.append([glyph])
        else:
            pieces[-1].append(glyph)
    if len(pieces) == 1:
        return [word]
    return [
        Word(
            text="".join(c for c, _ in piece).strip(),
            bbox=(round(piece[0][1][0], 2), y0, round(piece[-1][1][2], 2), y1),
            confidence=word.confidence,
        )
        for piece in pieces
        if "".join(c for c, _ in piece).strip()
    ]


def _text_layer_usable(page: pymupdf.Page, content: PageContent) -> bool:
    from extractor.vision.textlayer import text_layer_usable

    text = "".join(word.text for word in content.words)
    return text_layer_usable(text, has_images=lambda: bool(page.get_images(full=False)))


def _scanned(page: pymupdf.Page, options: ExtractOptions, budget: PixelBudget):
    """OCR path for a page without a usable text layer; its size is that of the upright page."""
    from extractor.backends.scanned import read_scanned

    check_render(page, options.ocr.render_dpi, budget)
    return read_scanned(page, options)


def check_page_count(path: Path, pages: int, limit: int) -> None:
    if pages > limit:
        raise InputError(path, f"页数过多 ({pages} pages, the limit is {limit})")


def _vl_tables(page: pymupdf.Page, found: list[Block], number: int, options: ExtractOptions):
    """Tables of a born-digital page re-read by the vision-language model (extractor/tables/vl_tables.py)."""
    from extractor.tables.vl_tables import pdf_render, vl_page_tables

    box = (0.0, 0.0, page.rect.width, page.rect.height)
    return vl_page_tables(found, number, box, pdf_render(page, options.vl.render_dpi), options)


PAGE_WINDOW = 100
"""Pages read from one opening of the document. MuPDF keeps every object it parsed until the document
is closed (~7 KB a page on a long annex); reopening the file every so many pages keeps that flat."""

Arrange = Callable[[Iterable[Block]], list[Block]]
"""What becomes of the pages' blocks as they arrive: kept as they are (`list`), or stitched
(`extractor.tables.stitch.stitch_blocks`) so that a page's own blocks are dropped once joined."""


class _PdfRead:
    """What reading the pages finds besides their blocks, filled in while the pages are read."""

    def __init__(self, page_count: int, last: int) -> None:
        self.page_count = page_count
        self.last = last
        self.problems: list[Problem] = []
        self.sizes: dict[int, tuple[float, float]] = {}
        self.turns: dict[int, tuple[int, float]] = {}
        self.scanned_pages = 0
        self.unread: list[Problem] = []

    def kind(self) -> DocumentKind:
        if self.scanned_pages == 0:
            return "pdf_digital"
        return "pdf_scanned" if self.scanned_pages == self.last else "pdf_mixed"


def read_pdf(path: Path, options: ExtractOptions, arrange: Arrange = list) -> Layout:
    """The document's pages, one at a time, into `arrange`: nothing of a page but its blocks outlives it."""
    document = open_pdf(path)
    page_count = document.page_count
    check_page_count(path, page_count, options.limits.max_pages)
    read = _PdfRead(page_count, page_count if options.max_pages is None else min(options.max_pages, page_count))
    blocks = arrange(_page_blocks(path, document, options, read))
    return Layout(
        kind=read.kind(),
        page_count=page_count,
        page_sizes=read.sizes,
        scan_turns=read.turns,
        blocks=blocks,
        problems=read.problems,
    )


def _page_blocks(path: Path, document: pymupdf.Document, options: ExtractOptions, read: _PdfRead) -> Iterator[Block]:
    budget = PixelBudget(options.limits)
    problems = read.problems
    try:
        if truncated(path):
            problems.append(Problem(stage="pdf", message="PDF 文件被截断，只读取了尚存的部分 (truncated file)"))
        elif document.is_repaired:  # MuPDF rebuilt a broken cross-reference table
            problems.append(Problem(stage="pdf", message="PDF 文件已损坏，已尽量修复 (damaged file, repaired)"))
        for index in range(read.last):
            if index and index % PAGE_WINDOW == 0:
                document.close()
                document = open_pdf(path)
            try:
                yield from _one_page(document, index, options, budget, read)
            except InputError:
                raise
            except Exception as error:  # one broken page must not lose the others
                reraise_if_out_of_memory(error)
                read.unread.append(page_problem("pdf", index + 1, error))
                problems.append(read.unread[-1])
    finally:
        document.close()
    if read.last and len(read.unread) == read.last:  # nothing read: a failure, never an empty `done`
        first = read.unread[0]
        raise InputError(path, f"没有一页能读取 (no page could be read; page {first.page}: {first.message})")


def _one_page(
    document: pymupdf.Document, index: int, options: ExtractOptions, budget: PixelBudget, read: _PdfRead
) -> list[Block]:
    """One page's blocks (its words, rules and glyphs go when this returns)."""
    page = document[index]
    read.sizes[index + 1] = (round(page.rect.width, 2), round(page.rect.height, 2))
    check_form_draws(document, page, options.limits)
    textpage = text_page(page)
    content = page_content(page, textpage)
    if _text_layer_usable(page, content):
        rules = page_rules(page)
        grids = build_grids(rules)
        # the table-structure stage also reads the page's rules (unruled tables' row lines)
        content = content.model_copy(update={"segments": as_segments(rules)})
        glyphs = PageGlyphs(page, textpage)
        content = split_straddling_words(page, content, grids, glyphs)
        found = page_blocks(content, grids, options.table_engine, glyph_gap_splitter(page, glyphs))
        if options.table_engine == "vl":
            found, vl_problems = _vl_tables(page, found, index + 1, options)
            read.problems.extend(vl_problems)
        return found
    read.scanned_pages += 1
    scanned = _scanned(page, options, budget)
    read.sizes[index + 1] = (round(scanned.width, 2), round(scanned.height, 2))
    read.turns[index + 1] = (scanned.geometry.quarter_turns, scanned.geometry.skew_degrees)
    read.problems.extend(scanned.problems)
    return list(scanned.blocks)
