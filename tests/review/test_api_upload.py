"""Uploads: type from the bytes, one document per sha256, size limit, extraction in worker processes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from extractor.store import make_engine, session_scope
from models import Document
from tests.review.conftest import SEED_001, SEEDS, Service, make_service
from tests.review.helpers import wait_until_processed
from tests.store.files import hanging_pdf


def _documents(store_url: str) -> list[Document]:
    engine = make_engine(store_url)
    try:
        with session_scope(engine) as session:
            return list(session.exec(select(Document).order_by(Document.id)).all())
    finally:
        engine.dispose()


def test_upload_is_extracted_and_the_same_bytes_twice_are_one_document(service: Service, store_url: str) -> None:
    client, ingest = service.client, service.auth("ingest")
    data = SEED_001.read_bytes()
    # The name says text; the bytes say PDF, and the bytes decide.
    first = client.post("/api/documents", files={"file": ("自评报告.txt", data, "text/plain")}, headers=ingest)
    assert first.status_code == 202, first.text
    accepted = first.json()
    assert accepted["status"] in ("queued", "running") and len(accepted["sha256"]) == 64
    again = client.post("/api/documents", files={"file": ("other-name.pdf", data, "application/pdf")}, headers=ingest)
    assert again.status_code == 200 and again.json()["id"] == accepted["id"] and again.json()["duplicate"] is True

    body = wait_until_processed(client, accepted["id"], ingest)
    assert body["status"] == "done", body["error"]
    assert body["document"]["file"] == "自评报告.txt" and body["document"]["kind"] == "pdf_digital"
    assert body["document"]["department"] == "庆城县工业和信息化局" and len(body["indicators"]) == 13

    third = client.post("/api/documents", files={"file": ("x.pdf", data, "application/pdf")}, headers=ingest)
    assert third.json() == {**accepted, "status": "done", "duplicate": True}
    documents = _documents(store_url)
    assert len(documents) == 1 and documents[0].sha256 == accepted["sha256"]
    uploaded = Path(documents[0].path or "")
    assert uploaded.read_bytes() == data and uploaded.is_relative_to(service.settings.uploads_dir)


def test_over_the_limit_is_413_and_a_non_document_is_415(service: Service, store_url: str) -> None:
    client, ingest = service.client, service.auth("ingest")
    limit = service.settings.max_upload_bytes
    just_over = b"%PDF-1.7\n" + b"0" * (limit - 8)  # one byte over: caught while copying
    far_over = b"%PDF-1.7\n" + b"0" * (limit * 3)  # caught by the request size before parsing
    for payload in (just_over, far_over):
        response = client.post(
            "/api/documents", files={"file": ("big.pdf", payload, "application/pdf")}, headers=ingest
        )
        assert response.status_code == 413, response.text
        assert "上传上限 1 MB" in response.json()["detail"]
    for name, payload, reason in (
        ("notes.pdf", "这不是 PDF。".encode(), "不支持的文件类型"),
        ("empty.pdf", b"", "空文件"),
        ("fake.docx", b"PK\x03\x04 not a zip", "ZIP"),
    ):
        response = client.post("/api/documents", files={"file": (name, payload, "application/pdf")}, headers=ingest)
        assert response.status_code == 415, response.text
        assert response.json()["detail"].startswith(f"{name}: ") and reason in response.json()["detail"]
    assert _documents(store_url) == []
    assert list((service.settings.uploads_dir / ".incoming").iterdir()) == [], "rejected bytes are not kept"


def test_a_file_exactly_at_the_limit_is_accepted(store_url: str, tmp_path: Path) -> None:
    data = (SEEDS / "000" / "000.pdf").read_bytes()
    for service in make_service(store_url, tmp_path / "data", max_upload_mb=len(data) / 1024 / 1024):
        response = service.client.post(
            "/api/documents", files={"file": ("000.pdf", data, "application/pdf")}, headers=service.auth("admin")
        )
        assert response.status_code == 202, response.text


@pytest.mark.slow  # the hanging file takes the whole (generous) limit to fail
def test_a_hanging_upload_fails_alone_after_its_time_limit(store_url: str, tmp_path: Path) -> None:
    if not store_url.startswith("sqlite"):
        pytest.skip("the worker limits do not depend on the database; SQLite covers them")
    hanging = hanging_pdf(tmp_path / "hanging.pdf")
    # The limit counts from handing the file to a worker, start-up of a fresh worker included, and the good
    # file shares it: 60 s is over ten times what it needs on a loaded two-core machine.
    for service in make_service(store_url, tmp_path / "data", timeout_s=60.0, workers=2):
        client, ingest = service.client, service.auth("ingest")
        stuck = client.post(
            "/api/documents", files={"file": ("hanging.pdf", hanging.read_bytes(), "application/pdf")}, headers=ingest
        ).json()
        good = client.post(
            "/api/documents", files={"file": ("001.pdf", SEED_001.read_bytes(), "application/pdf")}, headers=ingest
        ).json()
        failed = wait_until_processed(client, stuck["id"], ingest)
        assert failed["status"] == "failed" and failed["error"].startswith("hanging.pdf: 超时")
        done = wait_until_processed(client, good["id"], ingest)
        assert done["status"] == "done", done["error"]


def test_an_upload_left_queued_is_extracted_when_the_service_starts_again(store_url: str, tmp_path: Path) -> None:
    for service in make_service(store_url, tmp_path / "data", process_uploads=False):
        accepted = service.client.post(
            "/api/documents",
            headers=service.auth("ingest"),
            files={"file": ("001.pdf", SEED_001.read_bytes(), "application/pdf")},
        ).json()
    assert _documents(store_url)[0].status == "queued"
    for service in make_service(store_url, tmp_path / "data"):
        assert wait_until_processed(service.client, accepted["id"], service.auth("ingest"))["status"] == "done"


def test_a_chunked_upload_without_length_is_stopped_at_the_limit(service: Service, store_url: str) -> None:
    boundary = "jx-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
    ).encode()
    chunk = b"0" * 65536

    def body():  # no Content-Length: the size is only known by counting what arrives
        yield head
        for _ in range(3 * service.settings.max_upload_bytes // len(chunk)):
            yield chunk
        yield f"\r\n--{boundary}--\r\n".encode()

    response = service.client.post(
        "/api/documents",
        content=body(),
        headers={**service.auth("ingest"), "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413 and "上传上限" in response.json()["detail"]
    assert _documents(store_url) == []
