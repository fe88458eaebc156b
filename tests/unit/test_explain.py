"""`extractor explain`: per table the regions, each column's role with its evidence, and the problems."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from extractor.cli import app
from extractor.explain import explain_file

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seeds" / "001" / "001.xlsx"


def test_explanation_names_roles_with_evidence():
    explanation = explain_file(SEED)
    indicator_regions = [r for t in explanation.tables for r in t.regions if r.kind == "indicators"]
    assert indicator_regions, "the seed's indicator block is found"
    roles = {c.role: c.evidence for r in indicator_regions for c in r.columns if c.role}
    assert roles["name"].startswith(("lexicon:", "head:"))
    assert {"target", "actual", "weight", "score"} <= roles.keys()
    assert all(t.columns and len(t.columns) == t.n_cols for t in explanation.tables)


def test_explanation_shows_the_statement_reading_the_validator_checks():
    """Seed 001's budget block: label and amount columns, and its 合计 line over the funding lines."""
    explanation = explain_file(SEED)
    statements = [s for t in explanation.tables for s in t.statements if s.kind == "statement"]
    roles = {c.role for s in statements for c in s.columns}
    assert {"label", "amount", "rate"} <= roles
    assert any(t.axis == "rows" and len(t.parts) >= 2 for s in statements for t in s.totals)
    text = CliRunner().invoke(app, ["explain", str(SEED)])
    assert text.exit_code == 0 and "totals" in text.output


def test_explain_command_prints_json():
    result = CliRunner().invoke(app, ["explain", str(SEED), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["file"] == "001.xlsx" and payload["tables"]


def test_explain_command_fails_in_one_line_on_a_missing_file(tmp_path: Path):
    result = CliRunner().invoke(app, ["explain", str(tmp_path / "missing.pdf")])
    assert result.exit_code == 1
