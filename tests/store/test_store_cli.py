"""The store commands as a user runs them: ingest → show (= extract --json) → export."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from extractor.cli import app
from tests.corpus import MISSING_REAL
from tests.store.files import REAL, copy_good_files

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=MISSING_REAL)


def test_ingest_show_export(store_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"EXTRACTOR_DATABASE_URL": store_url}
    (path,) = copy_good_files(tmp_path / "in", ("budget_template.xls",))
    (tmp_path / "in" / "empty.pdf").write_bytes(b"")

    ingested = runner.invoke(app, ["ingest", str(tmp_path / "in"), "-j", "1", "--no-progress"], env=env)
    assert ingested.exit_code == 1, ingested.output  # one file failed
    assert "ok 1, failed 1" in ingested.stdout and "failed: empty.pdf: 空文件" in ingested.stdout

    extracted = runner.invoke(app, ["extract", str(path), "--json"])
    sha256 = __import__("hashlib").sha256(path.read_bytes()).hexdigest()
    shown = runner.invoke(app, ["show", sha256[:10]], env=env)
    assert shown.exit_code == 0, shown.output
    assert shown.stdout == extracted.stdout

    failed = runner.invoke(app, ["show", "e3b0c442"], env=env)  # the empty file's sha256
    assert failed.exit_code == 1 and "failed" in failed.stderr and "空文件" in failed.stderr
    assert runner.invoke(app, ["show", "ffffffff"], env=env).exit_code == 1

    exported = runner.invoke(app, ["export", "--out", str(tmp_path / "out"), "-f", "csv", "--status", "done"], env=env)
    assert exported.exit_code == 0, exported.output
    assert {p.name for p in (tmp_path / "out").iterdir()} == {
        "indicators.csv",
        "budget_lines.csv",
        "scores.csv",
        "findings.csv",
        "extraction_result.schema.json",
    }
    assert "budget_lines.csv" in exported.stdout
    columns = pd.read_csv(tmp_path / "out" / "indicators.csv").columns
    assert {"document.sha256", "target.raw", "target.op", "source.page", "source.bbox"} <= set(columns)
    bad = runner.invoke(app, ["export", "--out", str(tmp_path / "out"), "--rule", "no_such_rule"], env=env)
    assert bad.exit_code == 1 and "unknown rule" in bad.stderr
