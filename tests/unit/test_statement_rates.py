"""Rate columns read by the reader (forms/statements/rates.py) and checked by rate_mismatch from that reading."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from extractor.forms.lexicon import Lexicon
from extractor.forms.statements import blocks_of, read_regions
from extractor.forms.statements.grid import FigureGrid
from schemas import ExtractionResult, RateRelation, Table
from tests.rules_factories import DocumentBuilder, findings_of


def _doc(header: list[str], rows: list[list[str]]) -> ExtractionResult:
    doc = DocumentBuilder(year=2024)
    table = doc.table("支出决算表")
    table.row(header)
    for row in rows:
        table.row(row)
    return doc.build()


def _table(header: list[str], rows: list[list[str]]) -> Table:
    return _doc(header, rows).tables[0]


def _rates(table: Table) -> list[RateRelation]:
    return [relation for region in read_regions(table, "pdf_digital") for relation in region.rates or []]


BUDGET = ["项目", "年初预算数", "调整后预算数", "执行数", "执行率"]


def test_the_headers_name_a_rates_terms_and_the_lines_pick_the_denominator():
    rows = [["办公费", "100", "200", "150", "75%"], ["印刷费", "50", "40", "30", "75%"]]
    assert _rates(_table(BUDGET, rows)) == [RateRelation(rate=4, numerator=3, denominator=2, evidence="header")]
    rows = [["办公费", "200", "100", "150", "75%"], ["印刷费", "40", "50", "30", "75%"]]
    assert _rates(_table(BUDGET, rows)) == [RateRelation(rate=4, numerator=3, denominator=1, evidence="header")]


def test_the_adjusted_budget_is_the_denominator_when_the_lines_cannot_tell():
    rows = [["办公费", "100", "100", "75", "75%"], ["印刷费", "40", "40", "30", "75%"]]
    assert _rates(_table(BUDGET, rows)) == [RateRelation(rate=4, numerator=3, denominator=2, evidence="header")]


SHARE = ["项目", "本级数", "上级数", "占比"]


def test_without_a_header_reading_a_pair_the_lines_confirm_is_read_from_content():
    rows = [["甲", "50", "100", "50%"], ["乙", "30", "60", "50%"], ["丙", "20", "80", "25%"]]
    assert _rates(_table(SHARE, rows)) == [RateRelation(rate=3, numerator=1, denominator=2, evidence="content")]


def test_a_pair_agreeing_on_one_line_only_is_no_reading():
    rows = [["甲", "50", "100", "50%"], ["乙", "30", "60", "70%"], ["丙", "20", "80", "90%"]]
    assert _rates(_table(SHARE, rows)) == []


def test_a_mismatch_is_an_error_by_the_headers_and_a_warning_by_content_alone():
    budget = _doc(BUDGET, [["办公费", "100", "200", "150", "75%"], ["印刷费", "50", "40", "30", "70%"]])
    ((rule, severity, refs),) = [(f.rule, f.severity, f.refs) for f in findings_of(budget, "rate_mismatch")]
    assert (rule, severity, refs) == ("rate_mismatch", "error", ["t1.r2c4", "t1.r2c3", "t1.r2c2"])
    share = _doc(SHARE, [["甲", "50", "100", "50%"], ["乙", "30", "60", "50%"], ["丙", "20", "80", "30%"]])
    ((severity, refs),) = [(f.severity, f.refs) for f in findings_of(share, "rate_mismatch")]
    assert (severity, refs) == ("warning", ["t1.r3c3", "t1.r3c1", "t1.r3c2"])


def test_a_region_stored_without_rates_is_re_read_and_stored_rates_are_kept():
    table = _table(BUDGET, [["办公费", "100", "200", "150", "75%"], ["印刷费", "50", "40", "30", "75%"]])
    regions = read_regions(table, "pdf_digital")
    grid = FigureGrid(table)
    old = [region.model_copy(update={"rates": None}) for region in regions]
    assert [b.rates for b in blocks_of(grid, old)] == [r.rates for r in regions]
    none_read = [region.model_copy(update={"rates": []}) for region in regions]
    assert [b.rates for b in blocks_of(grid, none_read)] == [[]]


def test_the_stored_relation_decides_what_rate_mismatch_checks():
    result = _doc(BUDGET, [["办公费", "100", "200", "150", "75%"], ["印刷费", "50", "40", "30", "70%"]])
    table = result.tables[0]
    (region,) = read_regions(table, "pdf_digital")
    table.regions = [region.model_copy(update={"rates": []})]
    assert findings_of(result, "rate_mismatch") == []


def test_lexicon_names_the_rate_pattern_that_does_not_compile():
    data = yaml.safe_load(Path("extractor/forms/lexicon.yaml").read_text(encoding="utf-8"))
    data["statements"]["rate_definitions"][0]["denominator"] = "(分值|满分"
    with pytest.raises(ValidationError, match="rate_definitions.denominator"):
        Lexicon.model_validate(data)
