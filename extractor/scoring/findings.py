"""The `proposed_scores` rule: self-scores against the proposals the scoring stage left on the records.

Run by the validator like every rule (one entry in extractor/rules/registry.py), so a correction that
re-validates a document keeps these findings. It only reads proposal fields; a result that was never
scored has none and yields nothing.

- a deduction of a section (self-score above the proposal beyond rounding) → `score_inconsistent`
  warning carrying the proposed score;
- a self-score below the expected score beyond rounding → `score_inconsistent` info (the reviewer decides).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Optional

from extractor.scoring.records import Scored, record_name, scored_records
from extractor.scoring.rules import number

if TYPE_CHECKING:  # the validator's registry imports this module: no import of extractor.rules at load time
    from extractor.rules.docview import DocView
    from extractor.rules.findings import Draft


def _records(view: DocView) -> dict[str, Scored]:
    return {r.id: r for r in scored_records(view.result)}


def _half_unit(view: DocView, record: Scored) -> float:
    printed = view.printed_field(record, "score")
    return max(printed.half_unit if printed is not None else 0.0, 0.005) + 1e-9


def proposed_scores(view: DocView) -> Iterator[Draft]:
    from extractor.rules.findings import Draft  # late: see the import note above

    records = _records(view)
    deducted: set[str] = set()
    for section in view.result.sections:
        for deduction in section.deductions:
            record_id = deduction.ref.split(".", 1)[0]
            record: Optional[Scored] = records.get(record_id)
            if record is None or record.score is None:
                continue
            deducted.add(record_id)
            proposed = round(record.score - deduction.points, 4)
            yield Draft(
                "score_inconsistent",
                "warning",
                f"「{record_name(record)}」自评得分{number(record.score)}高于评分方案建议的{number(proposed)}"
                f"（{deduction.reason}）",
                (deduction.ref, f"{record_id}.expected_score"),
                expected=proposed,
                found=record.score,
            )
    for record in records.values():
        expected, score = record.expected_score, record.score
        if record.id in deducted or expected is None or score is None:
            continue
        if expected - score > _half_unit(view, record):
            yield Draft(
                "score_inconsistent",
                "info",
                f"「{record_name(record)}」自评得分{number(score)}低于评分方案建议的{number(expected)}（{record.scoring}），"
                "由复核人员决定",
                (f"{record.id}.score", f"{record.id}.expected_score"),
                expected=expected,
                found=score,
            )
