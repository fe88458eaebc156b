"""The nine acceptance findings of issue 4 on the seed fixtures: the goldens and every rendered format.

Each expectation names its rule, the record field (or table cell, or narrative paragraph)
it must point to, and the figures. Paragraph ids differ between formats (each format
splits the report text its own way), so narrative refs are matched as `p<n>.text`.
The extra findings the seeds really contain are listed once, with why each is right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

import pytest

from extractor.pipeline import extract
from extractor.rules import Validation, check
from schemas import ExtractionResult, Finding

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"
SOURCES = ("golden", "pdf", "docx", "xlsx")
PARAGRAPH = r"p\d+\.text"


@dataclass(frozen=True)
class Expected:
    rule: str
    ref: str
    """A regular expression the finding's first ref must match."""
    found: Union[float, str, None] = None
    expected: Union[float, str, None] = None
    also: tuple[str, ...] = ()
    """Refs (regular expressions) that must appear among the others."""

    def matches(self, finding: Finding) -> bool:
        return (
            finding.rule == self.rule
            and re.fullmatch(self.ref, finding.refs[0]) is not None
            and _same(finding.found, self.found)
            and _same(finding.expected, self.expected)
            and all(any(re.fullmatch(ref, r) for r in finding.refs[1:]) for ref in self.also)
        )


def _same(value: Union[float, str, None], wanted: Union[float, str, None]) -> bool:
    if wanted is None:
        return True
    if isinstance(wanted, float) and isinstance(value, (int, float)):
        return abs(value - wanted) < 1e-6
    return value == wanted


ACCEPTANCE: dict[str, list[Expected]] = {
    "000": [
        Expected("spreadsheet_error", r"b1\.rate", "#DIV/0!"),  # 1: 合计 执行率 #DIV/0!
        Expected("spreadsheet_error", r"c2\.score", "#DIV/0!"),
    ],  # 1: 预算执行（10分）#DIV/0!
    "001": [
        Expected("sum_mismatch", r"c1\.weight", also=(r"c1\.score",)),  # 2: 总分 90 / 98
        Expected("cross_reference_mismatch", PARAGRAPH, 254.04, 254.03, also=(PARAGRAPH, PARAGRAPH)),
    ],  # 3
    "002": [
        Expected("deviation_over_30", r"i8\.actual", 19.0, 5.0),  # 4: ≥5个, 19
        Expected("rate_mismatch", r"b16\.rate", 90.0, 100.0),
    ],  # 5: 1.90 / 1.90 printed 90%
    "004": [
        Expected("sum_mismatch", r"t\d+\.r4c2", 1958.52, 195.85),  # 6: 上年结转 column
        Expected("sum_mismatch", r"t\d+\.r6c1", 1413.16, 1411.90),  # 7: 州中小微企业服务中心 row
        Expected("cross_reference_mismatch", PARAGRAPH, 10.80, 1.08, also=(r"t\d+\.r4c2",)),  # 8
        Expected("cross_reference_mismatch", PARAGRAPH, 902.59, 902.58, also=(r"t\d+\.r3c2",)),  # 8
        # budget line ids follow the reader (it now also reads the 三公经费 table into lines): matched by figures
        Expected("sum_mismatch", r"b\d+\.initial", 1761.31, 1454.57, also=(r"b\d+\.initial", r"b\d+\.initial")),  # 9
        Expected("cross_reference_mismatch", PARAGRAPH, 1624.45, 1317.72, also=(r"b\d+\.initial",)),
    ],  # 9
}

# What else the seeds really contain (errors and warnings; info findings are not counted):
EXTRA: dict[str, list[Expected]] = {
    "000": [],
    "001": [
        Expected("score_exceeds_weight", r"c1\.score", 98.0, 90.0),  # 总分 得分 98 > 分值 90
        Expected("unit_mismatch", PARAGRAPH, "元"),
    ],  # “全年支出 381.58 元” beside 381.58 万元
    "002": [
        Expected("rate_mismatch", r"b14\.rate", 90.0, 0.0),  # row 14: nothing spent ("-"), printed 90%
        Expected("deviation_over_30", r"i9\.actual", 0.0, 100.0),  # 抽查 =100%, 未开展: 0
        Expected("described_vs_reported", r"i13\.actual", 90.0, 100.0),
    ],  # report: 及时完成率为90%, table 100
    "004": [
        Expected("sum_mismatch", r"t\d+\.r4c1", 8982.84, 10744.24),  # 汇总 row carries 1958.52 (and the 1.26)
        Expected("sum_mismatch", r"b\d+\.adjusted", 8988.94, 8785.72),  # 按收入性质分 leaves out 上年结转
        Expected("sum_mismatch", r"b\d+\.actual", 8982.84, 8785.72),  # same, 全年执行数
        Expected("sum_mismatch", r"c\d+\.score", 30.0, 29.0),  # 效益指标 30, its indicators 8+7+6+8
        Expected("sum_mismatch", r"c\d+\.score", 9.0, 10.0),  # 满意度 9, its indicators 3+3+4
        Expected("rate_mismatch", r"t\d+\.r4c3", 100.0, 90.0),  # 满意度 得分率 100% for 9 of 10
        Expected("sum_mismatch", PARAGRAPH, 2834.44, 8861.50),  # 基本支出 2834.44 主要用于 … 8861.50
        Expected("sum_mismatch", PARAGRAPH, 2834.44, 2844.17),  # 按科目分类 list: 10.80 and 902.59
        Expected("sum_mismatch", PARAGRAPH, 8.54, 18.33),  # 国有资本经营预算支出 8.54, 其中 … 18.33
        Expected("direction_mismatch", PARAGRAPH, "降幅"),  # 增加2070.25万元，降幅50.76%
        Expected("deviation_over_30", r"i\d+\.actual", 0.1, 8.0),  # 工业增加值 8% → 0.1% (both forms)
        Expected("deviation_over_30", r"i\d+\.actual", 0.1, 8.0),
        Expected("deviation_over_30", r"i\d+\.actual", 39.9, 100.0),  # 政府采购执行率
        Expected("deviation_over_30", r"i\d+\.actual", 37.84, 100.0),  # 三公经费控制率 (both forms)
        Expected("deviation_over_30", r"i\d+\.actual", 37.84, 100.0),
        Expected("deviation_over_30", r"i\d+\.actual", 40.0, 30.0),
    ],  # 招商引资项目 30个 → 40个
}


def _load(seed: str, source: str) -> ExtractionResult:
    if source == "golden":
        return ExtractionResult.model_validate_json((SEEDS / seed / "golden.json").read_text(encoding="utf-8"))
    return extract(SEEDS / seed / f"{seed}.{source}")


@pytest.fixture(scope="module")
def validations():
    cache: dict[tuple[str, str], tuple[ExtractionResult, Validation]] = {}

    def get(seed: str, source: str) -> tuple[ExtractionResult, Validation]:
        if (seed, source) not in cache:
            result = _load(seed, source)
            cache[(seed, source)] = (result, check(result))
        return cache[(seed, source)]

    return get


def _take(findings: list[Finding], wanted: Expected) -> Optional[Finding]:
    for finding in findings:
        if wanted.matches(finding):
            findings.remove(finding)
            return finding
    return None


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("seed", sorted(ACCEPTANCE))
def test_acceptance_findings_and_nothing_unexplained(validations, seed, source):
    _, validation = validations(seed, source)
    assert validation.problems == []
    left = [f for f in validation.findings if f.severity in ("error", "warning")]
    missing = [wanted for wanted in ACCEPTANCE[seed] if _take(left, wanted) is None]
    assert missing == [], [f"{f.rule} {f.refs[:2]} {f.found}" for f in validation.findings]
    unexplained = list(left)
    for wanted in EXTRA[seed]:
        _take(unexplained, wanted)
    assert unexplained == []


def _section_refs(result: ExtractionResult, section: str) -> set[str]:
    records = [*result.indicators, *result.budget_lines, *result.scores]
    return {r.id for r in records if r.section == section}


@pytest.mark.parametrize("source", SOURCES)
def test_000_project_form_is_silent(validations, source):
    result, validation = validations("000", source)
    project = next(s.id for s in result.sections if s.kind == "project")
    ids = _section_refs(result, project)
    assert ids
    assert [f for f in validation.findings if any(r.split(".")[0] in ids for r in f.refs)] == []


@pytest.mark.parametrize("source", SOURCES)
def test_002_agreeing_rates_and_score_summaries_are_silent(validations, source):
    result, validation = validations("002", source)
    rows = {b.item: b.id for b in result.budget_lines}
    agreeing = {
        rows[item]
        for item in rows
        if item.startswith(("实体经济", "财政资金聘用", "工程系列职称", "2024中国产业转移", "玉林市节能中心"))
    }
    assert len(agreeing) == 6  # rows 2–5, 12 and 18
    refs = {r.split(".")[0] for f in validation.findings for r in f.refs}
    assert not agreeing & refs
    assert not {s.id for s in result.scores} & refs
