"""Hand-built results modelled on the seed dumps (../shared/seeds), for the validator's tests.

Each builder reproduces the printed figures of one part of a seed, with the errors it
really contains. The goldens of fixtures/seeds/ are the full documents; these are the
parts the acceptance list names, small enough to read in a test.
"""

from __future__ import annotations

from schemas import ExtractionResult

from tests.rules_factories import DocumentBuilder

BUDGET_000 = {"item": 1, "initial": 2, "adjustment": 3, "adjusted": 4, "actual": 5, "rate": 6}
INDICATOR_000 = {"level1": 0, "level2": 1, "name": 2, "target": 3, "weight": 4, "actual": 5, "score": 6}


def seed_000_department() -> ExtractionResult:
    """000, 部门整体绩效自评表: a budget of zeros with #DIV/0!, 预算执行（10分）#DIV/0!."""
    doc = DocumentBuilder(kind="xlsx", year=2022)
    t = doc.table("2022年度部门整体绩效自评表")
    t.row(["部门名称", {"text": "贺州市工业和信息化局", "colspan": 3}, "部门编码", {"text": "601", "colspan": 2}])
    t.row([{"text": "部门预算安排资金（万元）", "rowspan": 6}, "资金来源", "年初预算数", "年中预算调整数", "调整后预算数",
           "实际支出数", "预算执行率(%)"])
    t.row(["合计", "0", "0", "0", "0", "#DIV/0!"], budget=BUDGET_000)
    for name in ("其中：一般公共预算拨款", "政府性基金", "国有资本经营预算", "其他资金"):
        t.row([name, "0", "0", "0", "0", "0"], budget=BUDGET_000)
    t.row([{"text": "自评得分（满分100分）", "colspan": 2}, "90", {"text": "预算执行（10分）", "colspan": 2},
           {"text": "#DIV/0!", "colspan": 2}], pairs=[(0, 2), (3, 5)])
    ind = doc.table("部门整体支出年度绩效目标衡量指标", role="indicators")
    ind.row(["一级指标", "二级指标", "指标内容", "指标值", "分值", "实际完成值", "指标得分", "完成情况简要描述", "偏差原因及改进措施"])
    rows = [
        ("产出指标", "数量指标", "工业经济运行分析会召开次数", "＝4次", "4", "4", "4"),
        ("产出指标", "数量指标", "工业经济运行分析报告撰写篇数", "＝4篇", "4", "4", "4"),
        ("产出指标", "数量指标", "开展电力行业专项检查工作次数", "＝2次", "2", "2", "2"),
        ("产出指标", "数量指标", "园区标准厂房建设", "＝50万平方米", "2", "50", "2"),
        ("产出指标", "数量指标", "园区基础设施投资", "＝15亿元", "2", "15", "2"),
        ("产出指标", "数量指标", "全年开工总投资亿元以上工业项目", "≥5个", "2", "5", "2"),
        ("产出指标", "数量指标", "中小企业融资服务活动", "＝4次", "2", "4", "2"),
        ("产出指标", "数量指标", "完成工业企业申报成为自治区电力市场交易电力用户数", "≥20家", "2", "21", "2"),
        ("产出指标", "质量指标", "规上工业增加值增速", "同比增长8.2%", "10", "达成预期指标", "10"),
        ("产出指标", "时效指标", "经济运行分析监测工作按季度完成", "＝100%", "5", "100", "5"),
        ("产出指标", "时效指标", "开工总投资亿元以上工业项目年度内完成", "＝100%", "5", "100", "5"),
        ("产出指标", "成本指标", "实际投入成本与预算安排的比率", "≤150%", "10", "150", "10"),
        ("效益指标", "经济效益指标", "规上工业总产值增长率", "同比增长9.89%", "10", "达成预期指标", "10"),
        ("效益指标", "经济效益指标", "工业投资增速", "同比增长31.6%", "10", "达成预期指标", "10"),
        ("效益指标", "社会效益指标", "新增规上工业企业数量", "≥80家", "10", "82", "10"),
        ("满意度指标", "满意度指标", "服务对象对部门年度整体工作开展的满意程度", "≥90%", "10", "90", "10"),
    ]
    for level1, level2, name, target, weight, actual, score in rows:
        ind.row([level1, level2, name, target, weight, actual, score, "", ""],
                indicator={**INDICATOR_000, "level1": level1, "level2": level2})
    return doc.build()


def seed_000_project(*, rate_text: str = "96.30%", score_text: str = "9.63") -> ExtractionResult:
    """000, 预算项目绩效自评表 (贺州市工程系列中初级评审会经费): every figure agrees."""
    doc = DocumentBuilder(kind="xlsx", year=2022).section("project", "2022年度预算项目绩效自评表")
    t = doc.table("2022年度预算项目绩效自评表")
    t.row(["项目名称", {"text": "贺州市工程系列中初级评审会经费", "colspan": 3}, "项目编码", {"text": "451100220460100010192", "colspan": 2}])
    t.row([{"text": "预算执行情况(万元)", "rowspan": 8}, "资金来源", "年初预算数", "年中预算调整数", "调整后预算数", "实际支出数",
           "预算执行率(%)"])
    t.row(["合计", "10", "0", "10", "9.6304", rate_text], budget=BUDGET_000)
    t.row(["其中：一般公共预算拨款", "", "", "", "", ""])
    t.row(["其中: 上级", "0.0", "0.0", "0.0", "0.0", "0"], budget=BUDGET_000)
    t.row(["本级", "10.0", "0.0", "10.0", "9.6304", "96.3"], budget=BUDGET_000)
    for name in ("政府性基金", "国有资本经营预算", "其他资金"):
        t.row([name, "0.0", "0.0", "0.0", "0.0", "0"], budget=BUDGET_000)
    t.row([{"text": "自评得分（满分100分）", "colspan": 2}, "99.63", {"text": "预算执行（10分）", "colspan": 2},
           {"text": score_text, "colspan": 2}], pairs=[(0, 2), (3, 5)])
    ind = doc.table("项目绩效目标衡量指标", role="indicators")
    ind.row(["一级指标", "二级指标", "指标内容", "指标值", "分值", "实际完成值", "指标得分", "完成情况简要描述", "偏差原因及改进措施"])
    rows = [
        ("产出指标", "数量指标", "评委评出实际人数", "评出实际人数", "20", "达成预期指标", "20"),
        ("产出指标", "质量指标", "达到评审标准", "中级通过率控制在60%以", "10", "达成预期指标", "10"),
        ("产出指标", "时效指标", "完成评审", "2022年12月底", "10", "达成预期指标", "10"),
        ("产出指标", "成本指标", "评审费", "10万元", "10", "达成预期指标", "10"),
        ("效益指标", "社会效益指标", "增加中初级职称人才", "市职称办审核通过人数", "30", "达成预期指标", "30"),
        ("满意度指标", "服务对象满意度", "服务对象", "≥90%", "10", "90", "10"),
    ]
    for level1, level2, name, target, weight, actual, score in rows:
        ind.row([level1, level2, name, target, weight, actual, score, "已达成预期指标", ""],
                indicator={**INDICATOR_000, "level1": level1, "level2": level2, "description": 7})
    return doc.build()


INDICATOR_001 = {"name": 3, "target": 4, "actual": 5, "weight": 6, "score": 7, "deviation_reason": 8}
SCORES_001 = [("部门管理", "财务管理", "年度报告提交及时性", "及时提交年度报告", "及时", "6", "6"),
              ("部门管理", "财务管理", "预算内支出", "预算内支出", "658.82 万元", "8", "8"),
              ("部门管理", "采购管理", "严格执行采购管理制度", "严格执行采购管理制度", "严格执行", "6", "6"),
              ("部门管理", "采购管理", "需采购杜绝浪费", "需采购杜绝浪费", "严格执行未发现浪费", "6", "6"),
              ("部门管理", "人员管理", "严格执行考勤制度", "严格执行考勤制度", "工作日内严格执行考情制度", "6", "6"),
              ("部门管理", "人员管理", "执行绩效工资考核制度", "执行绩效工资考核制度", "根据考勤发放绩效工资", "6", "6"),
              ("部门管理", "资产管理", "严格控制成本,合理配置资产", "严格控制成本,合理配置资产", "按照人员办公用房及资产配置要求执行", "6", "6"),
              ("部门管理", "资产管理", "严格执行资产管理制度", "严格执行资产管理制度", "资产按照制度专人专管", "6", "6"),
              ("履职效果", "部门履职目标", "单位职工工作协作性", "工作协作配合", "各股室紧密协作保证了各项业务开展", "7", "6"),
              ("履职效果", "部门效果目标", "工作效率提高性", "工作效率提升", "工作效率有所提升", "7", "6"),
              ("履职效果", "服务对象满意度", "单位职工满意度", "≥90%", "职工满意度 100%", "8", "8"),
              ("履职效果", "服务对象满意度", "服务企业满意度", "≥90%", "企业满意度 100%", "8", "8"),
              ("能力建设", "档案管理", "档案分类,专人专管", "档案分类,专人专管", "档案专人专管", "10", "10")]
NARRATIVE_001 = (
    "一是年度总体部门预算执行完成情况：2023年本部门预算执行658.82万元，人员经费执行254.03万元，公用经费执行23.21万元，"
    "项目执行381.58万元；二是2023年度总体绩效目标完成情况：全年各项业务正常运转。",
    "绩效自评总资金 658.82 万元，其中人员 254.04 万元，公用经费 23.21 万元，项目 381.58 万元。",
    "2023 年，本部门预算支出项目 6 个，当年财政拨款 381.58 万元，全年支出 381.58 元，执行率 100%。",
    "2023 年整体预算执行总资金 658.82 万元，其中人员 254.03 万元，公用经费 23.21 万元，项目 381.58 万元。",
)


def seed_001(*, total_weight: str = "90", total_score: str = "98", narrative: tuple[str, ...] = NARRATIVE_001) -> ExtractionResult:
    """001, 部门预算执行情况绩效自评表 and its report: 总分 90/98, 人员 254.04 against 254.03, 381.58 元."""
    doc = DocumentBuilder(kind="pdf_digital", year=2023)
    doc.text(*narrative)
    t = doc.table("2023 年庆城县工业和信息化局部门预算执行情况绩效自评表")
    t.row([{"text": "部门（单位）名称", "colspan": 2}, {"text": "庆城县工业和信息化局", "colspan": 7}])
    t.row([{"text": "部门（单位）整体支出（万元）", "rowspan": 4}, "", "年初预算数", "全年预算数", "实际支出数", "执行率",
           "分值", "得分", ""])
    budget = {"item": 1, "initial": 2, "adjusted": 3, "actual": 4, "rate": 5, "weight": 6, "score": 7}
    t.row(["全年支出", "658.82", "658.82", "658.82", "100%", "10", "10", ""], budget=budget)
    t.row(["其中：基本支出", "277.24", "277.24", "277.24", "100%", "-", "-", ""], budget=budget)
    t.row(["项目支出", "381.58", "381.58", "381.58", "100%", "-", "-", ""], budget=budget)
    ind = doc.table("年度绩效指标完成情况", role="indicators")
    ind.row(["", "一级指标", "二级指标", "三级指标", "预期指标值", "实际完成指标值", "分值", "得分", "未完成原因分析"])
    for level1, level2, name, target, actual, weight, score in SCORES_001:
        ind.row(["", level1, level2, name, target, actual, weight, score, ""],
                indicator={**INDICATOR_001, "level1": level1, "level2": level2})
    ind.row([{"text": "总分", "colspan": 6}, total_weight, total_score, ""], score={"label": 0, "weight": 6, "score": 7})
    return doc.build()
