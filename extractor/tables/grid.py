"""Ruled tables from ruling lines: segments → grids of cells with row/col spans.

Shared by born-digital pages (vector lines) and scanned pages (lines found by
OpenCV): both hand over `Segment`s in page points and get the same `Grid`s.

The grid is the set of distinct x (vertical lines) and y (horizontal lines)
positions of one connected group of lines. Every elementary cell between two
neighbouring positions is then joined with its neighbour wherever the line
between them is missing: that is a merged cell, and its extent gives the spans.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median
from typing import Optional, Protocol

from schemas.records import BBox

MIN_COVERAGE = 0.5
"""A boundary between two elementary cells exists when lines cover at least this share of it."""


@dataclass(frozen=True, slots=True)
class GridCell:
    """One (possibly merged) cell of a grid. A plain dataclass: a ruled page makes hundreds and
    they stay inside the table builders (the SPEC's `Cell` is made from them)."""

    row: int
    col: int
    row_span: int
    col_span: int
    bbox: BBox


@dataclass
class Grid:
    """The cells of one ruled table and the positions of its lines (page points)."""

    cells: list[GridCell]
    n_rows: int
    n_cols: int
    row_edges: list[float]
    col_edges: list[float]

    @property
    def bbox(self) -> BBox:
        return (self.col_edges[0], self.row_edges[0], self.col_edges[-1], self.row_edges[-1])

    def locate(self, x: float, y: float) -> Optional[GridCell]:
        """The cell that contains the point, or None outside the grid."""
        row = bisect_right(self.row_edges, y) - 1
        col = bisect_right(self.col_edges, x) - 1
        if not (0 <= row < self.n_rows and 0 <= col < self.n_cols):
            return None
        return self._owner()[row][col]

    def _owner(self) -> list[list[GridCell]]:
        cached = self.__dict__.get("_owner_cache")
        if cached is None:
            cached = [[None] * self.n_cols for _ in range(self.n_rows)]
            for cell in self.cells:
                for r in range(cell.row, cell.row + cell.row_span):
                    for c in range(cell.col, cell.col + cell.col_span):
                        cached[r][c] = cell
            self.__dict__["_owner_cache"] = cached
        return cached


class LineLike(Protocol):
    """A ruling line in page points: `schemas.Segment`, or the PDF backend's lighter `Rule` tuple."""

    @property
    def x0(self) -> float: ...
    @property
    def y0(self) -> float: ...
    @property
    def x1(self) -> float: ...
    @property
    def y1(self) -> float: ...


@dataclass(slots=True)
class _Line:
    """An axis-parallel line: `pos` is y for horizontals, x for verticals; [start, end] along it.

    A plain dataclass: thousands are made per page and never leave this module.
    """

    pos: float
    start: float
    end: float


def build_grids(segments: Sequence[LineLike], *, tolerance: float = 1.5) -> list[Grid]:
    """Group ruling lines into tables and return one Grid per table, top to bottom."""
    horizontals, verticals = _split_and_merge(segments, tolerance)
    if len(horizontals) < 2 or len(verticals) < 1:
        return []
    grids = []
    for h_group, v_group in _connected_groups(horizontals, verticals, tolerance):
        grid = _grid_from_lines(h_group, v_group, tolerance)
        if grid is not None:
            grids.append(grid)
    grids.sort(key=lambda g: (g.row_edges[0], g.col_edges[0]))
    return grids


def _split_and_merge(segments: Sequence[LineLike], tolerance: float) -> tuple[list[_Line], list[_Line]]:
    horizontals: list[_Line] = []
    verticals: list[_Line] = []
    for seg in segments:
        dx, dy = abs(seg.x1 - seg.x0), abs(seg.y1 - seg.y0)
        if dy <= tolerance and dx > 2 * tolerance:
            horizontals.append(_Line(pos=(seg.y0 + seg.y1) / 2, start=min(seg.x0, seg.x1), end=max(seg.x0, seg.x1)))
        elif dx <= tolerance and dy > 2 * tolerance:
            verticals.append(_Line(pos=(seg.x0 + seg.x1) / 2, start=min(seg.y0, seg.y1), end=max(seg.y0, seg.y1)))
    return _merge_collinear(horizontals, tolerance), _merge_collinear(verticals, tolerance)


def _merge_collinear(lines: list[_Line], tolerance: float) -> list[_Line]:
    """Join pieces of one line (same position, touching or overlapping) into one."""
    merged: list[_Line] = []
    for pos_group in _cluster(sorted(lines, key=lambda line: line.pos), tolerance):
        pos = float(median([line.pos for line in pos_group]))
        current: Optional[_Line] = None
        for line in sorted(pos_group, key=lambda item: item.start):
            if current is not None and line.start <= current.end + tolerance:
                current.end = max(current.end, line.end)
                continue
            if current is not None:
                merged.append(current)
            current = _Line(pos=pos, start=line.start, end=line.end)
        if current is not None:
            merged.append(current)
    return merged


def _cluster(lines: list[_Line], tolerance: float) -> list[list[_Line]]:
    groups: list[list[_Line]] = []
    for line in lines:
        if groups and line.pos - groups[-1][-1].pos <= tolerance:
            groups[-1].append(line)
        else:
            groups.append([line])
    return groups


def _connected_groups(
    horizontals: list[_Line], verticals: list[_Line], tolerance: float
) -> list[tuple[list[_Line], list[_Line]]]:
    """Split lines into tables: lines that cross or touch belong to the same table.

    Verticals sorted by x: each horizontal only looks at those within its x-range (bisect), so the
    work is the number of crossings, not horizontals × verticals, and no numpy is needed for it.
    """
    order = sorted(range(len(verticals)), key=lambda index: verticals[index].pos)
    xs = [verticals[index].pos for index in order]
    parent = list(range(len(horizontals) + len(verticals)))

    def find(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for hi, h in enumerate(horizontals):
        first, last = bisect_left(xs, h.start - tolerance), bisect_right(xs, h.end + tolerance)
        for vi in sorted(order[first:last]):  # in index order, as the union order decides the roots
            v = verticals[vi]
            if v.start - tolerance <= h.pos <= v.end + tolerance:
                parent[find(hi)] = find(len(horizontals) + vi)
    groups: dict[int, tuple[list[_Line], list[_Line]]] = {}
    for index, line in enumerate(horizontals):
        groups.setdefault(find(index), ([], []))[0].append(line)
    for index, line in enumerate(verticals):
        groups.setdefault(find(len(horizontals) + index), ([], []))[1].append(line)
    return [group for group in groups.values() if len(group[0]) >= 2 and len(group[1]) >= 1]


def _edges(positions: list[float], tolerance: float) -> list[float]:
    edges: list[float] = []
    for pos in sorted(positions):
        if edges and pos - edges[-1] <= tolerance * 2:
            continue
        edges.append(pos)
    return edges


def _grid_from_lines(horizontals: list[_Line], verticals: list[_Line], tolerance: float) -> Optional[Grid]:
    # Tables without outer vertical borders are common in published budgets: the
    # horizontal lines' ends then stand for the missing left and right borders.
    x_positions = [line.pos for line in verticals]
    x_positions += [min(line.start for line in horizontals), max(line.end for line in horizontals)]
    y_positions = [line.pos for line in horizontals]
    col_edges = _edges(x_positions, tolerance)
    row_edges = _edges(y_positions, tolerance)
    n_rows, n_cols = len(row_edges) - 1, len(col_edges) - 1
    if n_rows < 1 or n_cols < 1:
        return None
    right_open = _missing_boundaries(verticals, col_edges[1:-1], row_edges, tolerance)  # [col][row]
    below_open = _missing_boundaries(horizontals, row_edges[1:-1], col_edges, tolerance)  # [row][col]
    cells = _merge_cells(n_rows, n_cols, right_open, below_open, row_edges, col_edges)
    return Grid(cells=cells, n_rows=n_rows, n_cols=n_cols, row_edges=row_edges, col_edges=col_edges)


def _missing_boundaries(
    lines: list[_Line], inner_positions: list[float], cross_edges: list[float], tolerance: float
) -> list[list[bool]]:
    """For each inner line position and each interval across it: is the line missing there?"""
    # Lines sorted by position once: each inner position looks only at the lines near it (in their
    # original order, which the coverage sum keeps), not at every line of the table.
    order = sorted(range(len(lines)), key=lambda index: lines[index].pos)
    positions = [lines[index].pos for index in order]
    reach = tolerance * 2 + 1e-6  # a hair wider than the test below, which decides
    missing: list[list[bool]] = []
    for pos in inner_positions:
        near = sorted(order[bisect_left(positions, pos - reach) : bisect_right(positions, pos + reach)])
        at_pos = [lines[index] for index in near if abs(lines[index].pos - pos) <= tolerance * 2]
        row: list[bool] = []
        for start, end in zip(cross_edges[:-1], cross_edges[1:]):
            # the overlap sum written out (min/max/sum calls per cell and line were the grid's main cost);
            # lines not overlapping add nothing, so the sum is the same to the last bit
            covered = 0.0
            for line in at_pos:
                overlap = (line.end if line.end < end else end) - (line.start if line.start > start else start)
                if overlap > 0.0:
                    covered += overlap
            row.append(covered < MIN_COVERAGE * (end - start))
        missing.append(row)
    return missing


def _merge_cells(
    n_rows: int,
    n_cols: int,
    right_open: list[list[bool]],
    below_open: list[list[bool]],
    row_edges: list[float],
    col_edges: list[float],
) -> list[GridCell]:
    parent = list(range(n_rows * n_cols))

    def find(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for r in range(n_rows):
        for c in range(n_cols):
            if c + 1 < n_cols and right_open[c][r]:
                parent[find(r * n_cols + c)] = find(r * n_cols + c + 1)
            if r + 1 < n_rows and below_open[r][c]:
                parent[find(r * n_cols + c)] = find((r + 1) * n_cols + c)
    regions: dict[int, list[int]] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            root = find(r * n_cols + c)
            region = regions.get(root)
            if region is None:
                regions[root] = [r, c, r, c]
                continue
            # rows come in order: the first row seen is the top, the current one the bottom
            region[2] = r
            if c < region[1]:
                region[1] = c
            if c > region[3]:
                region[3] = c
    cells = []
    for r0, c0, r1, c1 in sorted(regions.values()):
        bbox = (col_edges[c0], row_edges[r0], col_edges[c1 + 1], row_edges[r1 + 1])
        cells.append(GridCell(row=r0, col=c0, row_span=r1 - r0 + 1, col_span=c1 - c0 + 1, bbox=bbox))
    return cells
