"""Exports carry the review state (document mark, which fields of a record were corrected and by whom),
and `export --reviewed-only` / `--since` pull only checked or recently changed documents (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import Engine
from typer.testing import CliRunner

from extractor.cli import app
from extractor.export import ExportFilter, export
from schemas import ExtractionResult
from tests.review.conftest import Service
from tests.review.helpers import store, variant


def _rows(engine: Engine, out: Path, filters: ExportFilter, kind: str = "indicators") -> list[dict]:  # type: ignore[type-arg]
    export(engine=engine, out_dir=out, kinds=(kind,), formats=("jsonl",), filters=filters)  # type: ignore[arg-type]
    return [json.loads(line) for line in (out / f"{kind}.jsonl").read_text(encoding="utf-8").splitlines()]


def test_exported_records_say_whether_they_were_reviewed_and_corrected(
    service: Service, engine: Engine, seed_001: ExtractionResult, tmp_path: Path
) -> None:
    checked = store(engine, variant(seed_001, 1))
    raw = store(engine, variant(seed_001, 2))
    client = service.client
    client.patch(
        f"/api/documents/{checked}/fields", headers=service.auth("reviewer"), json={"ref": "i2.actual", "value": "5期"}
    )
    client.patch(
        f"/api/documents/{checked}/fields", headers=service.auth("admin"), json={"ref": "i2.score", "value": 7}
    )
    assert client.post(f"/api/documents/{checked}/review", headers=service.auth("reviewer"), json={}).status_code == 200

    rows = _rows(engine, tmp_path / "all", ExportFilter())
    by_document = {(row["document.file"], row["id"]): row for row in rows}
    corrected = by_document[("copy-1.pdf", "i2")]
    assert corrected["document.reviewed"] is True and corrected["document.reviewed_by"] == "reviewer-测试"
    assert corrected["review.corrected"] is True
    assert json.loads(corrected["review.corrected_fields"]) == ["actual", "score"]
    assert json.loads(corrected["review.corrected_by"]) == ["reviewer-测试", "admin-测试"]
    untouched = by_document[("copy-1.pdf", "i1")]
    assert untouched["review.corrected"] is False and untouched["document.reviewed"] is True
    plain = by_document[("copy-2.pdf", "i2")]
    assert (
        plain["document.reviewed"] is False
        and plain["review.corrected"] is False
        and plain["document.reviewed_by"] is None
    )

    reviewed = _rows(engine, tmp_path / "reviewed", ExportFilter(reviewed_only=True))
    assert {row["document.file"] for row in reviewed} == {"copy-1.pdf"}

    # --since: only documents changed (or reviewed) after the moment; both here were changed before it.
    later = datetime.now(timezone.utc) + timedelta(seconds=1)
    assert _rows(engine, tmp_path / "later", ExportFilter(since=later)) == []
    earlier = datetime.now(timezone.utc) - timedelta(hours=1)
    assert {row["document.file"] for row in _rows(engine, tmp_path / "earlier", ExportFilter(since=earlier))} == {
        "copy-1.pdf",
        "copy-2.pdf",
    }
    assert raw != checked


def test_export_command_takes_reviewed_only_and_since(
    service: Service, engine: Engine, seed_001: ExtractionResult, store_url: str, tmp_path: Path
) -> None:
    checked = store(engine, variant(seed_001, 3))
    store(engine, variant(seed_001, 4))
    service.client.post(f"/api/documents/{checked}/review", headers=service.auth("reviewer"), json={})
    runner = CliRunner()
    env = {"EXTRACTOR_DATABASE_URL": store_url}
    out = tmp_path / "cli"
    done = runner.invoke(app, ["export", str(out), "-k", "scores", "-f", "jsonl", "--reviewed-only"], env=env)
    assert done.exit_code == 0, done.output
    files = {
        json.loads(line)["document.file"] for line in (out / "scores.jsonl").read_text(encoding="utf-8").splitlines()
    }
    assert files == {"copy-3.pdf"}
    future = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    none = runner.invoke(
        app, ["export", str(tmp_path / "none"), "-k", "scores", "-f", "jsonl", "--since", future], env=env
    )
    assert none.exit_code == 0, none.output
    assert (tmp_path / "none" / "scores.jsonl").read_text(encoding="utf-8") == ""
