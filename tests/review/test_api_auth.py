"""Every /api route needs a bearer token; roles decide who uploads, corrects and manages tokens."""

from __future__ import annotations

from typer.testing import CliRunner

from extractor.cli import app as cli_app
from extractor.review.tokens import Role, verify_token
from extractor.store import make_engine, session_scope
from tests.review.conftest import SEED_001, Service

ROUTES = [
    ("get", "/api/documents"),
    ("get", "/api/documents/1"),
    ("patch", "/api/documents/1/fields"),
    ("get", "/api/documents/1/corrections"),
    ("get", "/api/me"),
    ("post", "/api/documents/1/review"),
    ("get", "/api/documents/1/pages"),
    ("get", "/api/documents/1/pages/1.png"),
    ("get", "/api/export?format=csv"),
    ("post", "/api/documents"),
    ("get", "/api/tokens"),
]


def test_no_token_or_a_wrong_one_is_401(service: Service) -> None:
    wrong = (
        {},
        {"Authorization": "Bearer jx_0000.nope"},
        {"Authorization": "Basic dXNlcjpwdw=="},
        {"Authorization": "Bearer " + service.tokens["admin"][:-2] + "xx"},
    )
    for method, path in ROUTES:
        for headers in wrong:
            response = service.client.request(method, path, headers=headers)
            assert response.status_code == 401, (method, path, headers, response.text)
            assert "令牌" in response.json()["detail"]
            assert response.headers["www-authenticate"] == "Bearer"


def test_health_needs_no_token(service: Service) -> None:
    response = service.client.get("/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_roles(service: Service) -> None:
    client = service.client
    pdf = {"file": ("001.pdf", SEED_001.read_bytes(), "application/pdf")}
    assert client.post("/api/documents", files=pdf, headers=service.auth("reviewer")).status_code == 403
    correction = {"ref": "i1.actual", "value": "x"}
    assert client.patch("/api/documents/1/fields", json=correction, headers=service.auth("ingest")).status_code == 403
    assert client.post("/api/documents/1/review", json={}, headers=service.auth("ingest")).status_code == 403
    for role in ("reviewer", "ingest"):
        assert client.get("/api/tokens", headers=service.auth(role)).status_code == 403
        assert client.get("/api/documents", headers=service.auth(role)).status_code == 200
    # The roles that may act get past the role check (404: there is no document 1).
    assert client.patch("/api/documents/1/fields", json=correction, headers=service.auth("reviewer")).status_code == 404
    assert client.patch("/api/documents/1/fields", json=correction, headers=service.auth("admin")).status_code == 404


def test_admin_manages_tokens_and_a_revoked_token_stops_working(service: Service) -> None:
    client, admin = service.client, service.auth("admin")
    created = client.post("/api/tokens", json={"role": "reviewer", "name": "张三"}, headers=admin)
    assert created.status_code == 201
    token = created.json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/documents", headers=headers).status_code == 200
    listed = client.get("/api/tokens", headers=admin).json()
    assert {row["name"] for row in listed} >= {"张三", "admin-测试"}
    assert all(row["token"] is None for row in listed), "secrets are never shown again"
    assert client.delete(f"/api/tokens/{created.json()['id']}", headers=admin).status_code == 200
    assert client.get("/api/documents", headers=headers).status_code == 401


def test_token_create_command_prints_a_token_that_is_stored_hashed(store_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(
        cli_app,
        [
            "token",
            "create",
            "--role",
            "reviewer",
            "--name",
            "李四",
            "--database-url",
            store_url,
            "--data-dir",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    engine = make_engine(store_url)
    try:
        with session_scope(engine) as session:
            caller = verify_token(session=session, token=token)
            assert caller is not None and caller.role is Role.reviewer and caller.name == "李四"
            from sqlmodel import select

            from models import ApiToken

            row = session.exec(select(ApiToken)).one()
            assert token.split(".", 1)[1] not in (row.secret_hash, row.salt), "only a salted hash is stored"
            assert verify_token(session=session, token=token + "x") is None
    finally:
        engine.dispose()
    bad = CliRunner().invoke(cli_app, ["token", "create", "--role", "boss", "--database-url", store_url])
    assert bad.exit_code == 1 and "reviewer" in bad.output


def test_openapi_documents_every_route_and_the_bearer_scheme(service: Service) -> None:
    schema = service.client.get("/openapi.json").json()
    paths = schema["paths"]
    for path, method in (
        ("/api/documents", "post"),
        ("/api/documents", "get"),
        ("/api/documents/{id}", "get"),
        ("/api/documents/{id}/fields", "patch"),
        ("/api/documents/{id}/corrections", "get"),
        ("/api/documents/{id}/pages/{n}.png", "get"),
        ("/api/export", "get"),
    ):
        assert method in paths[path], (path, method)
    assert "multipart/form-data" in paths["/api/documents"]["post"]["requestBody"]["content"]
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert service.client.get("/docs").status_code == 200
