"""The corrections audit as the API answers it: each correction with its anchor and where it applies now.

A correction is stored once and never changed; a re-extraction places it again by its anchor
(records.with_corrections), and one that cannot be placed becomes a `review` problem naming it. The
audit reads both back: the problem says it was not applied, the anchor says where it lands now.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Optional

from pydantic import BaseModel

from extractor.review.corrections import CorrectionError, place
from models import Correction, as_utc
from schemas import ExtractionResult, Problem

_UNPLACED_OPENING = "更正 #"
"""How `unplaced_problem`'s message opens, before the correction's id: written and read back from this one string."""
_UNPLACED = re.compile(rf"^{re.escape(_UNPLACED_OPENING)}(\d+) ")


def unplaced_problem(correction: Correction, error: CorrectionError) -> Problem:
    """The `review` problem of a stored correction that a re-extraction could not place."""
    return Problem(
        stage="review", message=f"{_UNPLACED_OPENING}{correction.id} ({correction.ref}) 未能重新应用: {error}"
    )


def unplaced_ids(result: ExtractionResult) -> set[int]:
    """Ids of the corrections the last application left out (their `unplaced_problem`s in `result`)."""
    found = (_UNPLACED.match(problem.message) for problem in result.problems if problem.stage == "review")
    return {int(match.group(1)) for match in found if match}


class AnchorCell(BaseModel):
    row: int
    col: int
    text: str
    """What the cell printed when the correction was made."""


class CorrectionAnchor(BaseModel):
    """Where the corrected field is printed (corrections.anchor)."""

    field: Optional[str] = None
    """The record field read from `cells`; None for a correction of one cell."""
    table: Optional[str] = None
    cells: list[AnchorCell]


class AuditEntry(BaseModel):
    """One correction in `GET /api/documents/{id}/corrections`."""

    id: Optional[int]
    who: str
    at: Optional[str]
    """ISO 8601 in UTC (`+00:00`)."""
    ref: str
    """The ref it was made on (record ids may have changed since: see `current_ref`)."""
    before: Any
    after: Any
    reason: Optional[str]
    anchor: Optional[CorrectionAnchor] = None
    """None for a document field and for corrections stored before anchors (migration 0004)."""
    current_ref: Optional[str] = None
    """The ref its anchor lands on in the stored result now; None when it lands nowhere, or the
    document holds no result (not done)."""
    applies: Optional[bool] = None
    """Whether its value is the one shown now: placed at the last application and not replaced by a
    later correction of the same field (an undo is such a correction). None when the document holds
    no result."""


def audit_entries(result: Optional[ExtractionResult], corrections: Sequence[Correction]) -> list[AuditEntry]:
    """The audit of `corrections` (oldest first) against the stored `result` (None: not done)."""
    unplaced = set() if result is None else unplaced_ids(result)
    current: list[Optional[str]] = [
        None if result is None or c.id in unplaced else _landing(result, c) for c in corrections
    ]
    entries: list[AuditEntry] = []
    for index, c in enumerate(corrections):
        ref = current[index]
        later = set(current[index + 1 :])
        entries.append(
            AuditEntry(
                id=c.id,
                who=c.who,
                at=as_utc(c.at).isoformat() if c.at else None,
                ref=c.ref,
                before=c.before,
                after=c.after,
                reason=c.reason,
                anchor=CorrectionAnchor.model_validate(c.anchor) if c.anchor else None,
                current_ref=ref,
                applies=None if result is None else ref is not None and ref not in later,
            )
        )
    return entries


def _landing(result: ExtractionResult, correction: Correction) -> Optional[str]:
    """The ref `correction` lands on in `result` by the positions of its cells (their text is its own
    value once applied, as undo finds them), or None."""
    try:
        return place(result, correction.ref, correction.anchor, same_text=False)
    except CorrectionError:
        return None
