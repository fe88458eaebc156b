"""Two reviewers on one document: the ETag of GET is the version, a PATCH from a stale page is refused.

Runs on SQLite and on the real PostgreSQL (the `service` fixture is parametrised over both).
"""

from __future__ import annotations

from sqlalchemy import Engine

from schemas import ExtractionResult
from tests.review.conftest import SEED_001, Service
from tests.review.helpers import store


def _score(body: dict, record_id: str) -> float:  # type: ignore[type-arg]
    return next(item for item in body["scores"] if item["id"] == record_id)["score"]


def test_a_save_from_a_stale_page_is_refused_and_changes_nothing(
    service: Service, engine: Engine, seed_001: ExtractionResult
) -> None:
    document_id = store(engine, seed_001, SEED_001)
    client, reviewer = service.client, service.auth("reviewer")
    url = f"/api/documents/{document_id}"
    first = client.get(url, headers=reviewer)
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert client.get(url, headers=reviewer).headers["etag"] == etag, "reading does not change the version"

    # Colleague A saves 77 from the page she opened: accepted, and the version moves on.
    saved = client.patch(f"{url}/fields", headers={**reviewer, "If-Match": etag}, json={"ref": "c1.score", "value": 77})
    assert saved.status_code == 200, saved.text
    newer = saved.headers["etag"]
    assert newer != etag
    assert client.get(url, headers=reviewer).headers["etag"] == newer, "PATCH answers the version GET now gives"

    # Colleague B, still on the old page, tries 91: refused with the current version, nothing written.
    stale = client.patch(f"{url}/fields", headers={**reviewer, "If-Match": etag}, json={"ref": "c1.score", "value": 91})
    assert stale.status_code == 412, stale.text
    assert stale.headers["etag"] == newer
    assert "重新载入" in stale.json()["detail"]
    after = client.get(url, headers=reviewer).json()
    assert _score(after, "c1") == 77
    audit = client.get(f"{url}/corrections", headers=reviewer).json()
    assert [entry["after"] for entry in audit] == [77.0]

    # After reloading, B's save with the fresh version goes through.
    retried = client.patch(
        f"{url}/fields", headers={**reviewer, "If-Match": newer}, json={"ref": "c1.score", "value": 91}
    )
    assert retried.status_code == 200, retried.text
    assert _score(retried.json(), "c1") == 91


def test_without_if_match_a_correction_is_applied_as_before(
    service: Service, engine: Engine, seed_001: ExtractionResult
) -> None:
    """API clients that do not send If-Match (scripts, the CLI) keep working; `*` matches any version."""
    document_id = store(engine, seed_001, SEED_001)
    client, reviewer = service.client, service.auth("reviewer")
    url = f"/api/documents/{document_id}/fields"
    assert client.patch(url, headers=reviewer, json={"ref": "c1.score", "value": 80}).status_code == 200
    anything = client.patch(url, headers={**reviewer, "If-Match": "*"}, json={"ref": "c1.score", "value": 81})
    assert anything.status_code == 200
    assert _score(anything.json(), "c1") == 81
