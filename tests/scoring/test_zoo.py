"""Acceptance on the template zoo: the proposals equal the generator's expected scores on every family
whose form prints the weights they need (goal-only forms print no 分值; the 20/80 form prints its
indicator weights only per level, so only its budget row is decidable)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.scoring.stage import score_result
from fixtures.generate.to_pdf import render_pdf
from fixtures.zoo.build import make_variant
from fixtures.zoo.model import load_pools, load_zoo
from fixtures.zoo.run import expected_scores, golden

# Slow: every case renders a zoo variant to PDF and reads it (12 documents).
pytestmark = pytest.mark.slow

PRINTED_WEIGHTS = [
    "national_project",
    "department_national",
    "department_provincial",
    "system_export",
    "weight_before_target",
    "project_20_80",
]


@pytest.mark.parametrize("family", PRINTED_WEIGHTS)
@pytest.mark.parametrize("number", [0, 1])
def test_proposals_equal_the_zoo_expected_scores(family: str, number: int, tmp_path: Path) -> None:
    zoo = load_zoo()
    variant = make_variant(zoo, load_pools(), zoo.family(family), number, False)
    result = golden(variant, render_pdf(variant.source, tmp_path / f"{variant.key}.pdf"))
    expected = expected_scores(variant, result)
    scored = score_result(result)
    ours = {r.id: r.expected_score for r in (*scored.indicators, *scored.budget_lines, *scored.scores)}
    weighted = {i.id for i in result.indicators if i.weight is not None} | {b.id for b in result.budget_lines}
    compared = [row for row in (*expected.indicators, *expected.budget_lines) if row.record in weighted]
    assert compared, "every family scores something the form prints the weight of"
    assert [(row.record, ours[row.record]) for row in compared] == [
        (row.record, row.expected_score) for row in compared
    ]
