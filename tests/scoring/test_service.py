"""Proposals through the store, the review API (accept = an audited review_score correction), exports, CLI."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sqlalchemy import Engine
from typer.testing import CliRunner

from extractor.cli import app
from extractor.export import export
from extractor.rules import apply_validation
from extractor.scoring.stage import score_result
from extractor.store import document_result, session_scope
from schemas import ExtractionResult
from tests.review.conftest import Service, service  # noqa: F401  (fixture)
from tests.review.helpers import store
from tests.scoring.test_stage import SEEDS, golden
from tests.store.conftest import engine, migrated_postgres, postgres_url, store_url  # noqa: F401  (fixtures)


def scored_002() -> ExtractionResult:
    result = apply_validation(score_result(golden("002")))
    result.document.sha256 = "2" * 64
    result.document.file = "002.pdf"
    return result


def test_accepting_a_proposal_is_an_audited_review_score_correction(service: Service, engine: Engine) -> None:  # noqa: F811
    document_id = store(engine, scored_002(), SEEDS / "002" / "002.pdf")
    client, reviewer = service.client, service.auth("reviewer")
    shown = client.get(f"/api/documents/{document_id}", headers=reviewer).json()
    i8 = next(i for i in shown["indicators"] if i["id"] == "i8")
    assert (i8["score"], i8["expected_score"]) == (2.0, 1.8)
    assert shown["document"]["proposed_review_score"] == 93.02
    response = client.patch(
        f"/api/documents/{document_id}/fields",
        headers=reviewer,
        json={"ref": "i8.review_score", "value": 1.9, "reason": "改为1.9：偏离已在自评中说明"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert next(i for i in body["indicators"] if i["id"] == "i8")["review_score"] == 1.9
    # re-validation keeps the proposal's finding (the proposed_scores rule reads the stored proposals)
    assert any("i8.expected_score" in f["refs"] and f["severity"] == "warning" for f in body["findings"])
    audit = client.get(f"/api/documents/{document_id}/corrections", headers=reviewer).json()
    assert [(a["ref"], a["before"], a["after"], a["reason"]) for a in audit] == [
        ("i8.review_score", 1.8, 1.9, "改为1.9：偏离已在自评中说明")
    ]


def test_exports_carry_expected_score_scoring_and_deductions(engine: Engine, tmp_path: Path) -> None:  # noqa: F811
    store(engine, scored_002(), SEEDS / "002" / "002.pdf")
    export(engine=engine, out_dir=tmp_path, kinds=("indicators",), formats=("csv",))
    with (tmp_path / "indicators.csv").open(encoding="utf-8-sig") as handle:
        rows = {row["id"]: row for row in csv.DictReader(handle)}
    assert rows["i8"]["expected_score"] == "1.8" and rows["i8"]["review_score"] == "1.8"
    assert "偏离" in rows["i8"]["scoring"]
    assert json.loads(rows["i8"]["deductions"])[0]["points"] == 0.2
    assert rows["i1"]["deductions"] == ""
    schema = json.loads((tmp_path / "extraction_result.schema.json").read_text(encoding="utf-8"))
    assert "expected_score" in schema["$defs"]["Indicator"]["properties"]
    assert "deductions" in schema["$defs"]["Section"]["properties"]


def test_score_command_json_and_summary(tmp_path: Path) -> None:
    out = tmp_path / "summary.xlsx"
    runner = CliRunner()
    answer = runner.invoke(app, ["score", str(SEEDS / "000" / "000.xlsx"), "--json", "--summary-xlsx", str(out)])
    assert answer.exit_code == 0, answer.output
    body = json.loads(answer.stdout[answer.stdout.index("{") :])
    assert any(s["proposed_review_score"] is not None for s in body["sections"])
    assert out.exists()
    listing = runner.invoke(app, ["profiles"])
    assert listing.exit_code == 0 and "national_project" in listing.output
    wrong = runner.invoke(app, ["score", str(SEEDS / "000" / "000.xlsx"), "--profile", "nope"])
    assert wrong.exit_code == 1


def test_score_command_on_a_stored_document(store_url: str, engine: Engine, tmp_path: Path) -> None:  # noqa: F811
    unscored = golden("002")
    unscored.document.sha256 = "3" * 64
    document_id = store(engine, unscored, SEEDS / "002" / "002.pdf")
    out = tmp_path / "汇总.xlsx"
    answer = CliRunner().invoke(
        app,
        ["score", "--stored", str(document_id), "--database-url", store_url, "--json", "--summary-xlsx", str(out)],
    )
    assert answer.exit_code == 0, answer.output
    body = json.loads(answer.stdout[answer.stdout.index("{") :])
    assert body["document"]["proposed_review_score"] == 93.02
    assert any(f["severity"] == "warning" and "i8.expected_score" in f["refs"] for f in body["findings"])
    assert out.exists()
    missing = CliRunner().invoke(app, ["score", "--stored", "99999", "--database-url", store_url])
    assert missing.exit_code == 1
    with session_scope(engine) as session:
        assert document_result(session=session, document_id=document_id).document.proposed_review_score is None
    saved = CliRunner().invoke(app, ["score", "--all-stored", "--save", "--database-url", store_url])
    assert saved.exit_code == 0, saved.output
    with session_scope(engine) as session:
        kept = document_result(session=session, document_id=document_id)
    assert kept.document.proposed_review_score == 93.02
    assert [d.ref for s in kept.sections for d in s.deductions] == ["i8.score"]
