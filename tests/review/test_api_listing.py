"""GET /api/documents: filters, paging, and the queue order (what needs a person first)."""

from __future__ import annotations

from sqlalchemy import Engine

from extractor.review.summary import LOW_CONFIDENCE, field_confidences
from extractor.store import mark_failed, register_file, session_scope
from schemas import ExtractionResult
from tests.review.conftest import SEED_001, Service
from tests.review.helpers import UNSURE, store, variant


def _ids(service: Service, query: str) -> list[int]:
    response = service.client.get(f"/api/documents?{query}", headers=service.auth("reviewer"))
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_filters_and_paging(service: Service, engine: Engine, seed_001: ExtractionResult) -> None:
    plain = store(engine, variant(seed_001, 1, department="甲局", year=2022))
    sums = store(engine, variant(seed_001, 2, department="乙局", year=2023, findings=(("sum_mismatch", "error"),)))
    rates = store(
        engine,
        variant(seed_001, 3, department="乙局", year=2023, findings=(("rate_mismatch", "warning"),), low_confidence=2),
    )
    with session_scope(engine) as session:
        broken = register_file(session=session, sha256="f" * 64, path=SEED_001)
        mark_failed(session=session, document=broken, error="broken.pdf: PDF 已损坏")
    assert _ids(service, "") == [plain, sums, rates, broken.id]
    assert _ids(service, "status=failed") == [broken.id]
    assert _ids(service, "department=乙局") == [sums, rates]
    assert _ids(service, "year=2022") == [plain]
    assert _ids(service, "rule=sum_mismatch") == [sums]
    assert _ids(service, f"min_confidence={UNSURE + 0.1}") == [plain, sums, broken.id]
    assert _ids(service, f"below_confidence={UNSURE + 0.1}") == [rates]
    page = service.client.get("/api/documents?offset=1&limit=2", headers=service.auth("ingest")).json()
    assert (page["total"], [item["id"] for item in page["items"]]) == (4, [sums, rates])
    item = page["items"][1]
    # The seed's own fields read with little certainty about their role count too (extractor.confidence).
    already_low = sum(1 for value in field_confidences(seed_001) if value < LOW_CONFIDENCE)
    unsure_fields = [indicator.confidence["actual"] for indicator in seed_001.indicators[:2]]
    expected_low = already_low + sum(1 for value in unsure_fields if value >= LOW_CONFIDENCE)
    assert (item["errors"], item["warnings"], item["low_confidence"], item["min_confidence"]) == (
        0,
        1,
        expected_low,
        UNSURE,
    )
    assert service.client.get("/api/documents?limit=0", headers=service.auth("ingest")).status_code == 422


def test_queue_puts_failures_errors_and_low_confidence_first_and_reviewed_last(
    service: Service, engine: Engine, seed_001: ExtractionResult
) -> None:
    quiet = store(engine, variant(seed_001, 1))
    unsure = store(engine, variant(seed_001, 2, low_confidence=3))
    warned = store(engine, variant(seed_001, 3, findings=(("rate_mismatch", "warning"),)))
    wrong = store(engine, variant(seed_001, 4, findings=(("sum_mismatch", "error"), ("sum_mismatch", "error"))))
    once_wrong = store(engine, variant(seed_001, 5, findings=(("sum_mismatch", "error"),), low_confidence=1))
    reviewed = store(engine, variant(seed_001, 6, findings=(("sum_mismatch", "error"),) * 3))
    service.client.post(f"/api/documents/{reviewed}/review", headers=service.auth("reviewer"), json={})
    assert _ids(service, "order=queue") == [wrong, once_wrong, unsure, warned, quiet, reviewed]
    assert _ids(service, "order=queue&reviewed=false&limit=2") == [wrong, once_wrong]


def test_counts_of_documents_ingested_without_the_service_are_filled_in(
    service: Service, engine: Engine, seed_001: ExtractionResult
) -> None:
    from extractor.review.summary import refresh_stale
    from extractor.store import save_result

    with session_scope(engine) as session:  # the store's own save, no review counts
        save_result(session=session, result=variant(seed_001, 7, findings=(("sum_mismatch", "error"),)))
    # The service refreshes stale counts in the background at start; here (started before the save) by hand.
    refresh_stale(engine=engine)
    items = service.client.get("/api/documents", headers=service.auth("reviewer")).json()["items"]
    assert [(item["errors"], item["findings"]) for item in items] == [(1, 1)]
    assert refresh_stale(engine=engine) == 0
