"""Reviewer workflow over the API (SQLite and PostgreSQL): failed documents first with a retry for the
admin, undo as a correction, accepting a flagged field by its stable finding key, offline docs, the font."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import Engine

from extractor.store import mark_failed, register_file, session_scope
from schemas import ExtractionResult
from tests.review.conftest import SEED_001, Service
from tests.review.helpers import store, variant, wait_until_processed


def _queue(service: Service) -> list[dict]:  # type: ignore[type-arg]
    response = service.client.get("/api/documents?order=queue", headers=service.auth("reviewer"))
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_failed_documents_lead_the_queue_and_an_admin_can_retry_them(
    service: Service, engine: Engine, seed_001: ExtractionResult, tmp_path: Path
) -> None:
    flagged = store(engine, variant(seed_001, 1, findings=(("sum_mismatch", "error"),)))
    source = Path(shutil.copy(SEED_001, tmp_path / "again.pdf"))
    with session_scope(engine) as session:
        broken = register_file(session=session, sha256=seed_001.document.sha256, path=source)
        mark_failed(session=session, document=broken, error="again.pdf: 处理超时")
        broken_id = broken.id
    queue = _queue(service)
    assert [item["id"] for item in queue] == [broken_id, flagged]
    assert queue[0]["status"] == "failed" and queue[0]["error"] == "again.pdf: 处理超时"

    url = f"/api/documents/{broken_id}/retry"
    assert service.client.post(url, headers=service.auth("reviewer")).status_code == 403
    assert service.client.post(url, headers=service.auth("ingest")).status_code == 403
    retried = service.client.post(url, headers=service.auth("admin"))
    assert retried.status_code == 202, retried.text
    body = wait_until_processed(service.client, broken_id, service.auth("admin"))
    assert body["status"] == "done" and body["error"] is None
    assert _queue(service)[0]["status"] == "done", "once read, it leaves the head of the queue"
    # A document that has not failed is not retried.
    assert service.client.post(url, headers=service.auth("admin")).status_code == 409


def test_undo_writes_the_old_value_back_as_a_new_correction(
    service: Service, engine: Engine, seed_001: ExtractionResult
) -> None:
    document_id = store(engine, seed_001, SEED_001)
    client, reviewer = service.client, service.auth("reviewer")
    url = f"/api/documents/{document_id}"
    saved = client.patch(f"{url}/fields", headers=reviewer, json={"ref": "i2.actual", "value": "5期", "reason": "笔误"})
    assert saved.status_code == 200
    first = client.get(f"{url}/corrections", headers=reviewer).json()[0]
    stale = {**reviewer, "If-Match": client.get(url, headers=reviewer).headers["etag"]}
    client.patch(f"{url}/fields", headers=reviewer, json={"ref": "c1.score", "value": 88})
    assert client.post(f"{url}/corrections/{first['id']}/undo", headers=stale).status_code == 412

    undone = client.post(f"{url}/corrections/{first['id']}/undo", headers=reviewer)
    assert undone.status_code == 200, undone.text
    actual = next(item for item in undone.json()["indicators"] if item["id"] == "i2")["actual"]
    assert actual["raw"] == "658.82 万元" and actual["value"] == 658.82
    audit = client.get(f"{url}/corrections", headers=reviewer).json()
    assert [(entry["ref"], entry["reason"]) for entry in audit] == [
        ("i2.actual", "笔误"),
        ("c1.score", None),
        ("i2.actual", f"撤销更正 #{first['id']}"),
    ]
    assert client.post(f"{url}/corrections/999999/undo", headers=reviewer).status_code == 404
    assert client.post(f"{url}/corrections/{first['id']}/undo", headers=service.auth("ingest")).status_code == 403


def test_accepting_a_flagged_field_marks_its_findings_by_a_key_that_survives_revalidation(
    service: Service, engine: Engine, seed_001: ExtractionResult
) -> None:
    document_id = store(engine, seed_001, SEED_001)
    client, reviewer = service.client, service.auth("reviewer")
    url = f"/api/documents/{document_id}"
    before = client.get(url, headers=reviewer).json()
    flagged = next(finding for finding in before["findings"] if finding["rule"] == "sum_mismatch")
    key = before["finding_keys"][flagged["id"]]
    assert key.startswith("sum_mismatch:") and before["accepted"] == {}
    cited = flagged["refs"][0]

    assert client.post(f"{url}/accept", headers=reviewer, json={"ref": "document.year"}).status_code == 422
    accepted = client.post(f"{url}/accept", headers=reviewer, json={"ref": cited, "reason": "原表如此"})
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["accepted"][key]["who"] == "reviewer-测试" and body["accepted"][key]["reason"] == "原表如此"
    assert any(finding["id"] == flagged["id"] for finding in body["findings"]), "an accepted finding is kept"

    # A correction elsewhere re-validates (finding ids renumbered); the key and the acceptance hold.
    other = next(ref for ref in ("i1.target", "i2.target") if ref not in flagged["refs"])
    after = client.patch(f"{url}/fields", headers=reviewer, json={"ref": other, "value": "≥1次"}).json()
    keys = set(after["finding_keys"].values())
    assert key in keys and key in after["accepted"]


def test_queue_counts_and_docs_are_served_without_a_network(service: Service) -> None:
    client = service.client
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.text.lower() and "/docs-assets/swagger-ui-bundle.js" in docs.text
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    redoc = client.get("/redoc")
    assert redoc.status_code == 200 and "fonts.googleapis" not in redoc.text
    font = client.get("/review/font/cjk.ttf")
    assert font.status_code == 200 and font.headers["content-type"] == "font/ttf" and len(font.content) > 1_000_000
    css = client.get("/review/static/review.css").text
    assert "/review/font/cjk.ttf" in css, "the page declares the served CJK font"


def test_the_lease_tells_who_else_has_the_document_open(
    service: Service, engine: Engine, seed_001: ExtractionResult
) -> None:
    document_id = store(engine, seed_001, SEED_001)
    url = f"/api/documents/{document_id}/lease"
    first = service.client.post(url, headers=service.auth("reviewer"))
    assert first.status_code == 200 and first.json() == {"others": []}
    second = service.client.post(url, headers=service.auth("admin")).json()
    assert second == {"others": ["reviewer-测试"]}
    again = service.client.post(url, headers=service.auth("reviewer")).json()
    assert again == {"others": ["admin-测试"]}, "renewing does not list oneself"
    assert service.client.post("/api/documents/999999/lease", headers=service.auth("reviewer")).status_code == 404
