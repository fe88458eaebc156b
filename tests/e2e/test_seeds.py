"""End to end on the seed fixtures: every format of every seed reads back as its golden file."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.eval import evaluate, golden_for
from fixtures.generate.run import SEEDS_DIR
from fixtures.generate.source import seed_ids

FILES = [SEEDS_DIR / seed / f"{seed}.{suffix}" for seed in seed_ids() for suffix in ("pdf", "docx", "xlsx")]
MIN_ACCURACY = 0.995


def _extract(path: Path):
    from extractor.pipeline import extract  # imported here so one broken backend fails its tests only

    return extract(path)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_seed_reads_back_as_its_golden(path: Path) -> None:
    score = evaluate(_extract(path), golden_for(path))
    missing = {kind: count.expected - count.matched for kind, count in score.counts.items()}
    misses = "\n".join(
        f"{miss.record}.{miss.field}: expected {miss.expected!r}, found {miss.found!r}" for miss in score.misses[:25]
    )
    assert all(value == 0 for value in missing.values()), f"records not found: {missing}\n{misses}"
    assert score.accuracy >= MIN_ACCURACY, f"accuracy {score.accuracy:.4f}\n{misses}"


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_extraction_is_deterministic(path: Path) -> None:
    assert _extract(path).model_dump_json() == _extract(path).model_dump_json()


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_every_golden_table_is_one_table_of_the_same_shape(path: Path) -> None:
    """Tables crossing pages are stitched into one; captions and unit lines are not table rows."""
    golden = golden_for(path)
    result = _extract(path)
    assert [(t.n_rows, t.n_cols) for t in result.tables] == [(t.n_rows, t.n_cols) for t in golden.tables]
    for ours, theirs in zip(result.tables, golden.tables):
        assert sorted((c.row, c.col, c.row_span, c.col_span) for c in ours.cells) == sorted(
            (c.row, c.col, c.row_span, c.col_span) for c in theirs.cells
        ), f"{path.name} {theirs.id}: spans differ"
