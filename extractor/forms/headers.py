"""Header cells to column roles, by the lexicon (exact synonym, head word, fuzzy).

Each region kind (indicator block, budget block, score block) has its own
vocabulary, because one word means different things in each: 实际完成值 is an
indicator's actual, 实际支出数 a budget line's actual amount. The words live in
lexicon.yaml; this module decides which header row opens which region and which
column holds which role.
"""

from __future__ import annotations

import re
from typing import Optional, Union

from pydantic import BaseModel, Field

from extractor.forms.lexicon import (
    REGION_KINDS,
    HeaderHit,
    RegionKind,
    classify_header,
    header_key,
    vocabulary,
)
from extractor.forms.view import TableView
from schemas import Cell

__all__ = [
    "BUDGET_ROLES",
    "INDICATOR_ROLES",
    "SCORE_ROLES",
    "VOCABULARIES",
    "ColumnRole",
    "HeaderMatch",
    "RegionKind",
    "header_key",
    "match_header",
    "match_role",
]

INDICATOR_ROLES: dict[str, list[str]] = vocabulary("indicators")
BUDGET_ROLES: dict[str, list[str]] = vocabulary("budget")
SCORE_ROLES: dict[str, list[str]] = vocabulary("scores")
VOCABULARIES: dict[RegionKind, dict[str, list[str]]] = {
    "indicators": INDICATOR_ROLES,
    "budget": BUDGET_ROLES,
    "scores": SCORE_ROLES,
}
LEVEL_LABELS = ("level1", "level2", "name")
"""Indicator label columns left to right; a weight or score column belongs to the nearest one on its left."""


def _kind_of(vocab: Union[RegionKind, dict[str, list[str]]]) -> RegionKind:
    if isinstance(vocab, str):
        return vocab
    for kind, words in VOCABULARIES.items():
        if words is vocab or words == vocab:
            return kind
    raise ValueError("match_role needs a region kind or one of the VOCABULARIES")


def match_role(text: str, vocab: Union[RegionKind, dict[str, list[str]]]) -> Optional[tuple[str, int]]:
    """The role a header text names and the rank of the match (lower is better), or None."""
    hit = classify_header(text, _kind_of(vocab))
    return (hit.role, hit.rank) if hit is not None else None


class ColumnRole(BaseModel):
    role: str
    first_col: int
    last_col: int
    rank: int
    evidence: str = ""


class HeaderCell(BaseModel):
    """A header cell as read: its span, text and what the lexicon made of it (None: no role)."""

    row: int
    col: int
    last_col: int
    last_row: int
    text: str
    hit: Optional[HeaderHit] = None

    def side_label(self, header_row: int) -> bool:
        """A cell reaching below the header (年度绩效指标 down the block's side) labels rows, not a column."""
        return self.last_row > header_row


class HeaderMatch(BaseModel):
    kind: RegionKind
    row: int
    """The last header row; data starts below it."""
    first_row: int
    roles: dict[str, ColumnRole]
    header_cells: list[HeaderCell] = Field(default_factory=list)
    level_weights: dict[str, ColumnRole] = Field(default_factory=dict)
    """Weight/score columns right of a 一级 or 二级 name: `level1.weight`, `level2.score` …"""
    n_cols: int = 0
    """Columns of the table the header was read in (a continuation must have as many)."""


class _HeaderScan:
    """A view's header lookups kept for the next row: each row's printed cells with their lexicon hits
    per region kind, and the rows known to head no region alone (match_header tries every row
    alone, then again as the row below its predecessor)."""

    def __init__(self) -> None:
        # no reference back to the view: the view holds this object, and a cycle would keep both
        # (and every cell) alive until the cyclic garbage collector runs
        self.hits: dict[tuple[int, RegionKind], list[tuple[Cell, Optional[HeaderHit]]]] = {}
        self.cells: dict[int, list[Cell]] = {}
        self.counts: dict[tuple[int, RegionKind], int] = {}
        """How many of a row's cells name a role: most rows name none, and a region needs two."""
        self.no_header: set[int] = set()

    def printed(self, view: TableView, row: int) -> list[Cell]:
        """The row's distinct cells that print something, found once for all region kinds."""
        found = self.cells.get(row)
        if found is None:
            found = []
            seen: set[int] = set()
            for cell in view.row_cells(row):
                if id(cell) in seen or not cell.text.strip():
                    continue
                seen.add(id(cell))
                found.append(cell)
            self.cells[row] = found
        return found

    def row_hits(self, view: TableView, row: int, kind: RegionKind) -> list[tuple[Cell, Optional[HeaderHit]]]:
        found = self.hits.get((row, kind))
        if found is None:
            found = [(cell, classify_header(cell.text, kind)) for cell in self.printed(view, row)]
            self.hits[(row, kind)] = found
            self.counts[(row, kind)] = sum(hit is not None for _, hit in found)
        return found

    def role_count(self, view: TableView, row: int, kind: RegionKind) -> int:
        count = self.counts.get((row, kind))
        if count is None:
            self.row_hits(view, row, kind)
            count = self.counts[(row, kind)]
        return count


def _scan(view: TableView) -> _HeaderScan:
    scan = view.derived.get("headers")
    if not isinstance(scan, _HeaderScan):
        scan = view.derived["headers"] = _HeaderScan()
    return scan


def _row_hits(view: TableView, rows: list[int], kind: RegionKind) -> list[tuple[Cell, Optional[HeaderHit]]]:
    """The distinct printed cells of the header rows with what the lexicon makes of each (cached per text)."""
    scan = _scan(view)
    if len(rows) == 1:
        return scan.row_hits(view, rows[0], kind)  # read-only for every caller
    found: list[tuple[Cell, Optional[HeaderHit]]] = []
    seen: set[int] = set()
    for row in rows:
        for cell, hit in scan.row_hits(view, row, kind):
            if id(cell) in seen:
                continue
            seen.add(id(cell))
            found.append((cell, hit))
    return found


def _header_cells(hits: list[tuple[Cell, Optional[HeaderHit]]]) -> list[HeaderCell]:
    return [
        HeaderCell(
            row=cell.row,
            col=cell.col,
            last_col=cell.col + cell.col_span - 1,
            last_row=cell.row + cell.row_span - 1,
            text=cell.text,
            hit=hit,
        )
        for cell, hit in hits
    ]


def _claims(hits: list[tuple[Cell, Optional[HeaderHit]]]) -> list[ColumnRole]:
    """Every role claim of the header cells, losers included (they may be level columns)."""
    return [
        ColumnRole(
            role=hit.role,
            first_col=cell.col,
            last_col=cell.col + cell.col_span - 1,
            rank=hit.rank,
            evidence=hit.evidence,
        )
        for cell, hit in hits
        if hit is not None
    ]


def _assign(claims: list[ColumnRole]) -> tuple[dict[str, ColumnRole], dict[str, ColumnRole]]:
    """Best claim per role; extra weight/score claims right of a 一级/二级 column are level columns."""
    roles: dict[str, ColumnRole] = {}
    for claim in claims:
        current = roles.get(claim.role)
        if current is None or claim.rank < current.rank:
            roles[claim.role] = claim
    levels: dict[str, ColumnRole] = {}
    labels = sorted((roles[name].first_col, name) for name in LEVEL_LABELS if name in roles)
    for role in ("weight", "score"):
        mine = [claim for claim in claims if claim.role == role]
        if len(mine) < 2 or not labels:
            continue
        kept: Optional[ColumnRole] = None
        for claim in sorted(mine, key=lambda c: c.first_col):
            owner = next((name for col, name in reversed(labels) if col < claim.first_col), None)
            if owner in ("level1", "level2"):
                levels[f"{owner}.{role}"] = claim
            elif kept is None or claim.rank < kept.rank:
                kept = claim
        if kept is not None:
            roles[role] = kept
        elif role in roles and any(roles[role] is claim for claim in levels.values()):
            del roles[role]
    _later_score_is_review(claims, roles, levels)
    return roles, levels


def _later_score_is_review(
    claims: list[ColumnRole], roles: dict[str, ColumnRole], levels: dict[str, ColumnRole]
) -> None:
    """Two …得分 columns for one row and no 复核 word: forms print the self score first and the
    reviewer's score (审定/终审/核定得分) after it, so the later one is the review score."""
    score = roles.get("score")
    if score is None or "review_score" in roles:
        return
    taken = {id(claim) for claim in levels.values()}
    later = [c for c in claims if c.role == "score" and c.first_col > score.last_col and id(c) not in taken]
    if later:
        claim = later[-1]
        roles["review_score"] = claim.model_copy(
            update={"role": "review_score", "evidence": f"{claim.evidence}+after_score"}
        )


_REQUIRED: dict[RegionKind, tuple[set[str], int]] = {
    "indicators": ({"name", "target", "actual", "weight", "score", "level1", "level2", "criteria", "explanation"}, 3),
    "budget": ({"initial", "adjustment", "adjusted", "actual", "rate"}, 2),
    "scores": ({"weight", "score", "review_score", "rate"}, 2),
}


def _qualifies(kind: RegionKind, roles: dict[str, ColumnRole]) -> bool:
    keys, minimum = _REQUIRED[kind]
    if len(keys & roles.keys()) < minimum:
        return False
    if kind == "indicators":
        # A scoring table (评分表) prints weights and criteria instead of targets: still indicators.
        return "name" in roles and bool(
            {"target", "actual", "weight", "score", "criteria", "explanation"} & roles.keys()
        )
    if kind == "scores":
        return "label" in roles and "name" not in roles
    return True


_YEAR = re.compile(r"(?:19|20)\d{2}")
_AMOUNT_ROLES = ("initial", "adjustment", "adjusted", "actual")


def _compares_years(hits: list[tuple[Cell, Optional[HeaderHit]]]) -> bool:
    """One amount printed for several years (2021年决算数 | 2022年预算数 | 2022年决算数): a year-on-year
    statement, not the evaluated year's budget execution — its lines are no budget lines (reading them
    so put last year's 决算 into `actual`). The table stays a statement table (tables[].regions)."""
    years: dict[str, set[str]] = {}
    for cell, hit in hits:
        if hit is not None and hit.role in _AMOUNT_ROLES:
            found = set(_YEAR.findall(cell.text))
            if len(found) == 1:
                years.setdefault(hit.role, set()).update(found)
    return any(len(found) > 1 for found in years.values())


def _item_and_amount(kind: RegionKind, roles: dict[str, ColumnRole]) -> bool:
    """A budget block of one amount column under a named item column (子项目名称 | 实际金额)."""
    money = {"initial", "adjustment", "adjusted", "actual"} & roles.keys()
    return kind == "budget" and "item" in roles and len(money) == 1 and not roles["item"].evidence.endswith("~")


def _single_row(view: TableView, rows: list[int]) -> Optional[HeaderMatch]:
    best: Optional[HeaderMatch] = None
    scan = _scan(view)
    for kind in REGION_KINDS:
        if sum([scan.role_count(view, row, kind) for row in rows]) < 2:
            continue  # even counting a cell spanning both rows twice, fewer than two role words
        hits = _row_hits(view, rows, kind)
        if sum(hit is not None for _, hit in hits) < 2:
            continue  # fewer than two role words: no region opens here (the common data row)
        if kind == "budget" and _compares_years(hits):
            continue
        roles, levels = _assign(_claims(hits))
        if _qualifies(kind, roles) or _item_and_amount(kind, roles):
            candidate = HeaderMatch(
                kind=kind,
                row=rows[-1],
                first_row=rows[0],
                roles=roles,
                header_cells=_header_cells(hits),
                level_weights=levels,
            )
            if best is None or len(candidate.roles) > len(best.roles):
                best = candidate
    return best


def _alone(view: TableView, row: int) -> Optional[HeaderMatch]:
    """The region `row` heads alone; a row found to head none is remembered (most rows are data)."""
    scan = _scan(view)
    if row in scan.no_header:
        return None
    found = _single_row(view, [row])
    if found is None:
        scan.no_header.add(row)
    return found


def match_header(view: TableView, row: int) -> Optional[HeaderMatch]:
    """Does `row` (alone, or with the row below for two-row headers) head a region?

    A two-row header is only considered when neither row heads a region alone.
    """
    single = _alone(view, row)
    if single is not None or row + 1 >= view.n_rows:
        return single
    if _alone(view, row + 1) is not None:
        return None
    return _single_row(view, [row, row + 1])
