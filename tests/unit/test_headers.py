"""Header cells to roles: synonyms, fuzzy matches and per-region vocabularies."""

import pytest

from extractor.forms.headers import BUDGET_ROLES, INDICATOR_ROLES, SCORE_ROLES, match_header, match_role
from extractor.forms.view import TableView
from schemas import Cell, TableBlock


@pytest.mark.parametrize(
    ("printed", "role"),
    [
        ("一级指标", "level1"),
        ("二 级 指 标", "level2"),
        ("三级指标", "name"),
        ("指标内容", "name"),
        ("指标值", "target"),
        ("年度\n指标值", "target"),
        ("预期指标值", "target"),
        ("绩效目标", "target"),
        ("实际完成值", "actual"),
        ("实际\n完成值", "actual"),
        ("实际完成指标值", "actual"),
        ("完成情况", "actual"),
        ("分值", "weight"),
        ("指标分值", "weight"),
        ("得分", "score"),
        ("指标得分", "score"),
        ("自评得分", "score"),
        ("复核得分", "review_score"),
        ("完成情况简要描述", "description"),
        ("完成情况简\n要描述", "description"),
        ("偏差原因及改进措施", "deviation_reason"),
        ("偏差原因\n分析及\n改进措施", "deviation_reason"),
        ("未完成原因分析", "deviation_reason"),
        ("复核意见", "review_comment"),
    ],
)
def test_indicator_header_roles(printed, role):
    assert match_role(printed, INDICATOR_ROLES)[0] == role


@pytest.mark.parametrize(
    ("printed", "role"),
    [
        ("年初预算数", "initial"),
        ("年中预算调整\n数", "adjustment"),
        ("当年使用上年结余、结转及当年调整预算数", "adjustment"),
        ("调整预算数", "adjusted"),
        ("财政拨款数", "adjusted"),
        ("实际支付数", "actual"),
        ("调整后预\n算数", "adjusted"),
        ("全年预算数", "adjusted"),
        ("实际支出\n数", "actual"),
        ("全年执行数", "actual"),
        ("预算执行数", "actual"),
        ("预算执行率(%)", "rate"),
        ("执行率", "rate"),
        ("资金来源", "item"),
        ("项目名称", "item"),
        ("整改后\n复核得分", "review_score"),
        ("单位自评得分", "score"),
    ],
)
def test_budget_header_roles(printed, role):
    assert match_role(printed, BUDGET_ROLES)[0] == role


def test_fuzzy_match_tolerates_a_typo():
    assert match_role("实际完成直", INDICATOR_ROLES)[0] == "actual"


def test_long_text_is_never_a_header():
    assert match_role("通过开展实体经济常态化调研服务和优化对重点企业的服务", INDICATOR_ROLES) is None


def test_same_word_means_different_roles_per_region():
    assert match_role("得分", SCORE_ROLES)[0] == "score"
    assert match_role("项目", SCORE_ROLES)[0] == "label"
    assert match_role("项目", INDICATOR_ROLES) is None


def _table(rows: list[list[str]]) -> TableView:
    cells = [Cell(row=r, col=c, text=t) for r, row in enumerate(rows) for c, t in enumerate(row)]
    return TableView(TableBlock(cells=cells, n_rows=len(rows), n_cols=len(rows[0]), pages=[1]))


def test_header_row_found_with_columns_in_any_order():
    view = _table(
        [
            ["指标得分", "三级指标", "实际完成值", "指标值", "分值"],
            ["4", "分析会召开次数", "4", "＝4次", "4"],
        ]
    )
    header = match_header(view, 0)
    assert header is not None and header.kind == "indicators"
    assert {role: col.first_col for role, col in header.roles.items()} == {
        "score": 0,
        "name": 1,
        "actual": 2,
        "target": 3,
        "weight": 4,
    }


def test_budget_header_is_not_an_indicator_header():
    view = _table(
        [
            ["资金来源", "年初预算数", "调整后预算数", "实际支出数", "预算执行率(%)"],
            ["合计", "10", "10", "9.6304", "96.30%"],
        ]
    )
    header = match_header(view, 0)
    assert header is not None and header.kind == "budget"


def test_data_row_is_not_a_header():
    view = _table([["产出指标", "数量指标", "评审会召开次数", "≥1次", "4"]])
    assert match_header(view, 0) is None
