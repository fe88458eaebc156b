"""RowRecords and key-value pairs to SPEC records (indicators, budget lines, scores)."""

from __future__ import annotations

import re
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict

from extractor.forms.lexicon import lexicon
from extractor.forms.rows import KeyValue, RowRecord
from extractor.forms.values import is_blank_marker, parse_amount, parse_value
from extractor.text.join import clean_text, squeeze
from schemas import BudgetLine, Cell, Indicator, ScoreSummary, Source, Value
from schemas.records import CellRef


def _union_bbox(cells: list[Cell]) -> Optional[tuple[float, float, float, float]]:
    boxes = [c.bbox for c in cells if c.bbox is not None]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _refs(cells: list[Cell]) -> list[CellRef]:
    return [(cell.row, cell.col) for cell in cells]


def _source(
    record_cells: list[Cell], table_id: str, row: int, fields: Optional[dict[str, list[Cell]]] = None
) -> Source:
    page = min((c.page for c in record_cells), default=1)
    on_page = [c for c in record_cells if c.page == page]
    cells = {name: _refs(parts) for name, parts in (fields or {}).items() if parts}
    return Source(page=page, bbox=_union_bbox(on_page), table=table_id, row=row, cells=cells)


def _fields(cells: dict[str, Cell], extra: Optional[dict[str, list[Cell]]] = None) -> dict[str, list[Cell]]:
    """Field name → the cells it was read from (one per field, unless `extra` says several)."""
    found = {name: [cell] for name, cell in cells.items() if "." not in name and name not in ("operator", "unit")}
    found.update(extra or {})
    return dict(sorted(found.items()))


def _text(cells: dict[str, Cell], role: str) -> Optional[str]:
    cell = cells.get(role)
    return clean_text(cell.text) if cell is not None else None


def _amount(cells: dict[str, Cell], role: str) -> Optional[float]:
    cell = cells.get(role)
    return parse_amount(cell.text) if cell is not None else None


def _confidence(cells: dict[str, Cell]) -> dict[str, float]:
    return {role: round(cell.confidence, 4) for role, cell in sorted(cells.items())}


def split_label_weight(text: str) -> tuple[str, Optional[float]]:
    """`产出指标(50分)` → ("产出指标", 50); `数量指标15分` → ("数量指标", 15); no weight → (name, None)."""
    lex = lexicon()
    name = squeeze(text)
    match = lex.full_mark.search(name)
    if match is not None:
        return (name[: match.start()] + name[match.end() :]).strip(), float(match.group(1))
    match = re.search(lex.trailing_weight, name)
    if match is not None:
        return name[: match.start()].strip(), float(match.group(1))
    return name, None


class Level(BaseModel):
    """One 一级 or 二级 heading as read: bare name, the weight printed in its label, its cells."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    depth: Literal["level1", "level2"]
    name: str
    label_weight: Optional[float] = None
    cell: Cell
    weight_cell: Optional[Cell] = None
    score_cell: Optional[Cell] = None

    @property
    def weight(self) -> Optional[float]:
        if self.weight_cell is not None and parse_amount(self.weight_cell.text) is not None:
            return parse_amount(self.weight_cell.text)
        return self.label_weight

    @property
    def score(self) -> Optional[float]:
        return parse_amount(self.score_cell.text) if self.score_cell is not None else None

    @property
    def scored(self) -> bool:
        """Does the form print a weight or score for this level (so it is a score summary)?"""
        return self.weight is not None or self.score is not None


def _merged_blank(cell: Optional[Cell]) -> bool:
    return cell is not None and cell.row_span > 1 and not squeeze(cell.text)


class LevelCarry:
    """一级/二级指标 carried down blank cells, reset when the 一级 changes."""

    def __init__(self) -> None:
        self.level1: Optional[Level] = None
        self.level2: Optional[Level] = None

    def _read(self, cells: dict[str, Cell], depth: Literal["level1", "level2"]) -> Optional[Level]:
        cell = cells.get(depth)
        if cell is None or not squeeze(cell.text):
            return None
        name, weight = split_label_weight(cell.text)
        return Level(
            depth=depth,
            name=name,
            label_weight=weight,
            cell=cell,
            weight_cell=cells.get(f"{depth}.weight"),
            score_cell=cells.get(f"{depth}.score"),
        )

    def update(self, cells: dict[str, Cell]) -> tuple[Optional[Level], Optional[Level]]:
        level1 = self._read(cells, "level1")
        level2 = self._read(cells, "level2")
        if level1 is not None:
            if self.level1 is None or level1.name != self.level1.name:
                self.level2 = None
            self.level1 = level1
        if level2 is not None:
            self.level2 = level2
        elif _merged_blank(cells.get("level2")):
            self.level2 = None  # a blank cell merged over rows is deliberate: these rows have no 二级
        return self.level1, self.level2


def _joined(cells: dict[str, Cell], role: str, with_operator: bool) -> tuple[Value, list[Cell]]:
    """A value printed across operator | value | unit cells, joined in printed order (`≥95%`)."""
    main = cells.get(role)
    if main is None:
        return parse_value(None), []
    parts = [main]
    value = parse_value(main.text)
    if value.value is not None:
        operator = cells.get("operator") if with_operator else None
        if operator is not None and not is_blank_marker(operator.text) and value.op is None:
            parts.append(operator)
        unit = cells.get("unit")
        if unit is not None and not is_blank_marker(unit.text) and value.unit is None:
            parts.append(unit)
    if len(parts) == 1:
        return value, parts
    if with_operator:
        parts.sort(key=lambda cell: cell.col)  # operator | value | unit as printed
    # The actual borrows the unit column: the unit always reads after the number (96 + % → 96%).
    return parse_value("".join(clean_text(cell.text) or "" for cell in parts)), parts


def indicator(
    record: RowRecord,
    *,
    ident: str,
    section: str,
    table_id: str,
    levels: tuple[Optional[Level], Optional[Level]],
    parent: Optional[str] = None,
) -> Indicator:
    cells = record.cells
    target, target_cells = _joined(cells, "target", with_operator=True)
    actual, actual_cells = _joined(cells, "actual", with_operator=False)
    level1, level2 = levels
    extra = {"target": target_cells, "actual": actual_cells}
    extra.update({level.depth: [level.cell] for level in levels if level is not None})
    return Indicator(
        id=ident,
        section=section,
        level1=level1.name if level1 is not None else None,
        level2=level2.name if level2 is not None else None,
        name=squeeze(cells["name"].text),
        target=target,
        actual=actual,
        weight=_amount(cells, "weight"),
        score=_amount(cells, "score"),
        review_score=_amount(cells, "review_score"),
        description=_text(cells, "description"),
        deviation_reason=_text(cells, "deviation_reason"),
        review_comment=_text(cells, "review_comment"),
        criteria=_text(cells, "criteria"),
        explanation=_text(cells, "explanation"),
        parent=parent,
        source=_source(list(cells.values()), table_id, record.row, _fields(cells, extra)),
        confidence=_confidence({k: v for k, v in cells.items() if "." not in k}),
    )


def level_summary(level: Level, *, ident: str, section: Optional[str], table_id: str) -> ScoreSummary:
    """The score summary of a 一级/二级 heading whose weight or score the form prints."""
    cells = {"label": level.cell}
    if level.weight_cell is not None:
        cells["weight"] = level.weight_cell
    elif level.label_weight is not None:
        cells["weight"] = level.cell
    if level.score_cell is not None:
        cells["score"] = level.score_cell
    return ScoreSummary(
        id=ident,
        section=section,
        label=level.name,
        weight=level.weight,
        score=level.score,
        source=_source(list(cells.values()), table_id, level.cell.row, {k: [v] for k, v in cells.items()}),
        confidence=_confidence(cells),
    )


def budget_item(text: str) -> str:
    item = squeeze(text)
    for word in lexicon().qizhong:
        if item.startswith(word):
            return item[len(word) :].lstrip(":：")
    return item


def _item(record: RowRecord) -> str:
    """A budget line's item; a funding line printed under a group heading is named by both."""
    assert record.label is not None
    if record.executed_by is not None:  # one budget printed in two blocks: named by both side labels
        return f"{budget_item(record.label.text)} / {budget_item(record.executed_by.text)}"
    if record.group is None:
        return budget_item(record.label.text)
    # Under a group heading the line is kept as printed (其中:中央补助 reads as a part of the group).
    item = squeeze(record.label.text).rstrip(":：")
    if item.endswith((")", "）")) and item.count("(") + item.count("（") < item.count(")") + item.count("）"):
        item = item[:-1].rstrip(":：")  # 年度预算资金总额): — a stray bracket closing the group's (万元
    return f"{record.group} {item}"


RATE_TOLERANCE = 1.0


def _rate(cells: dict[str, Cell]) -> Optional[float]:
    """执行率 in percent; a fraction printed without % (0.958) that its own amounts give ×100 is 95.8."""
    rate = _amount(cells, "rate")
    if rate is None or rate > 1 or "%" in cells["rate"].text or "％" in cells["rate"].text:
        return rate
    actual = _amount(cells, "actual")
    budget = _amount(cells, "adjusted") or _amount(cells, "initial")
    if actual is not None and budget and abs(actual / budget * 100 - rate * 100) <= RATE_TOLERANCE:
        return round(rate * 100, 10)
    return rate


def _item_cells(record: RowRecord) -> dict[str, list[Cell]]:
    """A line joined from two blocks reads its item from both blocks' labels."""
    assert record.label is not None
    return {"item": [record.label, record.executed_by]} if record.executed_by is not None else {}


def budget_line(
    record: RowRecord, *, ident: str, section: Optional[str], table_id: str, unit: Optional[str]
) -> BudgetLine:
    cells = record.cells
    assert record.label is not None
    all_cells = [record.label, *cells.values()]
    return BudgetLine(
        id=ident,
        section=section,
        item=_item(record),
        initial=_amount(cells, "initial"),
        adjustment=_amount(cells, "adjustment"),
        adjusted=_amount(cells, "adjusted"),
        actual=_amount(cells, "actual"),
        rate=_rate(cells),
        unit=unit,
        weight=_amount(cells, "weight"),
        score=_amount(cells, "score"),
        review_score=_amount(cells, "review_score"),
        source=_source(all_cells, table_id, record.row, _fields({"item": record.label, **cells}, _item_cells(record))),
        confidence=_confidence({"item": record.label, **cells}),
    )


def score_label(text: str) -> str:
    lex = lexicon()
    label = re.sub(lex.score_note, "", squeeze(text)).rstrip("：:")
    return lex.score_label_aliases.get(label, label)


def full_marks(text: str) -> Optional[float]:
    """`自评得分（满分100分）` → 100, `预算执行（10分）` → 10."""
    match = lexicon().full_mark.search(squeeze(text))
    return float(match.group(1)) if match else None


def score_row(record: RowRecord, *, ident: str, section: Optional[str], table_id: str) -> ScoreSummary:
    cells = record.cells
    assert record.label is not None
    return ScoreSummary(
        id=ident,
        section=section,
        label=score_label(record.label.text),
        weight=_amount(cells, "weight"),
        score=_amount(cells, "score"),
        review_score=_amount(cells, "review_score"),
        source=_source(
            [record.label, *cells.values()], table_id, record.row, _fields({"label": record.label, **cells})
        ),
        confidence=_confidence({"label": record.label, **cells}),
    )


def score_pair(pair: KeyValue, *, ident: str, section: Optional[str], table_id: str) -> ScoreSummary:
    label = score_label(pair.label.text)
    value = parse_amount(pair.value.text) if pair.value is not None else None
    cells = {"label": pair.label, **({"score": pair.value} if pair.value is not None else {})}
    is_review = label == lexicon().score_lines.review_score
    return ScoreSummary(
        id=ident,
        section=section,
        label=label,
        weight=full_marks(pair.label.text),
        score=None if is_review else value,
        review_score=value if is_review else None,
        source=_source(list(cells.values()), table_id, pair.row, _fields(cells)),
        confidence=_confidence(cells),
    )
