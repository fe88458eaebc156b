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
from schemas import BudgetLine, Cell, ExtractionResult, Indicator, Paragraph, ScoreSummary, Table, Value

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
    """A copy of `result` with `after` written at `ref` (findings are not recomputed here)."""
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
        # The cell is found while the record still holds the old value (it is how the cell is told).
        cell = source_cell(corrected, owner, name, getattr(owner, name))
        if cell is not None:
            cell.text = _printed(value, cell.text)
            cell.confidence = 1.0
        owner.confidence[name] = 1.0
    setattr(owner, name, value)
    return corrected


def source_cell(
    result: ExtractionResult, record: Record, field: str, value: Any, view: Optional[Any] = None
) -> Optional[Cell]:
    """The cell of the record's row that prints the field's `value`.

    The value decides when one cell of the row prints it. When several do (分值 6, 得分 6), the
    reader's `source.cells` (through extractor.rules DocView.ref) picks among them; a blank value,
    or a tie it cannot break, gives None. Pass `view` (a DocView of `result`) when asking for many
    fields of one result.
    """
    table = find_table(result, record.source.table or "")
    if table is None or record.source.row is None:
        return None
    row = record.source.row
    matching = [
        cell for cell in table.cells if cell.row <= row < cell.row + cell.row_span and _prints(cell.text, value)
    ]
    if len(matching) <= 1:
        return matching[0] if matching else None
    from extractor.rules.docview import DocView  # late: the validator is optional for reading

    view = view or DocView(result)
    named = [cell for cell in matching if view.ref(table.id, cell.row, cell.col) == f"{record.id}.{field}"]
    return named[0] if len(named) == 1 else None


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
