"""A reviewer's correction of one field, as pure functions over an ExtractionResult.

A ref names what is corrected, in the form findings use (SPEC `refs`):

    i7.actual        a record field (indicators, budget_lines, scores); `i7.actual.raw` means the same
    c1.score         a number: re-read with parse_amount (`96.30%` → 96.3, `-` → blank)
    document.year    a document field (department, year, self_score, review_score)
    t1.r5c2          a table cell's text (a finding names a cell when no record holds it)
    p46.text         a narrative paragraph's text (findings cite the prose too)

`prepare(result, ref, text)` reads the reviewer's text into the stored form (`after`) — a Value for
target/actual (op/value/unit re-derived by parse_value), a float, an int or a string — and returns it
with the field's current value (`before`). `apply(result, ref, after)` writes `after` into a copy of
the result, sets the field's confidence to 1.0, and rewrites the table cell the field was read from,
so that the rules reading cells see the same figure as the rules reading records. Re-applying the
stored `after` of every correction after a re-extraction gives the same result as the first time.
"""

from __future__ import annotations

import re
import types
from dataclasses import dataclass
from typing import Any, Optional, Union, get_args, get_origin

from pydantic import BaseModel

from extractor.forms.values import is_blank_marker, parse_amount, parse_value
from extractor.text.join import squeeze
from schemas import BudgetLine, Cell, ExtractionResult, Indicator, Paragraph, Problem, ScoreSummary, Table, Value

Record = Union[Indicator, BudgetLine, ScoreSummary]
RECORD_LISTS = ("indicators", "budget_lines", "scores", "narrative")
DOCUMENT_FIELDS = ("department", "year", "self_score", "review_score")
NOT_EDITABLE = frozenset({"id", "section", "source", "confidence", "page", "bbox"})
CELL_REF = re.compile(r"^(?P<table>[^.]+)\.r(?P<row>\d+)c(?P<col>\d+)$")
_NUMBER_IN_TEXT = re.compile(r"[-－−]?\d[\d,，]*(?:\.(\d+))?")


class CorrectionError(ValueError):
    """The ref names nothing correctable, or the text cannot be read as that field's type."""


@dataclass(frozen=True)
class Target:
    """What a ref points at: a record field, a document field, or a table cell."""

    kind: str
    """`record`, `document` or `cell`."""
    ref: str
    """The canonical ref (`i7.actual`, `document.year`, `t1.r5c2`)."""
    record_id: Optional[str] = None
    field: Optional[str] = None
    table_id: Optional[str] = None
    row: int = 0
    col: int = 0


@dataclass(frozen=True)
class Change:
    ref: str
    before: Any
    after: Any


def _plain(annotation: Any) -> Any:
    """`Optional[float]` → float; `Value` → Value."""
    if get_origin(annotation) in (Union, types.UnionType):
        members = [member for member in get_args(annotation) if member is not type(None)]
        return members[0] if len(members) == 1 else str
    return annotation


def find_record(result: ExtractionResult, record_id: str) -> Optional[Union[Record, Paragraph]]:
    for list_name in RECORD_LISTS:
        for record in getattr(result, list_name):
            if record.id == record_id:
                return record
    return None


def find_table(result: ExtractionResult, table_id: str) -> Optional[Table]:
    return next((table for table in result.tables if table.id == table_id), None)


def resolve(result: ExtractionResult, ref: str) -> Target:
    """The target of `ref` in this result; CorrectionError when it names nothing editable."""
    ref = ref.strip()
    cell = CELL_REF.match(ref)
    if cell and find_table(result, cell["table"]) is not None:
        return Target(kind="cell", ref=ref, table_id=cell["table"], row=int(cell["row"]), col=int(cell["col"]))
    head, _, rest = ref.partition(".")
    field = rest.split(".")[0]
    if not field:
        raise CorrectionError(f"{ref!r} 不是字段引用 (expected <record id>.<field>, e.g. i7.actual)")
    if head == "document":
        if field not in DOCUMENT_FIELDS:
            raise CorrectionError(f"document.{field} 不可更正 (correctable: {', '.join(DOCUMENT_FIELDS)})")
        return Target(kind="document", ref=f"document.{field}", field=field)
    record = find_record(result, head)
    if record is None:
        raise CorrectionError(f"没有记录 {head} (no record {head!r} in this document)")
    if field not in type(record).model_fields or field in NOT_EDITABLE:
        raise CorrectionError(f"{head}.{field} 不是可更正的字段 (not a correctable field of {type(record).__name__})")
    if rest != field and rest != f"{field}.raw":
        raise CorrectionError(f"{ref!r}: 只能更正整个字段 (correct {head}.{field} as printed text)")
    return Target(kind="record", ref=f"{head}.{field}", record_id=head, field=field)


def _owner(result: ExtractionResult, target: Target) -> BaseModel:
    """The model holding the target field (the document info, a record or a paragraph)."""
    if target.kind == "document":
        return result.document
    record = find_record(result, target.record_id or "")
    if record is None:
        raise CorrectionError(f"没有记录 {target.record_id} (no record {target.record_id!r} in this document)")
    return record


def _dump(value: Any) -> Any:
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value


def read_as(annotation: Any, text: Any, *, required: bool) -> Any:
    """The reviewer's input as a value of the field's type (JSON form: a Value is a dict)."""
    kind = _plain(annotation)
    if kind is Value:
        return parse_value(None if text is None else str(text)).model_dump(mode="json")
    if kind in (float, int):
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            number: Optional[float] = float(text)
        else:
            number = parse_amount(None if text is None else str(text))
            if number is None and not is_blank_marker(None if text is None else str(text)):
                raise CorrectionError(f"{text!r} 不是数字 (not a number)")
        if kind is int and number is not None:
            if number != int(number):
                raise CorrectionError(f"{text!r} 不是整数 (not a whole number)")
            return int(number)
        return number
    value = None if text is None else " ".join(str(text).split())
    if required and not value:
        raise CorrectionError("此字段不能为空 (this field cannot be blank)")
    return value or None


def current(result: ExtractionResult, target: Target) -> Any:
    if target.kind == "cell":
        cell = cell_at(find_table(result, target.table_id or ""), target.row, target.col)
        return None if cell is None else cell.text
    return _dump(getattr(_owner(result, target), target.field or ""))


def prepare(result: ExtractionResult, ref: str, text: Any) -> Change:
    """Check `ref` and read `text` as its field; nothing is changed yet."""
    target = resolve(result, ref)
    if target.kind == "cell":
        if cell_at(find_table(result, target.table_id or ""), target.row, target.col) is None:
            raise CorrectionError(f"{ref}: 表格中没有这个单元格 (no such cell)")
        return Change(ref=target.ref, before=current(result, target), after="" if text is None else str(text).strip())
    owner = _owner(result, target)
    field_info = type(owner).model_fields[target.field or ""]
    after = read_as(field_info.annotation, text, required=field_info.is_required())
    return Change(ref=target.ref, before=current(result, target), after=after)


def cell_at(table: Optional[Table], row: int, col: int) -> Optional[Cell]:
    """The cell covering (row, col), merged cells included."""
    if table is None:
        return None
    for cell in table.cells:
        if cell.row <= row < cell.row + cell.row_span and cell.col <= col < cell.col + cell.col_span:
            return cell
    return None


def apply(result: ExtractionResult, ref: str, after: Any) -> ExtractionResult:
    """A copy of `result` with `after` written at `ref` (findings are not recomputed here).

    A record field's cells are rewritten too: exactly the cells the reader read it from
    (`source.cells`). A cell it shares with another field (a 一级指标 merged over several rows, a
    weight printed in its label `产出指标(50分)`) gets only the part the field was read from; when
    that part cannot be told the cell is left as printed and a Problem of stage `review` says so.
    """
    corrected = result.model_copy(deep=True)
    target = resolve(corrected, ref)
    if target.kind == "cell":
        cell = cell_at(find_table(corrected, target.table_id or ""), target.row, target.col)
        if cell is None:
            raise CorrectionError(f"{ref}: 表格中没有这个单元格 (no such cell)")
        cell.text = "" if after is None else str(after)
        cell.confidence = 1.0
        return corrected
    owner = _owner(corrected, target)
    name = target.field or ""
    field_info = type(owner).model_fields[name]
    value = Value.model_validate(after) if _plain(field_info.annotation) is Value else after
    if isinstance(owner, (Indicator, BudgetLine, ScoreSummary)):
        # The cells are rewritten while the record still holds the old value (the part it printed).
        unplaced = _rewrite_cells(corrected, owner, name, getattr(owner, name), value)
        message = f"更正 {target.ref}: {unplaced}，单元格保留原文 (cell left as printed)"
        if unplaced and message not in [problem.message for problem in corrected.problems]:
            # Said once: the field may be corrected again with the cell still shared.
            corrected.problems.append(Problem(stage="review", message=message))
        owner.confidence[name] = 1.0
    setattr(owner, name, value)
    return corrected


def field_cells(result: ExtractionResult, record: Record, field: str) -> Optional[list[Cell]]:
    """The cells the reader read `field` from (`source.cells`), in printed order.

    None when the record carries no `source.cells` at all (a result stored before the reader kept
    them): only then may the caller fall back to `source_cell`. A record that has them but not for
    this field names no cell ([]): the field was not read from a cell (a level weight from a
    heading's note, a default), and nothing is looked up by value.
    """
    if not record.source.cells:
        return None
    table = find_table(result, record.source.table or "")
    refs = record.source.cells.get(field) or []
    cells = [cell_at(table, row, col) for row, col in refs]
    return [cell for cell in cells if cell is not None]


def _others_reading(result: ExtractionResult, table_id: str, cell: Cell, ref: str) -> list[tuple[Record, str]]:
    """The other record fields read from `cell` (record, field)."""
    table = find_table(result, table_id)
    found: list[tuple[Record, str]] = []
    records: list[Record] = [*result.indicators, *result.budget_lines, *result.scores]
    for record in records:
        if record.source.table != table_id:
            continue
        for name, refs in record.source.cells.items():
            # A ref may name any grid position a merged cell covers.
            if f"{record.id}.{name}" != ref and any(cell_at(table, r, c) is cell for r, c in refs):
                found.append((record, name))
    return found


_VALUE_PARTS = re.compile(r"^(?P<op>\D*?)(?P<number>[-－−]?\d[\d,，]*(?:\.\d+)?)(?P<unit>\D*)$")


def _rewrite_cells(result: ExtractionResult, record: Record, field: str, old: Any, new: Any) -> Optional[str]:
    """Write `new` into the cells `field` was read from; a message when a part could not be placed."""
    cells = field_cells(result, record, field)
    if cells is None:
        # Degraded path (no `source.cells`): the one cell of the row printing the old value, if one does.
        cell = source_cell(result, record, field, old)
        if cell is not None:
            cell.text = _printed(new, cell.text)
            cell.confidence = 1.0
        return None
    if not cells:
        return None
    table_id = record.source.table or ""
    ref = f"{record.id}.{field}"
    texts = _split_over(cells, new) if len(cells) > 1 else {id(cells[0]): _printed(new, cells[0].text)}
    if texts is None:
        return f"{_where(table_id, cells)} 分列印出，无法拆分新值 (value cannot be split over its cells)"
    refused = []
    for cell in cells:
        text = texts.get(id(cell))
        if text is None or squeeze(text) == squeeze(cell.text):
            continue
        others = _others_reading(result, table_id, cell, ref)
        if others:
            part = _replace_part(cell.text, old, text, [getattr(other, name) for other, name in others])
            if part is None:
                names = ", ".join(f"{other.id}.{name}" for other, name in others)
                refused.append(f"{_where(table_id, [cell])} 也是 {names} 的来源，无法确定 {ref} 读自哪一部分")
                continue
            text = part
        cell.text = text
        cell.confidence = 1.0
    return "；".join(refused) or None


def _where(table_id: str, cells: list[Cell]) -> str:
    return "、".join(f"{table_id}.r{cell.row}c{cell.col}" for cell in cells)


def _split_over(cells: list[Cell], new: Any) -> Optional[dict[int, str]]:
    """A Value printed over operator | value | unit cells: each cell's new text (by id(cell)).

    The number goes to the cell printing the number, the operator and unit to the cells before and
    after it; a part the new value does not print empties its cell. None when the new value has no
    single number to place (a qualitative 达标 over a split value).
    """
    raw = new.raw if isinstance(new, Value) else (None if new is None else str(new))
    numbered = [cell for cell in cells if _NUMBER_IN_TEXT.search(cell.text)]
    if len(numbered) != 1:
        return None
    value_cell = numbered[0]
    if not raw:
        return {id(cell): "" for cell in cells}
    parts = _VALUE_PARTS.match(squeeze(raw))
    if parts is None:
        return None
    index = cells.index(value_cell)
    texts = {id(value_cell): parts["number"]}
    for cell in cells[:index]:
        texts[id(cell)] = parts["op"]
    for cell in cells[index + 1 :]:
        texts[id(cell)] = parts["unit"]
    return texts


def _replace_part(text: str, old: Any, new_text: str, others: list[Any]) -> Optional[str]:
    """`text` with the part printing `old` replaced, when exactly one part prints it and no other
    field sharing the cell was read from that same part; else None (cannot be told)."""
    spans = _spans(text, old)
    if len(spans) != 1:
        return None
    start, end = spans[0]
    for other in others:
        if any(s < end and start < e for s, e in _spans(text, other)):
            return None
    replacement = _printed(_number_of(new_text), text[start:end]) if isinstance(old, (int, float)) else new_text
    return text[:start] + replacement + text[end:]


def _number_of(text: str) -> Optional[float]:
    return parse_amount(text)


def _spans(text: str, value: Any) -> list[tuple[int, int]]:
    """Where `text` prints `value`: a number as a figure, a string or Value by its printed text."""
    if value is None:
        return []
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [
            match.span()
            for match in _NUMBER_IN_TEXT.finditer(text)
            if (amount := parse_amount(match.group())) is not None and abs(amount - float(value)) < 1e-9
        ]
    printed = value.raw if isinstance(value, Value) else str(value)
    if not printed or not printed.strip():
        return []
    return [(m.start(), m.end()) for m in re.finditer(re.escape(printed.strip()), text)]


def source_cell(result: ExtractionResult, record: Record, field: str, value: Any) -> Optional[Cell]:
    """Degraded path for a result stored before the reader kept `source.cells`: the one cell of the
    record's row that prints the field's `value`. A blank value, or several cells printing it
    (分值 6, 得分 6), gives None — the cell is then not rewritten and the highlight is the row.
    """
    table = find_table(result, record.source.table or "")
    if table is None or record.source.row is None:
        return None
    row = record.source.row
    matching = [
        cell for cell in table.cells if cell.row <= row < cell.row + cell.row_span and _prints(cell.text, value)
    ]
    return matching[0] if len(matching) == 1 else None


def _prints(text: str, value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, Value):
        return value.raw is not None and squeeze(value.raw) != "" and squeeze(text) == squeeze(value.raw)
    if isinstance(value, (int, float)):
        amount = parse_amount(text)
        return amount is not None and abs(amount - float(value)) < 1e-9
    return squeeze(text) == squeeze(str(value)) and squeeze(text) != ""


def _printed(value: Any, old_text: str) -> str:
    """The corrected figure as the cell prints it: same decimals and % sign as the old text."""
    if value is None:
        return ""
    if isinstance(value, Value):
        return value.raw or ""
    if isinstance(value, (int, float)):
        return format_like(float(value), old_text)
    return str(value)


def format_like(number: float, old_text: str) -> str:
    match = _NUMBER_IN_TEXT.search(old_text)
    old_decimals = len(match.group(1) or "") if match else 0
    shortest = repr(number)
    own_decimals = len(shortest.split(".")[1]) if "." in shortest and "e" not in shortest else 0
    if shortest.endswith(".0"):
        own_decimals = 0
    text = f"{number:.{max(old_decimals, own_decimals)}f}"
    return text + ("%" if "%" in old_text or "％" in old_text else "")


# --- anchors: a stored correction finds its field again after a re-extraction ------------------


class Unplaceable(CorrectionError):
    """A stored correction's cells are gone or print something else now."""


def anchor_of(result: ExtractionResult, ref: str) -> Optional[dict[str, Any]]:
    """The cells `ref` is printed in and their text now, stored with the correction.

    `{"field": "actual", "table": "t1", "cells": [{"row": 5, "col": 2, "text": "90%"}]}`; a cell ref
    has no `field`. None for a document field, a paragraph, or a field read from no cell.
    """
    target = resolve(result, ref)
    if target.kind == "cell":
        table = find_table(result, target.table_id or "")
        cell = cell_at(table, target.row, target.col)
        if table is None or cell is None:
            return None
        return {"table": table.id, "cells": [{"row": cell.row, "col": cell.col, "text": cell.text}]}
    if target.kind != "record":
        return None
    record = find_record(result, target.record_id or "")
    if record is None or isinstance(record, Paragraph):
        return None
    field = target.field or ""
    cells = field_cells(result, record, field)
    if cells is None:
        cell = source_cell(result, record, field, getattr(record, field))
        cells = [] if cell is None else [cell]
    if not cells:
        return None
    return {
        "field": field,
        "table": record.source.table,
        "cells": [{"row": cell.row, "col": cell.col, "text": cell.text} for cell in cells],
    }


def place(result: ExtractionResult, ref: str, anchor: Optional[dict[str, Any]], *, same_text: bool = True) -> str:
    """The ref a stored correction applies to in `result`, found by its anchor.

    The anchored cells must print the same text as when the correction was made: in the table of
    the same id, else in the one table that prints them all at those positions (a newer reader may
    number tables differently too). A field is then the one record field read from exactly those
    cells (its id may have changed, b31 → b1). Without an anchor (a document field, a correction
    stored before anchors) the stored ref is used as it is. `same_text=False` places by position
    alone: undoing a correction finds the cells it rewrote, which print its own text now.
    Raises Unplaceable.
    """
    if not anchor or not anchor.get("cells"):
        return ref
    cells = [(int(cell["row"]), int(cell["col"]), str(cell["text"])) for cell in anchor["cells"]]
    where = "、".join(f"{anchor.get('table')}.r{row}c{col}" for row, col, _ in cells)
    table = _anchored_table(result, str(anchor.get("table")), cells, same_text)
    if table is None:
        printed = "」「".join(text for _, _, text in cells)
        raise Unplaceable(f"单元格 {where} 已不存在或不再印有「{printed}」 (cell gone or its printed text changed)")
    field = anchor.get("field")
    if field is None:
        row, col, _ = cells[0]
        return f"{table.id}.r{row}c{col}"
    wanted = {(row, col) for row, col, _ in cells}
    records: list[Record] = [*result.indicators, *result.budget_lines, *result.scores]
    reading = {
        record.id: _top_left(table, record.source.cells.get(str(field), []))
        for record in records
        if record.source.table == table.id
    }
    exact = [record_id for record_id, read in reading.items() if read == wanted]
    # An anchor taken from a result without `source.cells` names only the cell printing the value;
    # the reader now reads the field from it and its operator/unit cells.
    within = [record_id for record_id, read in reading.items() if wanted < read]
    found = exact or within
    if len(found) == 1:
        return f"{found[0]}.{field}"
    raise Unplaceable(f"没有记录的 {field} 读自单元格 {where} (no record field is read from these cells now)")


def _top_left(table: Table, refs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """Grid positions as the cells covering them (a merged cell by its top-left, as anchors store it)."""
    cells = [cell_at(table, row, col) for row, col in refs]
    return {(cell.row, cell.col) for cell in cells if cell is not None}


def _anchored_table(
    result: ExtractionResult, table_id: str, cells: list[tuple[int, int, str]], same_text: bool
) -> Optional[Table]:
    def prints_all(table: Table) -> bool:
        for row, col, text in cells:
            cell = cell_at(table, row, col)
            if cell is None or (cell.row, cell.col) != (row, col):
                return False
            if same_text and squeeze(cell.text) != squeeze(text):
                return False
        return True

    if not same_text:
        same = find_table(result, table_id)
        return same if same is not None and prints_all(same) else None

    same = find_table(result, table_id)
    if same is not None and prints_all(same):
        return same
    others = [table for table in result.tables if table.id != table_id and prints_all(table)]
    return others[0] if len(others) == 1 else None
