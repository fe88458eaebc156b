"""The reader and the validator on the real published forms of ../shared/real_forms (or $EXTRACTOR_SHARED_DIR).

Each <key>.pdf is extracted and compared with <key>.json, a careful reader's extraction (level names
bare, target/actual as printed strings, budget lines, document fields). Issue 9's acceptance per form:
≥ 95% informative field accuracy and 100% record recall.

Issue 10's acceptance per form: every inconsistency the JSON names a SPEC `rule` for is found under that
rule at its cells, and no other error or warning is reported. The JSON says in words which rows an
inconsistency concerns; CITED below names those rows by their printed label and field, and the test looks
the record up in the extraction by that label (ids are the reader's business).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from extractor.eval import (
    REAL_FORM_FIELDS,
    SHARED_DIR_VARIABLE,
    evaluate_against,
    real_form_files,
    real_form_golden,
    real_forms_dir,
)
from extractor.pipeline import extract
from schemas import ExtractionResult, Finding
from tests.corpus import missing

FIELD_ACCURACY = 0.95
FOLDER = real_forms_dir()
FILES = real_form_files(FOLDER)

pytestmark = pytest.mark.skipif(
    not FILES, reason=missing(f"no real forms in {FOLDER}: set {SHARED_DIR_VARIABLE} to the folder holding real_forms/")
)

NOT_READ_YET: dict[str, str] = {
    # Forms the current reader misses; the lead removes an entry as the reader lands it (issue 9).
}


def _cases() -> list[object]:
    return [
        pytest.param(
            path,
            id=path.stem,
            marks=[pytest.mark.xfail(strict=False, reason=f"reader: {NOT_READ_YET[path.stem]}")]
            if path.stem in NOT_READ_YET
            else [],
        )
        for path in FILES
    ]


@pytest.mark.parametrize("path", _cases())
def test_real_form_reads_as_its_careful_reading(path: Path) -> None:
    score = evaluate_against(path, real_form_golden(path.with_suffix(".json")), REAL_FORM_FIELDS)
    misses = "\n".join(
        f"{miss.record}.{miss.field}: expected {miss.expected!r}, found {miss.found!r}" for miss in score.misses[:25]
    )
    assert score.error is None, score.error
    missing = {kind: count.expected - count.matched for kind, count in score.counts.items()}
    assert all(value == 0 for value in missing.values()), f"records not found: {missing}\n{misses}"
    assert score.field_accuracy >= FIELD_ACCURACY, f"field accuracy {score.field_accuracy:.4f}\n{misses}"


@dataclass(frozen=True)
class Cited:
    """A printed row (by its label: indicator name, budget item, score label) and the field a finding must cite."""

    label: str
    field: str


# Per form, per inconsistency of its JSON that names a rule (in the JSON's order): the cells it is about.
CITED: dict[str, list[list[Cited]]] = {
    "f01_cq_pengshui": [
        [Cited("计划生育家庭特别扶助制度补助资金 年度预算资金总额", "adjusted")],  # 166 + 136 + 20.25 ≠ 321.25
        [Cited("计划生育转移支付资金合计 市级资金", "adjusted")],  # 208 + 136 ≠ 343
    ],
    "f02_sx_jishan": [
        [Cited("总分", "score")],
        [Cited("指标1:是否解决建档立卡人员看病难贵问题", "score")],
        [Cited("指标1:是否满意", "score")],
    ],
    "f07_nx_yinchuan": [
        [Cited("自评得分", "score")],
        [Cited("预算执行率", "score")],
        [Cited("公用经费完成时间", "score")],
        [Cited("效果显著", "score"), Cited("使学生和老师有个更好的学习和工作环境,做到", "score")],
    ],
    "f08_js_suzhou": [[Cited("预算执行率", "actual")]],
    "f09_ah_yuan": [[Cited("年度资金总额", "score")], [Cited("项目设计、招标、施工", "score")]],
}

# Errors and warnings the JSON does not list, each judged against the printed form and kept on purpose.
BEYOND_THE_JSON: dict[str, list[tuple[str, Cited]]] = {
    # 年度资金总额 得分 9 for 分值 10 × 执行率 99% (65.07 / 65.66): the same reading as f09's verified 8 for 9 × 95.8%
    # (the HTML comment of f02 notes "the 9 for a 99% execution rate"; its JSON does not list it).
    "f02_sx_jishan": [("score_inconsistent", Cited("年度资金总额", "score"))],
    # 布展面积 300㎡ → 0: SPEC's deviation_over_30 (a fact to review, not an inconsistency; the JSON cites it).
    "f04_ah_xiuning": [("deviation_over_30", Cited("布展面积", "actual"))],
}

# Known gaps, each named precisely; a form listed here fails loudly once it passes (strict xfail).
NOT_FOUND_YET: dict[str, str] = {
    "f08_js_suzhou": "reader: 2960.00 | 0.00 is read as 年初预算数 | 调整预算数 (当年使用上年结余、结转及当年调整预算数 is an "
    "adjustment) and the 财政拨款数 | 实际支付数 line of the next block is not joined to it, so no budget line prints the "
    "2798.30 / 2960.00 = 94.54% that indicator_rates holds 预算执行率 =98% against",
}


def _squeezed(text: str) -> str:
    return re.sub(r"[\s:：]", "", text)


@cache
def _extracted(path: Path) -> ExtractionResult:
    return extract(path)


def _ref(result: ExtractionResult, cited: Cited) -> str:
    records = [
        *((i.id, i.name) for i in result.indicators),
        *((b.id, b.item) for b in result.budget_lines),
        *((c.id, c.label) for c in result.scores),
    ]
    found = [rid for rid, label in records if _squeezed(label) == _squeezed(cited.label)]
    assert found, f"no record labelled {cited.label!r}"
    return f"{found[0]}.{cited.field}"


def _loud(result: ExtractionResult) -> list[Finding]:
    return [f for f in result.findings if f.severity in ("error", "warning")]


def findings_against_reading(path: Path) -> tuple[list[str], list[str], list[str]]:
    """(found, missed, extra): the JSON's rule-named inconsistencies found at their cells or missed, and the
    errors and warnings that answer none of them (nor BEYOND_THE_JSON), each described in one line."""
    result = _extracted(path)
    reading = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    named = [item for item in reading.get("inconsistencies", []) if item.get("rule")]
    cited = CITED.get(path.stem, [])
    assert len(cited) == len(named), f"{path.stem}: CITED lists {len(cited)} of {len(named)} named inconsistencies"
    found, missed, answered = [], [], set()
    for item, cells in zip(named, cited):
        refs = [_ref(result, cell) for cell in cells]
        hits = [f for f in _loud(result) if f.rule == item["rule"] and any(ref in f.refs for ref in refs)]
        covered = all(any(ref in f.refs for f in hits) for ref in refs)
        (found if covered else missed).append(f"{item['rule']} at {', '.join(refs)}")
        answered.update(f.id for f in hits)
    for rule, cell in BEYOND_THE_JSON.get(path.stem, []):
        ref = _ref(result, cell)
        answered.update(f.id for f in _loud(result) if f.rule == rule and ref in f.refs)
    extra = [f"{f.severity} {f.rule} {f.refs[:3]} {f.message}" for f in _loud(result) if f.id not in answered]
    return found, missed, extra


def _finding_cases() -> list[object]:
    return [
        pytest.param(
            path,
            id=path.stem,
            marks=[pytest.mark.xfail(strict=True, reason=NOT_FOUND_YET[path.stem])]
            if path.stem in NOT_FOUND_YET
            else [],
        )
        for path in FILES
    ]


@pytest.mark.parametrize("path", _finding_cases())
def test_real_form_inconsistencies_are_found_at_their_cells_and_nothing_else(path: Path) -> None:
    _, missed, extra = findings_against_reading(path)
    assert missed == [], f"not found: {missed}"
    assert extra == [], "reported beyond the careful reading:\n" + "\n".join(extra)
