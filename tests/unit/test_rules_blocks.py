"""A 合计 block of budget lines against the same lines of the blocks listed after it (block_sums).

The layout of 彭水's 计划生育服务 自评表: label | amount lines in blocks under heading rows, the total
block first, then 其中: and one block per programme.
"""

from __future__ import annotations

from extractor.rules.blocks import block_sums
from extractor.rules.docview import DocView
from schemas import ExtractionResult
from tests.rules_factories import DocumentBuilder, findings_of

LINES = {"item": 0, "adjusted": 1}


def _form(city_total: str, rows_of: tuple[tuple[str, str, str, str], ...]) -> DocumentBuilder:
    doc = DocumentBuilder(year=2024)
    table = doc.table("计划生育服务项目绩效自评表")
    table.row([{"text": "指标", "colspan": 2}])
    headings = ("转移支付资金合计(万元)", "奖励扶助资金(万元)", "特别扶助资金(万元)")
    totals = (("1084.25", "668.00", city_total, "73.25"), *rows_of)
    for index, (heading, amounts) in enumerate(zip(headings, totals)):
        table.row([{"text": heading, "colspan": 2}])
        for label, amount in zip(("年度预算资金总额:", "其中:中央补助", "市级资金", "本级资金"), amounts):
            table.row([label, amount], budget=LINES)
        if index == 0:
            table.row(["其中:", ""])
    return doc


PROGRAMMES = (("763.00", "502.00", "208.00", "53.00"), ("321.25", "166.00", "135.00", "20.25"))


def _block_findings(result: ExtractionResult) -> list[tuple[tuple[str, ...], object, object]]:
    return [(d.refs, d.expected, d.found) for d in block_sums(DocView(result))]


def test_blocks_that_add_up_give_no_finding():
    assert _block_findings(_form("343.00", PROGRAMMES).build()) == []


def test_a_total_line_that_is_not_the_sum_of_its_blocks_is_found_at_its_cells():
    wrong = PROGRAMMES[:1] + (("321.25", "166.00", "136.00", "20.25"),)
    sums = [f for f in findings_of(_form("343.00", wrong).build(), "sum_mismatch") if f.refs[0] == "b3.adjusted"]
    assert [(f.refs, f.expected, f.found) for f in sums] == [
        (["b3.adjusted", "b7.adjusted", "b11.adjusted"], 344.0, 343.0)
    ]


def test_blocks_that_share_labels_but_do_not_add_up_are_no_breakdown():
    unrelated = (("10.00", "5.00", "3.00", "2.00"), ("20.00", "10.00", "6.00", "4.00"))
    assert _block_findings(_form("343.00", unrelated).build()) == []
