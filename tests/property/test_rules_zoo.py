"""Template zoo variants, read from PDF, DOCX and XLSX: consistent ones give no finding, a planted error exactly one.

Each family's first variant is rendered into tmp_path and read by the reader. A consistent
variant gives no error or warning. Then one printed figure is changed in the reader's model —
the cell the field was read from (`source.cells`) and the field itself, as reading the changed
page would give — and exactly the matching finding must appear, pointing at that field:
a level subtotal, the 总分, a budget 执行率, a score above its weight (with its totals raised
to match, so nothing else is wrong) and a description that contradicts its actual.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Optional

import pytest

from extractor.pipeline import extract
from extractor.rules import validate
from fixtures.zoo.run import variants, write_variant
from schemas import ExtractionResult, Finding, Indicator, ScoreSummary
from tests.rules_factories import reprint

# Slow: the module renders and reads one variant of every family in three formats (24 documents).
pytestmark = pytest.mark.slow

FORMATS = ("pdf", "docx", "xlsx")
VARIANTS = {variant.family: variant for variant in variants(1)}


@pytest.fixture(scope="module")
def readings(tmp_path_factory) -> Callable[[str, str], ExtractionResult]:
    root = tmp_path_factory.mktemp("zoo")
    cache: dict[tuple[str, str], ExtractionResult] = {}

    def get(family: str, fmt: str) -> ExtractionResult:
        if (family, fmt) not in cache:
            variant = VARIANTS[family]
            folder = root / variant.key
            if not folder.exists():
                write_variant(variant, root)
            cache[(family, fmt)] = extract(Path(folder / f"{variant.key}.{fmt}"))
        return cache[(family, fmt)]

    return get


def _loud(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity in ("error", "warning")]


def _record(result: ExtractionResult, record_id: str):
    for record in [*result.indicators, *result.budget_lines, *result.scores]:
        if record.id == record_id:
            return record
    raise KeyError(record_id)


def _shown(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _top(result: ExtractionResult) -> Optional[ScoreSummary]:
    return next((s for s in result.scores if s.parent is None and s.score is not None and s.source.cells), None)


def _subtotal(result: ExtractionResult) -> Optional[ScoreSummary]:
    parents = {i.parent for i in result.indicators}
    return next(
        (s for s in result.scores if s.id in parents and s.score is not None and "score" in s.source.cells), None
    )


def _planted(result: ExtractionResult, record_id: str, field: str, text: str) -> list[tuple[str, str]]:
    return [(f.rule, f.refs[0]) for f in _loud(validate(reprint(result, f"{record_id}.{field}", text)))]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("family", sorted(VARIANTS))
def test_consistent_variant_has_no_finding(readings, family, fmt):
    result = readings(family, fmt)
    assert [(f.rule, f.refs, f.message) for f in _loud(validate(result))] == []


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("family", sorted(VARIANTS))
def test_planted_total_and_subtotal_are_found_at_their_cell(readings, family, fmt):
    result = readings(family, fmt)
    top = _top(result)
    if top is None:
        pytest.skip("the family prints no 总分 score")
    assert _planted(result, top.id, "score", _shown(top.score - 1)) == [("sum_mismatch", f"{top.id}.score")]
    subtotal = _subtotal(result)
    if subtotal is not None:
        wrong = _shown(subtotal.score - 1)
        assert _planted(result, subtotal.id, "score", wrong) == [("sum_mismatch", f"{subtotal.id}.score")]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("family", sorted(VARIANTS))
def test_planted_rate_is_found_at_its_cell(readings, family, fmt):
    result = readings(family, fmt)
    line = next((b for b in result.budget_lines if b.rate and b.actual and "rate" in b.source.cells), None)
    if line is None:
        pytest.skip("the family prints no budget 执行率 with its amounts")
    assert _planted(result, line.id, "rate", f"{line.rate - 10:.2f}%") == [("rate_mismatch", f"{line.id}.rate")]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("family", sorted(VARIANTS))
def test_planted_score_above_its_weight_with_totals_raised_to_match(readings, family, fmt):
    result = readings(family, fmt)
    scored = [i for i in result.indicators if i.weight and i.score is not None and "score" in i.source.cells]
    if not scored:
        pytest.skip("the family prints no indicator scores")
    indicator: Indicator = scored[0]
    planted = reprint(result, f"{indicator.id}.score", _shown(indicator.weight + 1))
    raise_by = indicator.weight + 1 - indicator.score
    top = _top(result)
    # Without the reader's links the form's 总分 still counts the indicator: raise it.
    parent = indicator.parent or (top.id if top is not None else None)
    while parent is not None:  # every total above carries the extra points, so only the score itself is wrong
        summary = _record(planted, parent)
        if summary.score is not None and "score" in summary.source.cells:
            planted = reprint(planted, f"{summary.id}.score", _shown(summary.score + raise_by))
        parent = summary.parent
    found = [(f.rule, f.refs[0]) for f in _loud(validate(planted))]
    assert ("score_exceeds_weight", f"{indicator.id}.score") in found
    assert {rule for rule, _ in found} == {"score_exceeds_weight"}, found


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("family", sorted(VARIANTS))
def test_planted_description_contradicting_its_actual(readings, family, fmt):
    result = readings(family, fmt)
    counted = [
        i
        for i in result.indicators
        # a count of things: "%" is a rate and 年/月/天 read as dates in a sentence
        if i.actual.value
        and i.actual.unit not in (None, "%", "年", "月", "天", "日")
        and not i.actual.qualitative
        and i.target.value
    ]
    if not counted:
        pytest.skip("the family prints no counted actual")
    indicator = counted[0]
    wrong = indicator.actual.value * 2 + 7
    described = indicator.model_copy(update={"description": f"全年实际完成{_shown(wrong)}{indicator.actual.unit}"})
    planted = result.model_copy(
        update={"indicators": [described if i.id == indicator.id else i for i in result.indicators]}
    )
    found = [(f.rule, f.refs[0]) for f in _loud(validate(planted)) if f.rule == "described_vs_reported"]
    assert found == [("described_vs_reported", f"{indicator.id}.actual")]
