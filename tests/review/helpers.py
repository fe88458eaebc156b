"""Putting documents into the store directly (as ingest would), and waiting for uploads."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Optional

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from extractor.review.records import reapply_corrections
from extractor.store import save_result, session_scope
from schemas import ExtractionResult, Finding

UNSURE = 0.3
"""The confidence `variant(low_confidence=n)` gives the first n indicators' actual values."""


def variant(
    result: ExtractionResult,
    number: int,
    *,
    department: Optional[str] = None,
    year: Optional[int] = None,
    findings: tuple[tuple[str, str], ...] = (),
    low_confidence: int = 0,
) -> ExtractionResult:
    """A copy of `result` posing as another file: own sha256, and the given fields, findings and confidences."""
    copy = result.model_copy(deep=True)
    copy.document.sha256 = f"{number:064x}"
    copy.document.file = f"copy-{number}.pdf"
    if department is not None:
        copy.document.department = department
    if year is not None:
        copy.document.year = year
    copy.findings = [
        Finding(
            id=f"f{n + 1}",
            rule=rule,
            severity=severity,
            message=f"{rule} 测试",  # type: ignore[arg-type]
            refs=[f"{copy.indicators[0].id}.score"],
        )
        for n, (rule, severity) in enumerate(findings)
    ]
    for indicator in copy.indicators[:low_confidence]:
        # Below any confidence the reader gives (its lowest role certainty is 0.5): these fields stand out.
        indicator.confidence["actual"] = UNSURE
    return copy


def store(engine: Engine, result: ExtractionResult, path: Optional[Path] = None) -> int:
    """Save as ingest does (records, then corrections re-applied and review counts)."""
    with session_scope(engine) as session:
        document = save_result(session=session, result=result, path=path)
        reapply_corrections(session=session, document=document, result=result)
        assert document.id is not None
        return document.id


def wait_until_processed(
    client: TestClient, document_id: int, headers: dict[str, str], timeout_s: float = 90.0
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        body = client.get(f"/api/documents/{document_id}", headers=headers).json()
        if body["status"] in ("done", "failed"):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"document {document_id} still {body['status']} after {timeout_s} s")
        time.sleep(0.2)
