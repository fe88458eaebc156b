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


def test_explain_command_prints_json():
    result = CliRunner().invoke(app, ["explain", str(SEED), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["file"] == "001.xlsx" and payload["tables"]


def test_explain_command_fails_in_one_line_on_a_missing_file(tmp_path: Path):
    result = CliRunner().invoke(app, ["explain", str(tmp_path / "missing.pdf")])
    assert result.exit_code == 1
