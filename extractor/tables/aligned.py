"""Tables printed without (full) ruling: columns from the gaps that run through consecutive lines.

Narrative reports, WPS exports and older forms often print a table with no vertical rules, or with no
rules at all. Their words still line up: every row leaves the same empty vertical bands between its
cells. This engine finds runs of text lines that break into several chunks at the same places,
takes those shared gaps as column borders, and groups lines into rows by the horizontal rules where the
page has some, else by the wider gaps between rows than between the lines of one cell.

It works on words with boxes in page points, so the same code serves the text layer of a born-digital
page and the recognised lines of a scan.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from typing import Optional

from pydantic import BaseModel, ConfigDict

from extractor.tables.fill import cell_text
from extractor.text.join import join_lines
from schemas import Cell, Segment, TableBlock, Word
from schemas.records import BBox


class AlignedSettings(BaseModel):
    """How strict the engine is; `auto` uses the strict defaults so that prose never becomes a table."""

    model_config = ConfigDict(frozen=True)

    column_gap: float = 1.2
    """Words further apart than this many line heights belong to different cells."""
    min_columns: int = 3
    """A run of lines is a table only when it shows at least this many columns..."""
    min_rows: int = 3
    """...in at least this many lines of two or more chunks."""
    line_gap: float = 1.6
    """Lines further apart than this many line heights are not one table."""
    spanning_share: float = 0.2
    """A gap stays a column border when at most this share of the lines cross it (spanning headers)."""


STRICT = AlignedSettings()
LOOSE = AlignedSettings(min_columns=2, min_rows=2)


class Chunk(BaseModel):
    """Words of one line that stand together: the text of one cell in that line."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float = 1.0


class _Line(BaseModel):
    words: list[Word]
    chunks: list[Chunk]
    y0: float
    y1: float

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 1.0)


def chunks_of(line: list[Word], column_gap: float, height: float) -> list[Chunk]:
    """Split a line where the gap between two words is wider than `column_gap` text heights."""
    chunks: list[list[Word]] = []
    for word in line:
        if chunks and word.bbox[0] - chunks[-1][-1].bbox[2] <= column_gap * height:
            chunks[-1].append(word)
        else:
            chunks.append([word])
    return [_chunk(words) for words in chunks]


def _chunk(words: list[Word]) -> Chunk:
    """The words' text and extent in one pass (six generator passes per chunk were most of reading lines);
    ties keep the first value, as min and max do."""
    x0, y0, x1, y1 = words[0].bbox
    confidence = words[0].confidence
    for word in words[1:]:
        left, top, right, bottom = word.bbox
        if left < x0:
            x0 = left
        if top < y0:
            y0 = top
        if right > x1:
            x1 = right
        if bottom > y1:
            y1 = bottom
        if word.confidence < confidence:
            confidence = word.confidence
    return Chunk(text=" ".join(w.text for w in words), x0=x0, y0=y0, x1=x1, y1=y1, confidence=confidence)


def text_height(words: list[Word]) -> float:
    """The page's usual height of one printed line (median word height)."""
    heights = sorted(w.bbox[3] - w.bbox[1] for w in words)
    return max(heights[len(heights) // 2], 1.0)


def baseline_lines(words: list[Word], height: float) -> list[list[Word]]:
    """Words printed on one baseline, top to bottom, each line left to right.

    Unlike prose lines, cells of one table row need not share a line: a cell centred beside a
    three-line cell sits on the middle line, so words join a line only when their centres are
    within half a text height of the line's first word.
    """
    lines: list[list[Word]] = []
    anchor = 0.0
    for word in sorted(words, key=lambda w: ((w.bbox[1] + w.bbox[3]) / 2, w.bbox[0])):
        middle = (word.bbox[1] + word.bbox[3]) / 2
        if lines and middle - anchor <= 0.5 * height:
            lines[-1].append(word)
            continue
        lines.append([word])
        anchor = middle
    return [sorted(line, key=lambda w: w.bbox[0]) for line in lines]


def _lines(words: list[Word], settings: AlignedSettings) -> list[_Line]:
    height = text_height(words)
    lines = []
    for line in baseline_lines(words, height):
        chunks = chunks_of(line, settings.column_gap, height)
        lines.append(_Line(words=line, chunks=chunks, y0=min(c.y0 for c in chunks), y1=max(c.y1 for c in chunks)))
    return lines


def _runs(lines: list[_Line], settings: AlignedSettings) -> list[list[_Line]]:
    """Maximal runs of lines close enough to be one table; single-chunk lines may sit inside a run
    (a wrapped cell) but never start or end one."""
    runs: list[list[_Line]] = []
    current: list[_Line] = []
    for line in lines:
        close = (
            bool(current) and line.y0 - current[-1].y1 <= settings.line_gap * line.height and _same_type(line, current)
        )
        if len(line.chunks) >= 2:
            if not close:
                current = []
                runs.append(current)
            current.append(line)
        elif close and not _caption(line, current):
            current.append(line)
        else:
            current = []

    trimmed = []
    for run in runs:
        while run and len(run[-1].chunks) < 2:
            run.pop()
        trimmed.append(run)
    return trimmed


def _same_type(line: _Line, run: list[_Line]) -> bool:
    """A line printed in a type clearly larger than the run's (the body text of a signature line under a
    table) is not part of it. Larger than every word of the run: a recognised line's box on a scan may
    stand taller than the usual line (a short word's box reaching into the line above), and such a box
    is no larger type while the run holds one as tall."""
    tallest = max(w.bbox[3] - w.bbox[1] for other in run for w in other.words)
    return text_height(line.words) <= 1.25 * max(tallest, 1.0)


def _caption(line: _Line, run: list[_Line]) -> bool:
    """A lone line centred over the run and standing apart from it: the title of the next table, which
    ends this one (a wrapped cell's next line touches the line above it)."""
    if not run or line.y0 - run[-1].y1 < 0.3 * line.height:
        return False
    chunk = line.chunks[0]
    left = min(w.bbox[0] for other in run for w in other.words)
    right = max(w.bbox[2] for other in run for w in other.words)
    width = right - left
    middle = (chunk.x0 + chunk.x1) / 2
    return abs(middle - (left + right) / 2) <= 0.03 * width and chunk.x1 - chunk.x0 < 0.8 * width


class _Band(BaseModel):
    """A vertical band left empty by several rows: a column border candidate."""

    x0: float
    x1: float
    rows: set[int]


def _row_gaps(lines: list[_Line], height: float) -> list[tuple[float, float]]:
    """The empty x ranges between the words of one row (all its lines), at least half a text height wide."""
    spans = sorted((w.bbox[0], w.bbox[2]) for line in lines for w in line.words)
    gaps = []
    reach = spans[0][1]
    for x0, x1 in spans[1:]:
        if x0 - reach >= 0.5 * height:
            gaps.append((reach, x0))
        reach = max(reach, x1)
    return gaps


def column_borders(rows: list[list[_Line]], height: float) -> list[tuple[float, float]]:
    """The empty vertical bands (x from, x to) between columns, left to right.

    Each row leaves gaps between its cells. Narrow gaps are taken first and fix a border precisely;
    a wider gap of a sparse row only adds its support to the borders it contains. A border needs two
    rows that print on both of its sides; a cell of another row printed across it (a header spanning
    sub-columns, a block of the form with other columns) spans the columns instead of removing it.
    """
    gaps = [(x0, x1, index) for index, lines in enumerate(rows) for x0, x1 in _row_gaps(lines, height)]
    bands: list[_Band] = []
    for x0, x1, row in sorted(gaps, key=lambda g: g[1] - g[0]):
        touched = [band for band in bands if band.x0 < x1 and x0 < band.x1]
        for band in touched:
            band.rows.add(row)
            start, end = max(band.x0, x0), min(band.x1, x1)
            if end - start >= 0.5 * height:
                band.x0, band.x1 = start, end
        if not touched:
            bands.append(_Band(x0=x0, x1=x1, rows={row}))
    words = [w.bbox for lines in rows for line in lines for w in line.words]
    # Two rows must print on both sides of a border; one row suffices where it leaves a gap of two text
    # heights (a header over a column nobody filled in), never found inside one cell's text.
    kept = [band for band in bands if len(band.rows) >= 2 or band.x1 - band.x0 >= 2 * height]
    return _separating(sorted(_cut(band, words) for band in kept), rows)


def _separating(borders: list[tuple[float, float]], rows: list[list[_Line]]) -> list[tuple[float, float]]:
    """The borders that separate two printed cells in some row, the weakest others dropped one by one.

    Rows printed with different alignments leave gaps that overlap away from any real border (a header
    flush left in its column above figures centred in theirs): a border there has, in every row, print on
    one side of it only, and the columns it would make never both hold a cell of one row.
    """
    borders = list(borders)
    while borders:
        support = [0] * len(borders)
        for lines in rows:
            ends = {_column_of(w.bbox[2] - 0.5, borders) for line in lines for w in line.words}
            starts = {_column_of(w.bbox[0] + 0.5, borders) for line in lines for w in line.words}
            for index in range(len(borders)):
                if index in ends and index + 1 in starts:
                    support[index] += 1
        weakest = min(range(len(borders)), key=lambda index: support[index])
        if support[weakest] > 0:
            break
        del borders[weakest]
    return borders


def _cut(band: _Band, words: list[BBox]) -> tuple[float, float]:
    """Where inside a band the border runs: the place that cuts through the fewest words (a header
    printed tighter than the body leaves a narrower gap inside the band), nearest the band's middle."""
    middle = (band.x0 + band.x1) / 2
    inside = [b for b in words if b[0] < band.x1 and band.x0 < b[2]]
    if not inside:
        return band.x0, band.x1
    places = [band.x0 + 0.5, band.x1 - 0.5, middle] + [x for b in inside for x in (b[0] - 0.5, b[2] + 0.5)]
    places = [x for x in places if band.x0 <= x <= band.x1]

    def cost(x: float) -> tuple[int, float]:
        return sum(1 for b in inside if b[0] < x < b[2]), abs(x - middle)

    best = min(places, key=cost)
    return best, best


def _column_of(x: float, borders: list[tuple[float, float]]) -> int:
    return sum(1 for b in borders if x > (b[0] + b[1]) / 2)


class Rule(BaseModel):
    """A horizontal rule inside a table: its height and the x ranges it is drawn over."""

    y: float
    spans: list[tuple[float, float]]

    def covers(self, x: float) -> bool:
        return any(x0 - 0.5 <= x <= x1 + 0.5 for x0, x1 in self.spans)


class Span(BaseModel):
    """The words of a cell printed across the gaps between rows (a side label centred over several rows)."""

    first: int
    last: int
    words: list[Word]


class Banding(BaseModel):
    """A table's lines grouped into rows."""

    rows: list[list[_Line]]
    dividers: list[Rule] = []
    """The rule under each row but the last, where rules divide the rows."""
    spans: list[Span] = []
    """Cells printed across the gaps between rows."""
    beside: list[Span] = []
    """Side labels inside one row, with the rows they stand beside: where their column shows."""


def _row_bands(run: list[_Line], rules: list[Rule], height: float) -> Banding:
    """Lines grouped into rows.

    Between horizontal rules where the table has them inside its body, else split where the gap
    between the cells of one row and the next is clearly wider than the gap between lines of one cell.
    """
    top, bottom = run[0].y0, run[-1].y1
    inner = [rule for rule in rules if top < rule.y < bottom]
    if inner:
        rows: list[list[_Line]] = [[] for _ in range(len(inner) + 1)]
        for line in run:
            middle = (line.y0 + line.y1) / 2
            rows[sum(1 for rule in inner if rule.y < middle)].append(line)
        kept = [index for index, row in enumerate(rows) if row]
        return Banding(rows=[rows[index] for index in kept], dividers=[inner[index] for index in kept[:-1]])
    if len(run) < 2:
        return Banding(rows=[run])
    words = [w for line in run for w in line.words]
    pad = _padding(words, height)
    gap = _row_gap(words, height, pad)
    blocks = text_blocks_of(words, height, gap)
    height -= 2 * pad
    ranges = {id(block): _side_label(block, blocks, height) for block in blocks}
    cuts = _block_cuts([b for b in blocks if ranges[id(b)] is None] or blocks, gap)
    if not cuts:  # lines evenly and tightly spaced: every line of several cells starts a row
        rows = [[run[0]]]
        for line in run[1:]:
            if len(line.chunks) >= 2:
                rows.append([line])
            else:
                rows[-1].append(line)
        return Banding(rows=rows)
    banded: list[list[Word]] = [[] for _ in range(len(cuts) + 1)]
    spans: list[Span] = []
    beside: list[Span] = []
    edges = [float("-inf"), *cuts, float("inf")]
    for block in blocks:
        first = sum(1 for y in cuts if y < block.y0)
        last = sum(1 for y in cuts if y < block.y1)
        if first != last:
            spans.append(Span(first=first, last=last, words=block.words))
            continue
        banded[first].extend(block.words)
        free = ranges[id(block)]
        if free is not None:
            inside = [i for i in range(len(cuts) + 1) if free[0] <= edges[i] and edges[i + 1] <= free[1]]
            if inside:
                beside.append(Span(first=min(inside + [first]), last=max(inside + [first]), words=block.words))
    kept = [index for index, words in enumerate(banded) if words]

    def renumbered(span: Span) -> Optional[Span]:
        inside = [new for new, index in enumerate(kept) if span.first <= index <= span.last]
        return Span(first=inside[0], last=inside[-1], words=span.words) if inside else None

    return Banding(
        rows=[_as_lines(banded[index], height) for index in kept],
        spans=[s for s in map(renumbered, spans) if s is not None],
        beside=[s for s in map(renumbered, beside) if s is not None],
    )


class TextBlock(BaseModel):
    """Words that stand together as the text of one cell: one line's words a space apart, and the lines
    below them that touch them and overlap them sideways."""

    words: list[Word]
    x0: float
    y0: float
    x1: float
    y1: float


def text_blocks_of(words: list[Word], height: float, gap: Optional[float] = None) -> list[TextBlock]:
    """The blocks of cell text among `words`, their extents on the words' inked heights (see `_padding`);
    lines further apart than `gap` (`_row_gap`'s default when None) are in different cells."""
    pad = _padding(words, height)
    if gap is None:
        gap = _row_gap(words, height, pad)
    boxes = {id(w): (w.bbox[0], w.bbox[1] + pad, w.bbox[2], w.bbox[3] - pad) for w in words}
    height -= 2 * pad
    ordered = sorted(words, key=lambda w: (w.bbox[1], w.bbox[0]))
    parent = list(range(len(ordered)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(ordered):
        for j in range(i + 1, len(ordered)):
            b = ordered[j]
            if b.bbox[1] > a.bbox[3] + height:
                break
            if _together(boxes[id(a)], boxes[id(b)], height, gap):
                parent[root(j)] = root(i)
    groups: dict[int, list[Word]] = {}
    for i, word in enumerate(ordered):
        groups.setdefault(root(i), []).append(word)
    return [
        TextBlock(
            words=group,
            x0=min(boxes[id(w)][0] for w in group),
            y0=min(boxes[id(w)][1] for w in group),
            x1=max(boxes[id(w)][2] for w in group),
            y1=max(boxes[id(w)][3] for w in group),
        )
        for group in groups.values()
    ]


def _padding(words: list[Word], height: float) -> float:
    """How far word boxes reach above and below their ink: half the usual overlap of the boxes of
    consecutive lines of one cell. Recognised line boxes of a scan are padded so that those overlap by
    a fifth of a line, which would close the gaps between rows; text-layer boxes barely touch (≈ 0)."""
    overlaps = []
    # Only words whose top lies within half a line above `a`'s bottom can overlap it from below: words
    # sorted by top once and looked up by binary search (every pair was tried; the test below decides,
    # and the median does not depend on the order the overlaps are found in).
    tops = sorted(range(len(words)), key=lambda index: words[index].bbox[1])
    top_values = [words[index].bbox[1] for index in tops]
    for a in words:
        slack = 1e-6 * (1.0 + abs(height) + abs(a.bbox[3]))  # a hair wider than the test, which decides
        low = bisect_left(top_values, a.bbox[3] - 0.5 * height - slack)
        high = bisect_right(top_values, a.bbox[3] + slack)
        for b in (words[index] for index in tops[low:high]):
            gap = b.bbox[1] - a.bbox[3]
            lower = (b.bbox[1] + b.bbox[3]) / 2 - (a.bbox[1] + a.bbox[3]) / 2 >= 0.5 * height
            if lower and -0.5 * height < gap < 0 and min(a.bbox[2], b.bbox[2]) > max(a.bbox[0], b.bbox[0]):
                overlaps.append(-gap)
    if len(overlaps) < 3:
        return 0.0
    return round(sorted(overlaps)[len(overlaps) // 2] / 2, 2)


def _row_gap(words: list[Word], height: float, pad: float) -> float:
    """The widest gap between two lines of one cell, on the words' inked heights: a quarter of a line,
    or less where the table shows its rows closer than that.

    A figure (an amount, a score, a rate) is printed on one line of its cell and a cell holds one, so
    two figures stacked in one column on consecutive lines are in two rows, and the gap between them
    is a gap between rows. A scan of a table whose cells all fit one line can print its rows a few
    points apart, closer than a quarter of a line; half the narrowest such gap then bounds the gaps
    inside a cell (on a scan those are overlaps, see `_padding`), leaving room for the rows whose
    boxes reach further (a header's or a total's bolder print).
    """
    usual = 0.25 * (height - 2 * pad)
    lines = baseline_lines(words, height)
    stacked = [
        (b.bbox[1] + pad) - (a.bbox[3] - pad)
        for upper, lower in zip(lines, lines[1:])
        for a in upper
        if _FIGURE.match(a.text)
        for b in lower
        if _FIGURE.match(b.text) and min(a.bbox[2], b.bbox[2]) > max(a.bbox[0], b.bbox[0])
    ]
    narrowest = min((g for g in stacked if g > 0), default=usual)
    return min(usual, 0.5 * narrowest)


def _together(a: BBox, b: BBox, height: float, gap: float) -> bool:
    """Two words of one cell: side by side on one line a space apart, or on consecutive lines of it."""
    upper, lower = (a, b) if a[1] + a[3] <= b[1] + b[3] else (b, a)
    if (lower[1] + lower[3]) / 2 - (upper[1] + upper[3]) / 2 < 0.5 * height:  # one line
        return max(a[0], b[0]) - min(a[2], b[2]) < 0.5 * height
    overlap = min(a[2], b[2]) - max(a[0], b[0])
    return overlap > 0 and -0.5 * height < lower[1] - upper[3] <= gap


def _side_label(block: TextBlock, blocks: list[TextBlock], height: float) -> Optional[tuple[float, float]]:
    """Where a side label is free to span: the heights between the blocks above and below it in its own
    column, when another column lists two rows or more in between (a merged cell centred beside them). Such
    a label may sit anywhere across a gap between those rows, so it does not show where rows run; it is
    placed once they are known. None for any other block."""
    # Its column reaches half a text height either side: a header printed flush left above figures
    # centred under it has them within that reach, and is no side label.
    if _FIGURE.match(" ".join(w.text for w in block.words)):
        return None  # a figure is a value of its own row, never a label over others
    column = [b for b in blocks if b is not block and _x_overlap(b, block, 0.5 * height)]
    top = max((b.y1 for b in column if b.y1 <= block.y0 + 0.5), default=float("-inf"))
    bottom = min((b.y0 for b in column if b.y0 >= block.y1 - 0.5), default=float("inf"))
    beside = sorted((b for b in blocks if b is not block and top <= b.y0 and b.y1 <= bottom), key=lambda b: b.y0)
    listed = any(
        _aligned(upper, lower, height) and upper.y1 < lower.y0
        for i, upper in enumerate(beside)
        for lower in beside[i + 1 :]
    )
    return (top, bottom) if listed else None


def _aligned(a: TextBlock, b: TextBlock, height: float) -> bool:
    """Two blocks of one column: printed flush left, centred or flush right on each other."""
    return (
        abs(a.x0 - b.x0) <= 0.5 * height
        or abs(a.x1 - b.x1) <= 0.5 * height
        or abs((a.x0 + a.x1) - (b.x0 + b.x1)) <= height
    )


def _x_overlap(a: TextBlock, b: TextBlock, reach: float = 0.0) -> bool:
    return min(a.x1, b.x1) + reach > max(a.x0, b.x0)


def _block_cuts(blocks: list[TextBlock], gap: float) -> list[float]:
    """Heights where one row ends and the next begins, on a table printed without rules.

    Under a block, the empty band down to the next blocks must be wider than the spacing of the lines
    inside one cell. A block printed right across that band (a side label centred over several rows)
    does not close it; one that ends or starts inside it (a taller cell of the same row) does.
    """
    left, right = min(b.x0 for b in blocks), max(b.x1 for b in blocks)
    cuts: dict[tuple[float, float], float] = {}
    for y in sorted({b.y1 for b in blocks}):
        crossing = [b for b in blocks if b.y0 + 0.5 < y < b.y1 - 0.5]
        rest = [b for b in blocks if not (b.y0 + 0.5 < y < b.y1 - 0.5)]
        above = max((b.y1 for b in rest if b.y1 <= y + 0.5), default=None)
        below = min((b.y0 for b in rest if b.y0 >= y - 0.5), default=None)
        if above is None or below is None or below - above <= gap:
            continue
        if any(b.y0 > above + 0.5 or b.y1 < below - 0.5 for b in crossing):
            continue
        if sum(b.x1 - b.x0 for b in crossing) > 0.5 * (right - left):
            continue
        cuts[(round(above, 2), round(below, 2))] = (above + below) / 2
    return sorted(cuts.values())


def _with_spans(rows: list[list[_Line]], spans: list[Span], beside: list[Span], height: float) -> list[list[_Line]]:
    """The rows with the words of the cells spanning them: a side label leaves a gap beside every row it
    spans, which is what shows its column. A label inside one row counts beside the rows around it only
    where they leave its width empty and print nothing left of it but other side labels: side labels head
    the rows (a header flush left above figures centred under it is none)."""
    lines = [list(row) for row in rows]
    for span in spans:
        for row in lines[span.first : span.last + 1]:
            row.extend(_as_lines(span.words, height))
    labels = {id(w) for span in [*spans, *beside] for w in span.words}
    for span in beside:
        x0, x1 = min(w.bbox[0] for w in span.words), max(w.bbox[2] for w in span.words)
        for index in range(span.first, span.last + 1):
            printed = [w for line in rows[index] for w in line.words if id(w) not in labels]
            near = any(w.bbox[0] < x1 + 0.5 * height and x0 - 0.5 * height < w.bbox[2] for w in printed)
            if not near and all(w.bbox[0] > x1 for w in printed):
                lines[index].extend(_as_lines(span.words, height))
    return lines


def _as_lines(words: list[Word], height: float) -> list[_Line]:
    lines = []
    for line in baseline_lines(words, height):
        chunks = chunks_of(line, STRICT.column_gap, height)
        lines.append(_Line(words=line, chunks=chunks, y0=min(c.y0 for c in chunks), y1=max(c.y1 for c in chunks)))
    return lines


def _horizontal_rules(segments: list[Segment], x0: float, x1: float) -> list[Rule]:
    """Horizontal rules across at least a quarter of the table (a rule may stop at merged cells), with the
    ranges each covers."""
    width = x1 - x0
    by_y: dict[float, list[tuple[float, float]]] = {}
    for s in segments:
        if not s.horizontal:
            continue
        left, right = max(min(s.x0, s.x1), x0 - 2), min(max(s.x0, s.x1), x1 + 2)
        if right > left:
            by_y.setdefault(round((s.y0 + s.y1) / 2, 1), []).append((left, right))
    rules = []
    for y, spans in sorted(by_y.items()):
        if sum(r - left for left, r in spans) >= 0.25 * width:
            rules.append(Rule(y=y, spans=sorted(spans)))
    return rules


def _bbox(boxes: list[BBox]) -> BBox:
    return (
        round(min(b[0] for b in boxes), 2),
        round(min(b[1] for b in boxes), 2),
        round(max(b[2] for b in boxes), 2),
        round(max(b[3] for b in boxes), 2),
    )


def _row_cells(lines: list[_Line], row: int, borders: list[tuple[float, float]], page: int) -> list[Cell]:
    """The cells of one row: its words put in the columns they cover; empty cells fill the gaps.

    Words that start in one column and run across a border make a cell spanning those columns
    (a header over several sub-headers); a word never lands in a column a wider cell already holds.
    """
    n_cols = len(borders) + 1
    placed: list[tuple[int, int, Word]] = []
    for line in lines:
        for word in line.words:
            first, last = _column_of(word.bbox[0] + 0.5, borders), _column_of(word.bbox[2] - 0.5, borders)
            placed.append((first, last, word))
    spans: list[tuple[int, int]] = []
    for first, last, _ in sorted(placed, key=lambda p: (p[0], -p[1])):
        if any(a <= first <= b for a, b in spans):
            continue
        spans.append((first, last))
    cells: list[Cell] = []
    for first, last in spans:
        words = [w for f, _, w in placed if first <= f <= last]
        cells.append(
            Cell(
                row=row,
                col=first,
                col_span=last - first + 1,
                text=cell_text(words),
                page=page,
                bbox=_bbox([w.bbox for w in words]),
                confidence=round(min(w.confidence for w in words), 4),
            )
        )
    taken = {col for first, last in spans for col in range(first, last + 1)}
    cells += [Cell(row=row, col=col, text="", page=page) for col in range(n_cols) if col not in taken]
    return cells


def _merge_down(cells: list[Cell], dividers: list[Rule], centres: list[float]) -> list[Cell]:
    """Where a rule between two rows is not drawn over a cell, the cell continues into the row below
    (a merged cell of a form ruled with horizontal lines only): the cells below it that lie within its
    columns become part of it."""
    alive = sorted(cells, key=lambda c: (c.row, c.col))
    for boundary, rule in enumerate(dividers):
        for col, centre in enumerate(centres):
            if rule.covers(centre):
                continue
            above = next(
                (c for c in alive if c.row <= boundary < c.row + c.row_span and c.col <= col < c.col + c.col_span), None
            )
            if above is None or above.row + above.row_span != boundary + 1:
                continue
            inside = [
                c
                for c in alive
                if c.row == boundary + 1 and above.col <= c.col and c.col + c.col_span <= above.col + above.col_span
            ]
            if sum(c.col_span for c in inside) != above.col_span or len({c.row_span for c in inside}) != 1:
                continue  # the row below divides differently: not one merged cell
            above.row_span += inside[0].row_span
            above.text = join_lines([t for t in (above.text, *(c.text for c in inside)) if t])
            boxes = [b for b in (above.bbox, *(c.bbox for c in inside)) if b is not None]
            above.bbox = _bbox(boxes) if boxes else None
            above.confidence = min([above.confidence, *(c.confidence for c in inside)])
            alive = [c for c in alive if all(c is not other for other in inside)]
    return alive


_FIGURE = re.compile(r"^[-+−—–]?[\d.,，%％\s]+$")
CENTRED = 0.12
"""A label whose middle lies within this share of a span's width from the span's middle is centred on it."""
CENTRED_ROWS = 0.3
"""A label spanning rows has its middle within this share of the height of the first or last row it spans
from the middle of those rows."""


def _widen_centred(cells: list[Cell], edges: list[float]) -> list[Cell]:
    """A label printed centred over empty neighbours is one cell spanning them (a merged header or side
    label whose borders were not drawn): widened to the widest such span. A figure is widened only to the
    columns of the cell above it, when those columns are empty beside it (a value under a merged header);
    else it belongs to the column it stands in."""
    by_row: dict[int, dict[int, Cell]] = {}
    for cell in cells:
        by_row.setdefault(cell.row, {})[cell.col] = cell
    for index in sorted(by_row):
        row = by_row[index]
        for cell in sorted(row.values(), key=lambda c: c.col):
            if not cell.text or cell.bbox is None:
                continue
            if _FIGURE.match(cell.text):
                span = _header_span(cell, row, by_row)
            else:
                span = _centred_span(cell, row, edges)
            if span is None:
                continue
            for col in range(span[0], span[1] + 1):
                if col != cell.col:
                    row.pop(col, None)
            del row[cell.col]
            cell.col, cell.col_span = span[0], span[1] - span[0] + 1
            row[cell.col] = cell
    return sorted((c for row in by_row.values() for c in row.values()), key=lambda c: (c.row, c.col))


def _header_span(cell: Cell, row: dict[int, Cell], by_row: dict[int, dict[int, Cell]]) -> Optional[tuple[int, int]]:
    """The columns of the nearest printed cell above `cell` in its column, when they are wider than the
    cell's own and the others are empty in its row."""
    for above in range(cell.row - 1, -1, -1):
        over = next(
            (
                c
                for c in by_row.get(above, {}).values()
                if c.text and c.col <= cell.col < c.col + c.col_span and c.row + c.row_span <= cell.row
            ),
            None,
        )
        if over is None:
            continue
        first, last = over.col, over.col + over.col_span - 1
        own = (cell.col, cell.col + cell.col_span - 1)
        if (first, last) == own or not (first <= own[0] and own[1] <= last):
            return None
        others = [col for col in range(first, last + 1) if not own[0] <= col <= own[1]]
        return (first, last) if all(_empty(row.get(col)) for col in others) else None
    return None


def _centred_span(cell: Cell, row: dict[int, Cell], edges: list[float]) -> Optional[tuple[int, int]]:
    """The widest run of columns (the cell's own and empty neighbours) whose middle is the text's middle."""
    assert cell.bbox is not None
    middle = (cell.bbox[0] + cell.bbox[2]) / 2
    own = (cell.col, cell.col + cell.col_span - 1)
    best: Optional[tuple[int, int]] = None
    first = own[0]
    while first >= 0:
        last = own[1]
        while True:
            left, right = edges[first], edges[last + 1]
            wider = (first, last) != own and (best is None or last - first > best[1] - best[0])
            if wider and abs(middle - (left + right) / 2) <= CENTRED * (right - left):
                best = (first, last)
            if last + 2 >= len(edges) or not _empty(row.get(last + 1)):
                break
            last += 1
        if first == 0 or not _empty(row.get(first - 1)):
            break
        first -= 1
    return best


def _empty(cell: Optional[Cell]) -> bool:
    return cell is not None and not cell.text and cell.row_span == 1 and cell.col_span == 1


def _table(
    run: list[_Line],
    rows: list[list[_Line]],
    dividers: list[Rule],
    borders: list[tuple[float, float]],
    page: int,
    spans: list[Span],
) -> TableBlock:
    spans = _placeable(spans, rows, borders)
    cells = [cell for index, lines in enumerate(rows) for cell in _row_cells(lines, index, borders, page)]
    cells = _span_cells(cells, spans, borders, page)
    bbox = _bbox([w.bbox for line in run for w in line.words])
    edges = [bbox[0], *[round((a + b) / 2, 2) for a, b in borders], bbox[2]]
    centres = [(a + b) / 2 for a, b in zip(edges, edges[1:])]
    cells = _merge_down(cells, dividers, centres)
    if not dividers:
        cells = _widen_rows(cells, _row_edges(rows), len(borders) + 1)
    cells = _widen_centred(cells, edges)

    return TableBlock(
        cells=cells,
        n_rows=len(rows),
        n_cols=len(borders) + 1,
        pages=[page],
        bbox=bbox,
        last_bbox=bbox,
        column_edges=edges,
        engine="aligned",
    )


def _columns_of(words: list[Word], borders: list[tuple[float, float]]) -> tuple[int, int]:
    return (
        min(_column_of(w.bbox[0] + 0.5, borders) for w in words),
        max(_column_of(w.bbox[2] - 0.5, borders) for w in words),
    )


def _placeable(spans: list[Span], rows: list[list[_Line]], borders: list[tuple[float, float]]) -> list[Span]:
    """The spanning cells whose columns the rows they cross leave empty; the words of any other are put
    back into the row that holds their middle (the rows there are not divided the way the cut says)."""
    kept = []
    for span in spans:
        first, last = _columns_of(span.words, borders)
        clash = any(
            first <= _column_of(w.bbox[2] - 0.5, borders) and _column_of(w.bbox[0] + 0.5, borders) <= last
            for row in rows[span.first : span.last + 1]
            for line in row
            for w in line.words
        )
        if not clash:
            kept.append(span)
            continue
        middle = (min(w.bbox[1] for w in span.words) + max(w.bbox[3] for w in span.words)) / 2
        tops = [min(line.y0 for line in row) for row in rows]
        target = max(0, sum(1 for top in tops if top <= middle) - 1)
        rows[target].append(_Line(words=span.words, chunks=[], y0=tops[target], y1=tops[target]))
    return kept


def _span_cells(cells: list[Cell], spans: list[Span], borders: list[tuple[float, float]], page: int) -> list[Cell]:
    """Each spanning cell in place of the empty cells it covers."""
    for span in spans:
        first, last = _columns_of(span.words, borders)
        cells = [c for c in cells if not (span.first <= c.row <= span.last and first <= c.col <= last and not c.text)]
        cells.append(
            Cell(
                row=span.first,
                col=first,
                row_span=span.last - span.first + 1,
                col_span=last - first + 1,
                text=cell_text(span.words),
                page=page,
                bbox=_bbox([w.bbox for w in span.words]),
                confidence=round(min(w.confidence for w in span.words), 4),
            )
        )
    return sorted(cells, key=lambda c: (c.row, c.col))


def _row_edges(rows: list[list[_Line]]) -> list[float]:
    """Where each row starts and the last one ends: halfway between the text of consecutive rows."""
    tops = [min(w.bbox[1] for line in row for w in line.words) for row in rows]
    bottoms = [max(w.bbox[3] for line in row for w in line.words) for row in rows]
    return [tops[0], *[(b + t) / 2 for b, t in zip(bottoms, tops[1:])], bottoms[-1]]


def _widen_rows(cells: list[Cell], edges: list[float], n_cols: int) -> list[Cell]:
    """A label printed centred beside empty cells above and below it is one cell spanning those rows (a
    merged side label whose borders were not drawn), when a column to its right lists every one of those
    rows. Figures are never widened."""
    covering: dict[tuple[int, int], Cell] = {}
    for cell in cells:
        for row in range(cell.row, cell.row + cell.row_span):
            for col in range(cell.col, cell.col + cell.col_span):
                covering[(row, col)] = cell
    for cell in sorted(cells, key=lambda c: (-c.col, c.row)):
        if not cell.text or cell.bbox is None or _FIGURE.match(cell.text):
            continue
        span = _centred_rows(cell, covering, edges, n_cols)
        if span is None:
            continue
        gone = [covering[(row, col)] for row in range(span[0], span[1] + 1) for col in _cols(cell)]
        gone = [c for c in gone if c is not cell]
        cells = [c for c in cells if all(c is not other for other in gone)]
        cell.row, cell.row_span = span[0], span[1] - span[0] + 1
        for row in range(span[0], span[1] + 1):
            for col in _cols(cell):
                covering[(row, col)] = cell
    return sorted(cells, key=lambda c: (c.row, c.col))


def _cols(cell: Cell) -> range:
    return range(cell.col, cell.col + cell.col_span)


def _centred_rows(
    cell: Cell, covering: dict[tuple[int, int], Cell], edges: list[float], n_cols: int
) -> Optional[tuple[int, int]]:
    """The widest run of rows (the cell's own and empty ones above and below) whose middle is the text's."""
    assert cell.bbox is not None
    middle = (cell.bbox[1] + cell.bbox[3]) / 2
    n_rows = len(edges) - 1

    def empty(row: int) -> bool:
        return all(_empty(covering.get((row, col))) for col in _cols(cell))

    def listed(first: int, last: int) -> bool:
        """A column to the right lists every row, and no figure stands to the left in them: merged side
        labels head the rows they group; a remark printed beside the figures belongs to its own row."""
        rows = range(first, last + 1)
        figures = any(
            (c := covering.get((row, col))) is not None and _FIGURE.match(c.text) is not None
            for row in rows
            for col in range(cell.col)
        )
        return not figures and any(
            all((c := covering.get((row, col))) is not None and c.text for row in rows)
            for col in range(cell.col + cell.col_span, n_cols)
        )

    own = (cell.row, cell.row + cell.row_span - 1)
    best: Optional[tuple[int, int]] = None
    first = own[0]
    while first >= 0:
        last = own[1]
        while True:
            top, bottom = edges[first], edges[last + 1]
            wider = (first, last) != own and (best is None or last - first > best[1] - best[0])
            # Adding a row on one side moves the span's middle by half that row: a tolerance under that
            # keeps the span symmetric about the text.
            tolerance = CENTRED_ROWS * min(edges[first + 1] - top, bottom - edges[last])
            if wider and abs(middle - (top + bottom) / 2) <= tolerance and listed(first, last):
                best = (first, last)
            if last + 1 >= n_rows or not empty(last + 1):
                break
            last += 1
        if first == 0 or not empty(first - 1):
            break
        first -= 1
    return best


def _extend(run: list[_Line], lines: list[_Line], rules: list[Rule], height: float) -> list[_Line]:
    """The run with the lines above and below it that belong to its first and last rows.

    A header cell broken over lines starts above the row's other cells, and a tight header may not
    break into chunks at all. Where the table is ruled, every line up to the rule above the run (and
    down to the rule below) is part of it; else only lines that touch the run as the lines of one cell do.
    """
    ruled = [r.y for r in rules if run[0].y0 - height < r.y < run[-1].y1]
    closed = any(run[-1].y1 <= r.y < run[-1].y1 + 10 * height for r in rules)
    if len(ruled) >= 3 and not closed:  # rules between its rows and none under its last line: the table
        # ended at its lowest rule, and what follows (a signature line) is not a row. With fewer rules
        # (a header rule only) rows run on below them.
        run = [line for line in run if (line.y0 + line.y1) / 2 < ruled[-1]] or run

    first, last = lines.index(run[0]), lines.index(run[-1])

    above = [r.y for r in rules if run[0].y0 - 3 * height <= r.y <= run[0].y0]
    below = [r.y for r in rules if run[-1].y1 <= r.y <= run[-1].y1 + 3 * height]
    while first > 0:
        line = lines[first - 1]
        inside = line.y0 >= max(above) if above else run[0].y0 - line.y1 < 0.3 * height
        if not inside:
            break
        first -= 1
        run = [line, *run]
    while last + 1 < len(lines):
        line = lines[last + 1]
        inside = line.y1 <= min(below) if below else line.y0 - run[-1].y1 < 0.3 * height
        if not inside:
            break
        last += 1
        run = [*run, line]
    return run


def _is_table(rows: list[list[_Line]], borders: list[tuple[float, float]], settings: AlignedSettings) -> bool:
    if len(borders) + 1 < settings.min_columns:
        return False
    spread = [
        line
        for lines in rows
        for line in lines
        if len({_column_of((w.bbox[0] + w.bbox[2]) / 2, borders) for w in line.words}) >= 2
    ]
    return len(spread) >= settings.min_rows  # printed lines, not rows: rules may group lines into few rows


Refine = Callable[[list[Word]], list[Word]]
"""Re-reads words at a finer grain (a text layer that glued two cells' texts into one word)."""


def aligned_tables(
    words: list[Word],
    page: int,
    segments: Optional[list[Segment]] = None,
    settings: AlignedSettings = STRICT,
    refine: Optional[Refine] = None,
) -> tuple[list[TableBlock], list[Word]]:
    """Tables found by alignment among `words`, and the words that belong to none of them.

    `refine`, when given, re-reads the words of each table found (only those: prose keeps its words).
    """
    if not words:
        return [], []
    height = text_height(words)
    lines = _lines(words, settings)
    tables: list[TableBlock] = []
    used: list[BBox] = []
    for found in _runs(lines, settings):
        if not found:
            continue
        x0 = min(w.bbox[0] for line in found for w in line.words)
        x1 = max(w.bbox[2] for line in found for w in line.words)
        rules = _horizontal_rules(segments or [], x0, x1)
        run = _extend(found, lines, rules, height)
        if refine is not None:
            run = _lines(refine([w for line in run for w in line.words]), settings)
        banding = _row_bands(run, rules, height)
        rows, dividers, spans = banding.rows, banding.dividers, banding.spans
        borders = column_borders(_with_spans(rows, spans, banding.beside, height), height)
        if not _is_table(rows, borders, settings):
            continue
        table = _table(run, rows, dividers, borders, page, spans)
        tables.append(table)
        assert table.bbox is not None
        used.append(table.bbox)
    rest = [w for w in words if not any(_inside(w.bbox, box) for box in used)]
    return tables, rest


def _inside(word: BBox, box: BBox) -> bool:
    x, y = (word[0] + word[2]) / 2, (word[1] + word[3]) / 2
    return box[0] - 0.5 <= x <= box[2] + 0.5 and box[1] - 0.5 <= y <= box[3] + 0.5


def onto_columns(part: TableBlock, before: TableBlock) -> TableBlock:
    """`part` re-read on the columns of `before`, when both were found by alignment.

    The part of an unruled table on the next page leaves other columns empty (a side label printed on
    the first page, a remarks column nobody filled), so alignment finds fewer borders there. When every
    printed cell of `part` fits inside one column of `before` (or spans whole columns of it), the part is
    the same table: its cells are placed on `before`'s columns so that stitching can join them.
    Otherwise `part` is returned as it is.
    """
    if part.engine != "aligned" or before.engine != "aligned" or len(before.column_edges) < 2:
        return part
    borders = [(x, x) for x in before.column_edges[1:-1]]
    printed = [c for c in part.cells if c.text and c.bbox is not None]
    if not printed:
        return part
    placed: dict[tuple[int, int], Cell] = {}
    for cell in printed:
        assert cell.bbox is not None
        inset = min(3.0, (cell.bbox[2] - cell.bbox[0]) / 4)  # recognised boxes wander a point or two
        first, last = _column_of(cell.bbox[0] + inset, borders), _column_of(cell.bbox[2] - inset, borders)
        key = (cell.row, first)

        if key in placed:
            return part  # two cells of one row in one column: not the same columns
        placed[key] = cell.model_copy(update={"col": first, "col_span": last - first + 1})
    taken = {(r, col) for (r, first), c in placed.items() for col in range(first, first + c.col_span)}
    if len(taken) != sum(c.col_span for c in placed.values()):
        return part  # overlapping spans
    n_cols = len(before.column_edges) - 1
    cells = list(placed.values()) + [
        Cell(row=row, col=col, text="", page=part.pages[0])
        for row in range(part.n_rows)
        for col in range(n_cols)
        if (row, col) not in taken
    ]
    cells.sort(key=lambda c: (c.row, c.col))
    return part.model_copy(update={"cells": cells, "n_cols": n_cols, "column_edges": before.column_edges})
