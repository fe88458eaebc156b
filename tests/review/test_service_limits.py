"""Hostile requests: oversize bodies, values and reasons, huge and non-finite numbers, stalled
uploads, page renders of absurd pages — answered 4xx, never 500; security headers on every answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from schemas import ExtractionResult
from tests.review.conftest import Service
from tests.review.helpers import store


@pytest.fixture
def document_id(service: Service, engine: Engine, seed_001: ExtractionResult) -> int:
    return store(engine, seed_001)


def _patch(service: Service, document_id: int, body: bytes) -> int:
    answer = service.client.patch(
        f"/api/documents/{document_id}/fields",
        content=body,
        headers={**service.auth("reviewer"), "content-type": "application/json"},
    )
    return answer.status_code


@pytest.mark.parametrize(
    "number",
    [
        "9223372036854775808",
        "-9223372036854775809",
        str(10**40),
        "NaN",
        "Infinity",
        "-Infinity",
        "1e308",
        "1e309",
        "-1e400",
    ],
)
def test_numbers_no_column_can_hold_are_refused(service: Service, document_id: int, number: str) -> None:
    body = b'{"ref": "i1.actual", "value": %s, "reason": "x"}' % number.encode()
    assert _patch(service, document_id, body) == 422


def test_oversize_values_reasons_and_bodies_are_refused(service: Service, document_id: int) -> None:
    assert _patch(service, document_id, b'{"ref": "i1.actual", "value": "%s"}' % (b"x" * 20_000)) == 422
    assert _patch(service, document_id, b'{"ref": "i1.actual", "value": "1", "reason": "%s"}' % (b"x" * 20_000)) == 422
    assert _patch(service, document_id, b'{"ref": "i1.actual", "value": "%s"}' % (b"x" * (2 << 20))) == 413


@pytest.mark.parametrize(
    "url",
    [
        "/api/documents/9223372036854775808",
        "/api/documents/2147483648/corrections",
        "/api/documents?year=9223372036854775808",
        "/api/documents?year=2147483648",
        "/api/documents?min_confidence=NaN",
        "/api/documents/1/pages/9223372036854775808.png",
        "/api/export?year=99999999999999999999",
    ],
)
def test_huge_numbers_in_paths_and_queries_are_4xx(service: Service, url: str) -> None:
    """4xx, or an empty answer where the database holds the number (a year of 2^31 on SQLite); never 500."""
    answer = service.client.get(url, headers=service.auth("reviewer"))
    assert answer.status_code < 500, (answer.status_code, answer.text[:200])
    if "9223372036854775808" in url or "99999999999999999999" in url or "NaN" in url:
        assert 400 <= answer.status_code < 500


def test_security_headers_on_every_answer(service: Service) -> None:
    for url in ("/health", "/review", "/api/me"):
        headers = service.client.get(url, headers=service.auth("reviewer")).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["referrer-policy"] == "no-referrer"


def test_token_creation_is_not_cached(service: Service) -> None:
    answer = service.client.post("/api/tokens", json={"role": "reviewer", "name": "n"}, headers=service.auth("admin"))
    assert answer.status_code == 201
    assert answer.headers["cache-control"] == "no-store"


def test_an_absurd_page_renders_in_a_bounded_child_and_answers_4xx(
    service: Service, engine: Engine, seed_001: ExtractionResult, tmp_path: Path
) -> None:
    from tests.hostile.files import text_pdf

    huge = text_pdf(tmp_path / "huge.pdf", "Big", media_box=(14_000, 14_000), pages=1)
    copy = seed_001.model_copy(deep=True)
    copy.document.sha256 = "f" * 64
    document_id = store(engine, copy, path=huge)
    answer = service.client.get(f"/api/documents/{document_id}/pages/1.png", headers=service.auth("reviewer"))
    assert answer.status_code == 422, answer.text[:200]
    assert "页面图像过大" in answer.json()["detail"]
