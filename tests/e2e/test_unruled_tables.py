"""Seed forms printed without vertical rules (or without any) read by the alignment engine.

The variants are rendered by the fixture generator into a temp dir; their goldens are the seeds' own,
since the records do not change when the ruling does. A fully ruled document must come out exactly as
under the ruled-only engine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.eval import evaluate
from extractor.pipeline import extract
from fixtures.generate.golden import build_golden
from fixtures.generate.run import SEEDS_DIR
from fixtures.generate.source import load_source, seed_ids
from fixtures.generate.to_pdf import Ruling, render_pdf
from fixtures.scans import cached_scan
from schemas import ExtractOptions

# Renders and reads every variant (a minute or more): part of the whole suite, not the quick subset.
pytestmark = pytest.mark.slow

MIN_ACCURACY = 0.99
MIN_SCAN_ACCURACY = 0.97


def _variant(seed: str, ruling: Ruling, folder: Path):
    source = load_source(seed)
    path = folder / f"{seed}.{ruling}.pdf"
    return path, build_golden(source, render_pdf(source, path, ruling))


@pytest.mark.parametrize("seed", seed_ids())
def test_horizontal_rules_only(seed: str, tmp_path: Path) -> None:
    path, golden = _variant(seed, "horizontal", tmp_path)
    score = evaluate(extract(path), golden)
    missing = {kind: count.expected - count.matched for kind, count in score.counts.items()}
    assert all(value == 0 for value in missing.values()), f"records not found: {missing}"
    assert score.accuracy >= MIN_ACCURACY, [
        f"{m.record}.{m.field}: {m.expected!r} vs {m.found!r}" for m in score.misses[:10]
    ]


@pytest.mark.parametrize("seed", seed_ids())
def test_no_rules_at_all(seed: str, tmp_path: Path) -> None:
    path, golden = _variant(seed, "none", tmp_path)
    result = extract(path)
    assert any(table.n_cols >= 3 for table in result.tables), "no table found by alignment"
    score = evaluate(result, golden)
    missing = {kind: count.expected - count.matched for kind, count in score.counts.items()}
    assert all(value == 0 for value in missing.values()), f"records not found: {missing}"
    assert score.accuracy >= MIN_ACCURACY, [
        f"{m.record}.{m.field}: {m.expected!r} vs {m.found!r}" for m in score.misses[:10]
    ]


# 200 dpi skewed scans of the variants (cached in .cache/scans): the recognised line boxes go through the
# same alignment engine. Variants listed here miss the target (accuracy, or a record not found): each keeps its
# last measured field accuracy as a floor (a fall below it fails) and is not asked to find every record; the
# reason is what the misses showed.
SCAN_BELOW_TARGET: dict[tuple[str, str], tuple[float, str]] = {
    ("002", "none"): (0.97, "98.0%: one budget line (b15, a long item wrapped over lines) not matched"),
    ("002", "horizontal"): (0.97, "98.0%: one budget line (b15, a long item wrapped over lines) not matched"),
    ("004", "none"): (0.80, "80.7%: statement tables' rows run together; the title line read as department"),
}


@pytest.mark.parametrize("seed", ["000", "001", "002", "004"])
@pytest.mark.parametrize("ruling", ["none", "horizontal"])
def test_scanned_variants(seed: str, ruling: Ruling, tmp_path: Path) -> None:
    path, golden = _variant(seed, ruling, tmp_path)
    score = evaluate(extract(cached_scan(path, "skewed200")), golden)
    floor, _reason = SCAN_BELOW_TARGET.get((seed, ruling), (MIN_SCAN_ACCURACY, ""))
    if (seed, ruling) not in SCAN_BELOW_TARGET:
        missing = {kind: count.expected - count.matched for kind, count in score.counts.items()}
        assert all(value == 0 for value in missing.values()), f"records not found: {missing}"
    assert score.accuracy >= floor, [f"{m.record}.{m.field}: {m.expected!r} vs {m.found!r}" for m in score.misses[:10]]


@pytest.mark.parametrize("seed", seed_ids())
def test_ruled_documents_are_unchanged_by_auto(seed: str) -> None:
    path = SEEDS_DIR / seed / f"{seed}.pdf"
    ruled = extract(path, ExtractOptions(table_engine="ruled")).model_dump_json()
    assert extract(path, ExtractOptions(table_engine="auto")).model_dump_json() == ruled


def test_the_cli_chooses_the_engine(tmp_path: Path) -> None:
    path, _ = _variant("001", "horizontal", tmp_path)

    def indicators(*args: str) -> int:
        # In-process: a CLI process costs ~2.5 s of start-up; the default below runs the real entry point.
        result = CliRunner().invoke(app, ["extract", str(path), "--json", *args])
        assert result.exit_code == 0, result.output
        return len(json.loads(result.stdout)["indicators"])

    default = subprocess.run(
        [sys.executable, "-m", "extractor", "extract", str(path), "--json"], capture_output=True, text=True, check=True
    )
    assert indicators("--table-engine", "ruled") == 0  # no vertical rules: no grid, all prose
    assert len(json.loads(default.stdout)["indicators"]) == indicators("--table-engine", "auto") > 0
