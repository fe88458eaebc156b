"""PATCH …/fields: re-parsed, confidence 1.0, re-validated, audited, and kept through `ingest --force`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import Engine

from extractor.ingest import IngestOptions, ingest
from extractor.rules import validate
from extractor.store import add_correction, session_scope
from schemas import ExtractionResult
from tests.review.conftest import SEED_001, Service
from tests.review.helpers import store


def _indicator(body: dict, record_id: str) -> dict:  # type: ignore[type-arg]
    return next(item for item in body["indicators"] if item["id"] == record_id)


def test_a_correction_is_re_parsed_audited_and_answered_with_the_updated_result(
    service: Service, engine: Engine, seed_001: ExtractionResult
) -> None:
    document_id = store(engine, seed_001, SEED_001)
    client, reviewer = service.client, service.auth("reviewer")
    response = client.patch(
        f"/api/documents/{document_id}/fields",
        headers=reviewer,
        json={"ref": "i2.actual", "value": "5期", "reason": "原表笔误"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    actual = _indicator(body, "i2")["actual"]
    assert actual == {"raw": "5期", "op": None, "value": 5.0, "unit": "期", "qualitative": False}
    assert _indicator(body, "i2")["confidence"]["actual"] == 1.0
    assert body["status"] == "done" and body["id"] == document_id
    # The answer is what is now stored, findings included (recomputed by the validator).
    stored = client.get(f"/api/documents/{document_id}", headers=reviewer).json()
    assert stored == body
    corrected = ExtractionResult.model_validate({k: v for k, v in body.items() if k in ExtractionResult.model_fields})
    assert corrected.findings == validate(corrected)

    client.patch(f"/api/documents/{document_id}/fields", headers=reviewer, json={"ref": "i2.actual", "value": "6期"})
    audit = client.get(f"/api/documents/{document_id}/corrections", headers=service.auth("ingest")).json()
    assert [
        (entry["who"], entry["ref"], entry["before"]["raw"], entry["after"]["raw"], entry["reason"]) for entry in audit
    ] == [
        ("reviewer-测试", "i2.actual", "658.82 万元", "5期", "原表笔误"),
        ("reviewer-测试", "i2.actual", "5期", "6期", None),
    ]
    assert all(entry["at"].endswith("+00:00") for entry in audit)


def test_bad_corrections_are_refused_and_change_nothing(
    service: Service, engine: Engine, seed_001: ExtractionResult
) -> None:
    document_id = store(engine, seed_001, SEED_001)
    client, reviewer = service.client, service.auth("reviewer")
    before = client.get(f"/api/documents/{document_id}", headers=reviewer).json()
    for ref, value in (("i99.actual", "1"), ("c1.score", "很多"), ("i1.source", "x")):
        response = client.patch(
            f"/api/documents/{document_id}/fields", headers=reviewer, json={"ref": ref, "value": value}
        )
        assert response.status_code == 422, response.text
    assert (
        client.patch("/api/documents/999/fields", headers=reviewer, json={"ref": "i1.actual", "value": "1"}).status_code
        == 404
    )
    assert client.get(f"/api/documents/{document_id}", headers=reviewer).json() == before
    assert client.get(f"/api/documents/{document_id}/corrections", headers=reviewer).json() == []


def test_the_corrected_total_clears_its_sum_finding(
    service: Service, engine: Engine, seed_001: ExtractionResult
) -> None:
    """Seed 001 prints 总分 98 over indicator scores adding up to 88: the validator flags c1.score."""
    flagged = [f for f in seed_001.findings if f.rule == "sum_mismatch" and "c1.score" in f.refs]
    if not seed_001.findings:
        pytest.skip("the validator on this branch is still the placeholder (no findings at all)")
    assert flagged, [f.model_dump() for f in seed_001.findings]
    document_id = store(engine, seed_001, SEED_001)
    body = service.client.patch(
        f"/api/documents/{document_id}/fields",
        headers=service.auth("reviewer"),
        json={"ref": "c1.score", "value": "88", "reason": "指标得分合计为88"},
    ).json()
    assert not [f for f in body["findings"] if f["rule"] == "sum_mismatch" and "c1.score" in f["refs"]]


def test_corrections_survive_ingest_force(service: Service, engine: Engine, tmp_path: Path) -> None:
    source = Path(shutil.copy(SEED_001, tmp_path / "001.pdf"))
    options = IngestOptions(workers=1, timeout_s=120)
    assert ingest(engine=engine, paths=[source], options=options, show_progress=False).ok == 1
    client, reviewer = service.client, service.auth("reviewer")
    listed = client.get("/api/documents", headers=reviewer).json()["items"]
    document_id = listed[0]["id"]
    client.patch(
        f"/api/documents/{document_id}/fields",
        headers=reviewer,
        json={"ref": "i2.actual", "value": "600万元", "reason": "复核更正"},
    )
    client.patch(
        f"/api/documents/{document_id}/fields", headers=reviewer, json={"ref": "document.year", "value": "2024"}
    )

    forced = ingest(
        engine=engine, paths=[source], options=options.model_copy(update={"force": True}), show_progress=False
    )
    assert (forced.ok, forced.skipped) == (1, 0)
    body = client.get(f"/api/documents/{document_id}", headers=reviewer).json()
    assert _indicator(body, "i2")["actual"]["raw"] == "600万元"
    assert _indicator(body, "i2")["confidence"]["actual"] == 1.0
    assert body["document"]["year"] == 2024
    assert not body["problems"], "every correction found its field again"
    audit = client.get(f"/api/documents/{document_id}/corrections", headers=reviewer).json()
    assert [entry["ref"] for entry in audit] == ["i2.actual", "document.year"]
    # A plain re-run skips the document and leaves it as corrected.
    assert ingest(engine=engine, paths=[source], options=options, show_progress=False).skipped == 1
    again = client.get(f"/api/documents/{document_id}", headers=reviewer).json()
    assert again == body


def test_a_document_can_be_marked_reviewed(service: Service, engine: Engine, seed_001: ExtractionResult) -> None:
    document_id = store(engine, seed_001, SEED_001)
    client = service.client
    marked = client.post(
        f"/api/documents/{document_id}/review", headers=service.auth("reviewer"), json={"reviewed": True}
    )
    assert marked.status_code == 200 and marked.json()["reviewed_by"] == "reviewer-测试"
    body = client.get(f"/api/documents/{document_id}", headers=service.auth("reviewer")).json()
    assert body["review"]["reviewed"] is True
    assert client.get("/api/documents?reviewed=false", headers=service.auth("reviewer")).json()["total"] == 0
    client.post(f"/api/documents/{document_id}/review", headers=service.auth("admin"), json={"reviewed": False})
    assert client.get("/api/documents?reviewed=false", headers=service.auth("reviewer")).json()["total"] == 1


def test_the_department_follows_a_corrected_cell_in_the_answer_and_the_store(
    service: Service, engine: Engine, seed_001: ExtractionResult
) -> None:
    document_id = store(engine, seed_001, SEED_001)
    client, reviewer = service.client, service.auth("reviewer")
    response = client.patch(
        f"/api/documents/{document_id}/fields", headers=reviewer, json={"ref": "t1.r0c2", "value": "庆城县教育和体育局"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["document"]["department"] == "庆城县教育和体育局"
    listed = client.get("/api/documents", headers=reviewer).json()["items"]
    assert [item["department"] for item in listed if item["id"] == document_id] == ["庆城县教育和体育局"]


def test_the_audit_shows_each_corrections_anchor_and_whether_it_applies_now(
    service: Service, engine: Engine, seed_001: ExtractionResult
) -> None:
    document_id = store(engine, seed_001, SEED_001)
    client, reviewer = service.client, service.auth("reviewer")
    for ref, value in (("i2.actual", "5期"), ("i2.actual", "6期"), ("document.year", "2024")):
        response = client.patch(
            f"/api/documents/{document_id}/fields", headers=reviewer, json={"ref": ref, "value": value}
        )
        assert response.status_code == 200, response.text
    with session_scope(engine) as session:
        # A correction whose cell prints something else in every extraction: it can never be placed again.
        add_correction(
            session=session,
            document_id=document_id,
            who="reviewer-测试",
            ref="i1.actual",
            before=None,
            after=None,
            anchor={"field": "actual", "table": "t1", "cells": [{"row": 1, "col": 1, "text": "从未印过的文字"}]},
        )
    store(engine, seed_001, SEED_001)  # re-extracted as ingest --force does: corrections placed again

    audit = client.get(f"/api/documents/{document_id}/corrections", headers=reviewer).json()
    assert [(entry["ref"], entry["current_ref"], entry["applies"]) for entry in audit] == [
        ("i2.actual", "i2.actual", False),  # replaced by the next one
        ("i2.actual", "i2.actual", True),
        ("document.year", "document.year", True),
        ("i1.actual", None, False),
    ]
    first, second, year, _ = audit
    assert first["anchor"]["field"] == "actual" and first["anchor"]["table"]
    assert "658.82" in "".join(cell["text"] for cell in first["anchor"]["cells"])
    assert "5期" in "".join(cell["text"] for cell in second["anchor"]["cells"])
    assert all(isinstance(cell["row"], int) and isinstance(cell["col"], int) for cell in first["anchor"]["cells"])
    assert year["anchor"] is None
    body = client.get(f"/api/documents/{document_id}", headers=reviewer).json()
    assert _indicator(body, "i2")["actual"]["raw"] == "6期"
