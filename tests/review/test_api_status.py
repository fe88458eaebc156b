"""`GET /api/documents?status=` takes only the statuses a document can have."""

from __future__ import annotations

from tests.review.conftest import Service


def test_unknown_status_is_422_and_known_ones_filter(service: Service) -> None:
    bogus = service.client.get("/api/documents?status=bogus", headers=service.auth("reviewer"))
    assert bogus.status_code == 422
    assert "status" in bogus.text
    for status in ("queued", "running", "done", "failed"):
        listed = service.client.get(f"/api/documents?status={status}", headers=service.auth("reviewer"))
        assert listed.status_code == 200 and listed.json()["total"] == 0
