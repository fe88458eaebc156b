"""sum_mismatch along the reader's level hierarchy (`parent` of score summaries and indicators).

The reader links every indicator to its level subtotal and every subtotal to the one above
(二级 → 一级 → 总分), and a 预算执行 summary to the 总分 where the form counts it. Each
summary with children must equal the sum of their weights, scores and review scores, within
the SPEC's tolerance for a sum of printed parts. A top total beside a 预算执行 part the reader
did not link under it is left to `scores.score_totals`, which weighs the readings with and without
that part across weight and score together (forms differ on whether 总分 includes it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Optional, Union

from extractor.facts.tolerance import Printed, decimals_of, format_number, sum_agrees, sum_tolerance
from extractor.forms.lexicon import lexicon
from extractor.rules.docview import DocView
from extractor.rules.findings import Draft, figure
from schemas import BudgetLine, Indicator, ScoreSummary
from schemas.records import Severity

Member = Union[Indicator, ScoreSummary]
Budget = Union[ScoreSummary, BudgetLine]
LEVEL_FIELDS = ("weight", "score", "review_score")
FIELD_WORDS = {"weight": "分值", "score": "得分", "review_score": "复核得分"}
MAX_NAMED = 4


def children_of(view: DocView) -> dict[str, list[Member]]:
    """Summary id → the records whose `parent` names it, in document order."""
    return view.memo("hierarchy", "children", lambda: _children(view))


def _children(view: DocView) -> dict[str, list[Member]]:
    children: dict[str, list[Member]] = {}
    summaries = {s.id for s in view.result.scores}
    records: list[Member] = [*view.result.scores, *view.result.indicators]
    for record in records:
        if record.parent is not None and record.parent in summaries:
            children.setdefault(record.parent, []).append(record)
    return children


def _name(record: Member) -> str:
    return record.name if isinstance(record, Indicator) else record.label


def _names(records: list[Member]) -> str:
    shown = "、".join(_name(r) for r in records[:MAX_NAMED])
    return shown + (f"等{len(records)}项" if len(records) > MAX_NAMED else "")


def _budget_sibling(view: DocView, summary: ScoreSummary, members: list[Member]) -> Optional[Budget]:
    """The form's 预算执行 part when the reader did not count it under the top total.

    A 预算执行 score summary of the section, else its scored budget line (年度资金总额 分值 10 得分 9.99).
    """
    budget = lexicon().score_lines.budget
    if summary.parent is not None or any(isinstance(m, ScoreSummary) and m.label in budget for m in members):
        return None
    summaries = [
        s for s in view.result.scores if s.section == summary.section and s.label in budget and s.parent is None
    ]
    if summaries:
        return summaries[0]
    return next((b for b in view.result.budget_lines if b.section == summary.section and b.weight is not None), None)


def _parts(view: DocView, members: list[Member], name: str) -> tuple[list[Member], Optional[list[Printed]]]:
    """The children that carry the figure, and their figures; None when one is blank.

    A level summary that prints only its weight (产出指标(50分), no subtotal score) stands for its
    own children in a score sum: 总分 得分 is then the sum of the indicators' scores below it.
    """
    children = children_of(view)
    carriers: list[Member] = []
    pending = list(members)
    while pending:
        member = pending.pop(0)
        below = children.get(member.id) if isinstance(member, ScoreSummary) else None
        if view.printed_field(member, name) is None and below:
            pending[:0] = below
        else:
            carriers.append(member)
    printed = [view.printed_field(m, name) for m in carriers]
    parts = [p for p in printed if p is not None]
    if len(parts) < len(printed):
        return carriers, None  # missing_value reports the blank
    return carriers, parts


def _leaves(view: DocView, members: list[Member]) -> list[Member]:
    children = children_of(view)
    leaves: list[Member] = []
    for member in members:
        below = children.get(member.id) if isinstance(member, ScoreSummary) else None
        leaves.extend(_leaves(view, below) if below else [member])
    return leaves


def _agrees_with_leaves(view: DocView, members: list[Member], name: str, total: Printed) -> bool:
    """The total equals the sum of the indicators under its subtotals (so a subtotal is what is wrong)."""
    leaves = _leaves(view, members)
    if leaves == members:
        return False
    _, parts = _parts(view, leaves, name)
    return parts is not None and sum_agrees(parts, total)


def _check(view: DocView, summary: ScoreSummary, children: list[Member], name: str) -> Optional[Draft]:
    total = view.printed_field(summary, name)
    if total is None:
        return None
    members, parts = _parts(view, children, name)
    if parts is None or sum_agrees(parts, total):
        return None
    if _agrees_with_leaves(view, members, name, total):
        return None  # a subtotal below is the odd one out: it is reported against its own children
    decimals = decimals_of(parts)
    computed = sum(p.value for p in parts)
    what = FIELD_WORDS[name]
    expected, reach = figure(computed, decimals), ""
    cut = cut_reach(view, summary, name, parts, total)
    severity: Severity = "error"
    if cut is not None and (cut.room is None or not cut.exceeded):
        # The rows the document no longer prints can make up the difference: shown, not counted as an error
        # (a whole form missing a row at its very end reads the same).
        severity, reach = "info", "；表格在此截止，其余各项未列出，无法核对"
    elif cut is not None and cut.room is not None and total.value > computed:
        expected = figure(computed + cut.room, decimals)
        reach = (
            f"；表格在此截止，未列出的部分至多再得{format_number(cut.room, decimals)}{what[-1]}，"
            f"合计至多{format_number(computed + cut.room, decimals)}"
        )
    refs = [f"{summary.id}.{name}", *(f"{m.id}.{name}" for m in members)]
    names = _names(members)
    message = (
        f"「{summary.label}」{what}{total.show()}，而其下{len(members)}项（{names}）{what}合计"
        f"{format_number(computed, decimals)}{reach}"
    )
    return Draft("sum_mismatch", severity, message, tuple(refs), expected=expected, found=total.value)


@dataclass
class Cut:
    room: Optional[float]
    """At most how much the rows the document no longer prints can add (None: no bound is printed)."""
    exceeded: bool = False
    """The total is more than the printed parts and that room together (or less than the parts alone)."""


def cut_reach(view: DocView, summary: ScoreSummary, name: str, parts: list[Printed], total: Printed) -> Optional[Cut]:
    """For a summary whose rows the document stops inside: whether its total can still hold.

    None when the summary is complete (its total must equal its parts). Otherwise the printed parts
    are a lower bound, and for scores the weights not yet accounted for bound what is missing.
    """
    if not _open_at_end(view, summary):
        return None
    computed = sum(p.value for p in parts)
    tolerance = sum_tolerance(parts, total)
    if computed > total.value + tolerance + 1e-9:
        return Cut(0.0, exceeded=True)  # the printed parts alone exceed the total: no missing row helps
    room = None if name == "weight" else _missing_weight(view, summary)
    return Cut(room, exceeded=room is not None and total.value > computed + room + tolerance + 1e-9)


def _ends_document(view: DocView, table_id: Optional[str]) -> bool:
    """Nothing follows this table: it is the last table and no paragraph is printed below it."""
    tables = view.result.tables
    if table_id is None or not tables or tables[-1].id != table_id:
        return False
    table = tables[-1]
    boxes = [(c.page, c.bbox[3]) for c in table.cells if c.bbox is not None]
    if not boxes:
        return False  # no positions (office files): a paragraph after it cannot be ruled out
    last_page, bottom = max(boxes)
    for paragraph in view.result.narrative:
        if paragraph.page > last_page or (
            paragraph.page == last_page and paragraph.bbox is not None and paragraph.bbox[1] >= bottom
        ):
            return False
    return True


def _rows(record: Member) -> list[int]:
    return [row for cells in record.source.cells.values() for row, _ in cells]


def _descendants(view: DocView, summary: ScoreSummary) -> list[Member]:
    found: list[Member] = []
    for child in children_of(view).get(summary.id, []):
        found.append(child)
        if isinstance(child, ScoreSummary):
            found.extend(_descendants(view, child))
    return found


def _open_at_end(view: DocView, summary: ScoreSummary) -> bool:
    """A summary printed above its rows whose rows run to the end of a document that stops there.

    A published form cut after its first page (a web page's preview) ends inside its last level:
    the rows printed so far are a part of the summary's children, not all of them. A summary
    printed after its rows (a closing 总分 row) or followed by anything else is complete.
    """
    return view.memo("hierarchy", ("open", summary.id), lambda: _opens_to_end(view, summary))


def _opens_to_end(view: DocView, summary: ScoreSummary) -> bool:
    table_id = summary.source.table
    own = _rows(summary)
    below = [row for record in _descendants(view, summary) if record.source.table == table_id for row in _rows(record)]
    if not own or not below or min(own) > min(below) or not _ends_document(view, table_id):
        return False  # a closing row (总分 under its rows), or a table something else follows
    records: list = [*view.result.indicators, *view.result.budget_lines, *view.result.scores]
    # No record is read from a row after this summary's rows (blank 指标2: placeholder rows may follow).
    return all(row <= max(below) for record in records if record.source.table == table_id for row in _rows(record))


def _missing_weight(view: DocView, summary: ScoreSummary) -> Optional[float]:
    children = children_of(view).get(summary.id, [])
    weights = [view.printed_field(child, "weight") for child in children]
    if not children or any(w is None for w in weights):
        return None
    printed = sum(w.value for w in weights if w is not None)
    own = view.printed_field(summary, "weight")
    # A top total printing no weight (自评得分 98) counts the full marks of the levels it prints.
    room = max(0.0, own.value - printed) if own is not None else 0.0 if summary.parent is None else None
    if room is None:
        return None
    last = children[-1]
    if isinstance(last, ScoreSummary) and _open_at_end(view, last):
        below = _missing_weight(view, last)
        return None if below is None else room + below
    return room


def hierarchy_sums(view: DocView) -> Iterator[Draft]:
    """Every summary with children against the sum of its children, field by field."""
    children = children_of(view)
    for summary in view.result.scores:
        members = children.get(summary.id)
        if not members or not _checked_here(view, summary, members):
            continue
        for name in LEVEL_FIELDS:
            draft = _check(view, summary, members, name)
            if draft is not None:
                yield draft


def _checked_here(view: DocView, summary: ScoreSummary, members: list[Member]) -> bool:
    """A top total beside an unlinked 预算执行 part is judged by score_totals, which weighs the readings
    with and without it across weight and score together (分值90 without it, 得分98 only with it)."""
    return not (summary.parent is None and _budget_sibling(view, summary, members) is not None)


def has_children(view: DocView, summary: ScoreSummary) -> bool:
    """The reader linked records under this summary and the hierarchy rule checks it."""
    members = children_of(view).get(summary.id)
    return members is not None and _checked_here(view, summary, members)
