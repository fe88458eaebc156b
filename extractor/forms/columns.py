"""Column typing from cell content, and the per-table column readings (`tables[].columns`).

Headers name most columns; content settles the rest. A column of ≥ / ≤ / 不低于 is an
operator column (指标性质), a column of 个 / % / 平方米 a unit column (度量单位); numbers,
percentages and long text are told apart by their cells. This serves the system exports that
print operator | value | unit in three cells, and forms whose header misses a word the lexicon
knows (a bare numeric 自评得分 column without its own header cell in the block).
"""

from __future__ import annotations

import re
from typing import Literal, Optional

from extractor.forms.headers import ColumnRole, HeaderMatch
from extractor.forms.lexicon import lexicon
from extractor.forms.values import is_blank_marker, parse_amount
from extractor.forms.view import TableView
from extractor.text.join import squeeze
from schemas import ColumnReading

ContentType = Literal["operator", "unit", "percent", "numeric", "long_text", "text"]
LONG_TEXT = 12
"""Average characters above which a column holds sentences (criteria, descriptions), not short values."""
MAX_UNIT_WORD = 4
UNIT_SHARE = 0.6
DATA_ROWS_SCANNED = 60


def content_type(texts: list[str]) -> Optional[ContentType]:
    """What a column's printed cells are, or None when it prints nothing but blanks."""
    values = [squeeze(text) for text in texts if not is_blank_marker(text)]
    if not values:
        return None
    lex = lexicon()
    operators = {word for words in lex.operators.values() for word in words}
    if all(value in operators for value in values):
        return "operator"
    units = set(lex.units)
    short = [v for v in values if len(v) <= MAX_UNIT_WORD and not re.search(r"\d", v)]
    if len(short) == len(values) and sum(v in units for v in values) >= UNIT_SHARE * len(values):
        return "unit"
    if all(parse_amount(value) is not None for value in values):
        return "percent" if all(value.endswith(("%", "％")) for value in values) else "numeric"
    if sum(len(value) for value in values) / len(values) > LONG_TEXT:
        return "long_text"
    return "text"


def _column_texts(view: TableView, col: int, rows: range) -> list[str]:
    """Texts of the cells that start in `col` within `rows` (one per cell)."""
    texts = []
    for row in rows:
        cell = view.owner(row, col)
        if cell is not None and cell.row == row and cell.col == col:
            texts.append(cell.text)
    return texts


def _claimed(header: HeaderMatch, col: int) -> bool:
    columns = [*header.roles.values(), *header.level_weights.values()]
    return any(role.first_col <= col <= role.last_col for role in columns)


def _header_text(header: HeaderMatch, col: int) -> Optional[str]:
    """The text of the header cell over `col` (side labels reaching into the data do not count)."""
    for cell in header.header_cells:
        if cell.col <= col <= cell.last_col and not cell.side_label(header.row):
            return cell.text
    return None


CRITERIA_SHARE = 0.5
RATE_TOLERANCE = 1.0
"""Percentage points a printed rate may differ from amount / budget × 100 (rounding of both)."""


def _scoring_rules(texts: list[str]) -> bool:
    """Do most cells state scoring rules (得满分, 扣2分, 不得分)?"""
    values = [squeeze(text) for text in texts if not is_blank_marker(text)]
    words = lexicon().criteria_words
    return bool(values) and sum(any(w in v for w in words) for v in values) >= CRITERIA_SHARE * len(values)


def _rows_of(view: TableView, col: int, rows: range) -> dict[int, str]:
    found = {}
    for row in rows:
        cell = view.owner(row, col)
        if cell is not None and cell.row == row and cell.col == col:
            found[row] = cell.text
    return found


def _explains_rate(view: TableView, col: int, roles: dict[str, ColumnRole], rows: range) -> bool:
    """Is `col` the executed amount: amount / budget × 100 ≈ the printed rate on the rows printing all three?"""
    budget_role = roles.get("adjusted") or roles.get("initial")
    rate_role = roles.get("rate")
    if budget_role is None or rate_role is None:
        return False
    amounts = _rows_of(view, col, rows)
    budgets = _rows_of(view, budget_role.first_col, rows)
    rates = _rows_of(view, rate_role.first_col, rows)
    checked = agreed = 0
    for row, text in amounts.items():
        amount, budget = parse_amount(text), parse_amount(budgets.get(row))
        rate = parse_amount(rates.get(row))
        if amount is None or budget is None or rate is None or budget == 0:
            continue
        checked += 1
        agreed += abs(amount / budget * 100 - rate) <= RATE_TOLERANCE
    return checked > 0 and agreed == checked


def _type_budget(view: TableView, header: HeaderMatch, rows: range) -> HeaderMatch:
    """A budget block missing its execution column: the numeric column that explains the rate is it."""
    if "actual" in header.roles:
        return header
    for col in range(view.n_cols):
        if _claimed(header, col):
            continue
        if _explains_rate(view, col, header.roles, rows):
            role = ColumnRole(role="actual", first_col=col, last_col=col, rank=300, evidence="content:rate_amount")
            return header.model_copy(update={"roles": {**header.roles, "actual": role}})
    return header


def type_columns(view: TableView, header: HeaderMatch, last_row: int) -> HeaderMatch:
    """The header with unclaimed indicator columns settled by their content.

    Only indicator regions: an operator or unit column gets its role; a numeric column right of
    the name gets the score role when the block has no score column (a 自评得分 column headed
    above the block); text columns left of the name with no 一级/二级 header are the level columns.
    """
    rows = range(header.row + 1, min(last_row, header.row + 1 + DATA_ROWS_SCANNED))
    if header.kind == "budget":
        return _type_budget(view, header, rows)
    if header.kind != "indicators" or "name" not in header.roles:
        return header
    roles = dict(header.roles)
    name_col = roles["name"].first_col
    left_text: list[int] = []
    for col in range(view.n_cols):
        if _claimed(header, col) or any(r.first_col <= col <= r.last_col for r in roles.values()):
            continue
        kind = content_type(_column_texts(view, col, rows))
        evidence = f"content:{kind}"
        if kind in ("operator", "unit") and kind not in roles:
            roles[kind] = ColumnRole(role=kind, first_col=col, last_col=col, rank=300, evidence=evidence)
        elif kind in ("numeric", "percent") and col > name_col and "score" not in roles and "weight" not in roles:
            roles["score"] = ColumnRole(role="score", first_col=col, last_col=col, rank=300, evidence=evidence)
        elif kind in ("text", "long_text") and col < name_col and _header_text(header, col) is not None:
            left_text.append(col)
        elif kind in ("text", "long_text") and col > name_col and _header_text(header, col) is not None:
            scoring_table = not {"target", "actual"} & roles.keys()
            texts = _column_texts(view, col, rows)
            if "criteria" not in roles and _scoring_rules(texts):
                roles["criteria"] = ColumnRole(
                    role="criteria", first_col=col, last_col=col, rank=300, evidence="content:scoring_rules"
                )
            elif scoring_table and "explanation" not in roles and not _scoring_rules(texts):
                # A scoring table (no targets) explains each indicator beside its rules.
                roles["explanation"] = ColumnRole(
                    role="explanation", first_col=col, last_col=col, rank=300, evidence="content:long_text"
                )
    missing = [level for level in ("level2", "level1") if level not in roles]
    for level, col in zip(missing, reversed(left_text)):
        roles[level] = ColumnRole(role=level, first_col=col, last_col=col, rank=300, evidence="content:level")
    return header.model_copy(update={"roles": roles})


def column_readings(n_cols: int, headers: list[HeaderMatch]) -> list[ColumnReading]:
    """One reading per column: the role of the first region header (indicators first) that claims it."""
    ordered = sorted(headers, key=lambda h: h.kind != "indicators")
    readings = []
    for col in range(n_cols):
        reading = ColumnReading(col=col, role=None, evidence="none")
        for header in ordered:
            claims = [*header.roles.values()]
            claims += [role.model_copy(update={"role": key}) for key, role in header.level_weights.items()]
            found = next((c for c in claims if c.first_col <= col <= c.last_col), None)
            if found is not None:
                reading = ColumnReading(col=col, role=found.role, evidence=found.evidence or "none")
                break
        readings.append(reading)
    return readings
