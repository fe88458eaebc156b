"""sum_mismatch along the reader's level hierarchy: subtotal = Σ children, 总分 = Σ level subtotals."""

from __future__ import annotations

from typing import Optional

from schemas import ExtractionResult
from tests.rules_factories import DocumentBuilder, findings_of

COLUMNS = {"name": 0, "target": 1, "actual": 2, "weight": 3, "score": 4}
SUMMARY = {"label": 0, "weight": 3, "score": 4}
OUTPUT = [("培训人数", "≥100人", "120人", "20", "20"), ("检查次数", "≥5次", "4次", "30", "28")]
EFFECT = [("满意度", "≥90%", "95%", "40", "40")]


def _form(
    *,
    output_total: tuple[str, str] = ("50", "48"),
    effect_total: tuple[str, str] = ("40", "40"),
    grand_total: tuple[str, str] = ("100", "97.5"),
    budget: Optional[tuple[str, str]] = ("10", "9.5"),
    budget_counted: bool = True,
    scores: Optional[dict[str, str]] = None,
) -> ExtractionResult:
    """Two 一级 levels with their subtotal rows, a 预算执行 line and a 总分, linked as a reader links them."""
    doc = DocumentBuilder(year=2024)
    table = doc.table("项目支出绩效自评表", role="indicators")
    table.row(["三级指标", "指标值", "实际完成值", "分值", "得分"])
    for level1, rows in (("产出指标", OUTPUT), ("效益指标", EFFECT)):
        for name, *cells in rows:
            if scores and name in scores:
                cells[-1] = scores[name]
            table.row([name, *cells], indicator={**COLUMNS, "level1": level1})
    table.row(["产出指标", "", "", *output_total], score=SUMMARY)
    table.row(["效益指标", "", "", *effect_total], score=SUMMARY)
    if budget is not None:
        table.row(["预算执行", "", "", *budget], score=SUMMARY)
    table.row(["总分", "", "", *grand_total], score=SUMMARY)
    doc.link("c1", "i1", "i2").link("c2", "i3")
    top = "c4" if budget is not None else "c3"
    doc.link(top, "c1", "c2", *(["c3"] if budget is not None and budget_counted else []))
    return doc.build()


def test_a_consistent_hierarchy_has_no_finding():
    assert findings_of(_form()) == []
    assert findings_of(_form(budget=None, grand_total=("90", "88"))) == []


def test_a_level_subtotal_that_differs_from_its_indicators_is_found_at_its_cell():
    (finding,) = findings_of(_form(output_total=("50", "46"), grand_total=("100", "95.5")), "sum_mismatch")
    assert finding.refs[:3] == ["c1.score", "i1.score", "i2.score"]
    assert (finding.found, finding.expected) == (46.0, 48.0)


def test_a_level_weight_that_differs_from_its_indicators():
    (finding,) = findings_of(_form(output_total=("60", "48"), grand_total=("110", "97.5")), "sum_mismatch")
    assert finding.refs[0] == "c1.weight" and (finding.found, finding.expected) == (60.0, 50.0)


def test_the_grand_total_against_its_levels_and_budget_execution():
    (finding,) = findings_of(_form(grand_total=("100", "98.5")), "sum_mismatch")
    assert finding.refs == ["c4.score", "c1.score", "c2.score", "c3.score"]
    assert (finding.found, finding.expected) == (98.5, 97.5)


def test_a_total_printed_without_the_budget_part_is_also_read_with_it():
    # The reader did not count 预算执行 under 总分, but 总分 does include it: either reading may hold.
    assert findings_of(_form(budget_counted=False), "sum_mismatch") == []
    (finding,) = findings_of(_form(budget_counted=False, grand_total=("100", "99")), "sum_mismatch")
    assert finding.refs[0] == "c4.score"


def test_rounding_inside_the_tolerance_is_not_a_finding():
    result = _form(
        output_total=("50", "48.67"),
        scores={"培训人数": "19.33", "检查次数": "29.33"},
        grand_total=("100", "98.17"),
    )
    # 19.33 + 29.33 = 48.66 against a printed 48.67: two parts, one unit of the last place.
    assert findings_of(result, "sum_mismatch") == []


def test_a_linked_subtotal_is_checked_once_not_again_by_the_label_rules():
    result = _form(output_total=("50", "46"), grand_total=("100", "95.5"))
    assert len([f for f in findings_of(result, "sum_mismatch") if "c1.score" in f.refs]) == 1


def test_levels_printing_only_weights_stand_for_their_indicators_in_the_score_total():
    # 产出指标(50分) / 效益指标(40分) print no subtotal score: 总分 得分 is the indicators' scores + 预算执行.
    assert findings_of(_form(output_total=("50", ""), effect_total=("40", ""))) == []
    (finding,) = findings_of(
        _form(output_total=("50", ""), effect_total=("40", ""), grand_total=("100", "98.5")), "sum_mismatch"
    )
    assert finding.refs == ["c4.score", "i1.score", "i2.score", "i3.score", "c3.score"]
    assert (finding.found, finding.expected) == (98.5, 97.5)


def _cut_form(self_score: str, *, positioned: bool = True) -> ExtractionResult:
    """A form printing 自评得分 and each level above its rows, stopping inside its last level (a cut page):
    效益指标(50分) shows one row of 40 points before the document ends."""
    doc = DocumentBuilder(year=2024)
    table = doc.table("项目支出绩效自评表", role="indicators")
    table.row(["三级指标", "指标值", "实际完成值", "分值", "得分"])
    table.row(["自评得分", "", "", "", self_score], score=SUMMARY)
    table.row(["产出指标", "", "", "50", ""], score=SUMMARY)
    for name, *cells in OUTPUT:
        table.row([name, *cells], indicator={**COLUMNS, "level1": "产出指标"})
    table.row(["效益指标", "", "", "50", ""], score=SUMMARY)
    for name, *cells in EFFECT:
        table.row([name, *cells], indicator={**COLUMNS, "level1": "效益指标"})
    doc.link("c2", "i1", "i2").link("c3", "i3").link("c1", "c2", "c3")
    result = doc.build()
    if not positioned:
        return result
    tables = [
        t.model_copy(
            update={
                "cells": [c.model_copy(update={"bbox": (0.0, 20.0 * c.row, 100.0, 20.0 * c.row + 18)}) for c in t.cells]
            }
        )
        for t in result.tables
    ]
    return result.model_copy(update={"tables": tables})


def test_a_document_that_stops_inside_a_level_is_checked_as_a_bound():
    # 20 + 28 + 40 = 88 printed; the cut 效益 level leaves 10 points unprinted: 98 can hold, 99 cannot.
    assert findings_of(_cut_form("98"), "sum_mismatch") == []
    # 效益指标(50分) printing 40 before the end, and 自评得分 over the rows printed, shown for information
    shown = findings_of(_cut_form("98"), "sum_mismatch", severities=("info",))
    assert [(f.refs[0], f.expected, f.found) for f in shown] == [("c1.score", 88.0, 98.0), ("c3.weight", 40.0, 50.0)]
    (finding,) = findings_of(_cut_form("99"), "sum_mismatch")
    assert finding.refs[0] == "c1.score" and (finding.found, finding.expected) == (99.0, 98.0)
    (below,) = findings_of(_cut_form("87"), "sum_mismatch")  # less than the rows printed: no cut explains it
    assert below.refs[0] == "c1.score" and below.expected == 88.0


def test_without_positions_the_end_of_the_document_is_not_assumed():
    # An office file gives no positions: a paragraph may follow the table, so the levels must add up.
    refs = [f.refs[0] for f in findings_of(_cut_form("98", positioned=False), "sum_mismatch")]
    assert "c3.weight" in refs
