"""Random consistent forms give no findings; one figure changed beyond rounding gives the matching one.

Amounts are drawn in fen (cents of 万元) and printed with two decimals, so every printed
total is exact; rates are rounded half-up to two decimals as a spreadsheet prints them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.rules_factories import DocumentBuilder, findings_of

ITEMS = [
    "一般公共预算拨款",
    "政府性基金",
    "国有资本经营预算",
    "事业收入",
    "其他资金",
    "上级补助收入",
    "附属单位上缴收入",
]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def money(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def rate(numerator: int, denominator: int) -> str:
    if denominator == 0:
        return "0.00%"
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{value}%"


@st.composite
def budgets(draw, smallest: int = 1):
    """A budget block: 合计 then parts (numbered, or 其中 on the first), 年初 / 调整后 / 实际 and 执行率.

    Amounts are at least 0.01: a 其中 breakdown is trusted once it adds up on a non-zero line.
    """
    count = draw(st.integers(2, 6))
    names = draw(st.permutations(ITEMS))[:count]
    rows = []
    for name in names:
        initial = draw(st.integers(smallest, 10**7))
        adjusted = initial + draw(st.integers(0, 10**6))
        actual = draw(st.integers(smallest, adjusted))
        rows.append([name, initial, adjusted, actual])
    numbered = draw(st.booleans())
    return rows, numbered


def budget_result(rows, numbered, change=None):
    """change: (row index or "total", column 1..4, new text)."""
    doc = DocumentBuilder(year=2024)
    table = doc.table("预算执行情况")
    table.row(["资金来源", "年初预算数", "调整后预算数", "实际支出数", "预算执行率"])
    totals = [sum(r[c] for r in rows) for c in (1, 2, 3)]
    lines = [["合计", *map(money, totals), rate(totals[2], totals[1])]]
    for index, (name, initial, adjusted, actual) in enumerate(rows):
        label = f"{index + 1}.{name}" if numbered else (f"其中：{name}" if index == 0 else name)
        lines.append([label, money(initial), money(adjusted), money(actual), rate(actual, adjusted)])
    if change is not None:
        where, column, text = change
        lines[0 if where == "total" else where + 1][column] = text
    columns = {"item": 0, "initial": 1, "adjusted": 2, "actual": 3, "rate": 4}
    for line in lines:
        table.row(line, budget=columns)
    return doc.build()


@SETTINGS
@given(budgets())
def test_consistent_budget_tables_give_no_findings(budget):
    rows, numbered = budget
    assert findings_of(budget_result(rows, numbered)) == []


@SETTINGS
@given(budgets(), st.data())
def test_a_changed_amount_is_a_sum_mismatch_on_its_line(budget, data):
    rows, numbered = budget
    where = data.draw(st.sampled_from(["total", *range(len(rows))]))
    column = data.draw(st.sampled_from([1, 2, 3]))
    original = sum(r[column] for r in rows) if where == "total" else rows[where][column]
    delta = data.draw(st.integers(10, 10**6)) * data.draw(st.sampled_from([1, -1]))  # 0.10: beyond 6 × 0.005
    if original + delta < 0:
        delta = -delta
    table_row = 1 if where == "total" else where + 2
    result = budget_result(rows, numbered, (where, column, money(original + delta)))
    field = {1: "initial", 2: "adjusted", 3: "actual"}[column]
    record = "b1" if where == "total" else f"b{where + 2}"
    sums = findings_of(result, "sum_mismatch")
    assert any(f"{record}.{field}" in f.refs for f in sums), (table_row, [f.message for f in sums])


@SETTINGS
@given(budgets(smallest=10**4), st.data())
def test_a_changed_rate_is_a_rate_mismatch_on_its_line(budget, data):
    """Amounts of at least 100.00 pin a rate to ±0.01 points; 0.01 / 0.01 printed 99.98% would be rounding."""
    rows, numbered = budget
    where = data.draw(st.sampled_from(range(len(rows))))
    _, _, adjusted, actual = rows[where]
    if adjusted == 0:
        return
    printed = Decimal(rate(actual, adjusted)[:-1])
    shifted = printed + data.draw(st.sampled_from([Decimal("-1"), Decimal("1")])) * data.draw(
        st.decimals(Decimal("0.02"), Decimal("50"), places=2)
    )
    result = budget_result(rows, numbered, (where, 4, f"{shifted}%"))
    assert [f.refs[0] for f in findings_of(result, "rate_mismatch")] == [f"b{where + 2}.rate"]


@st.composite
def forms(draw):
    """Indicators with whole weights summing to 90, scores up to their weights, plus 预算执行 10."""
    count = draw(st.integers(2, 12))
    cuts = sorted(draw(st.lists(st.integers(1, 89), min_size=count - 1, max_size=count - 1, unique=True)))
    weights = [b - a for a, b in zip([0, *cuts], [*cuts, 90])]
    scores = [draw(st.one_of(st.just(Decimal(w)), st.decimals(0, w, places=2))) for w in weights]
    budget_score = draw(st.decimals(0, 10, places=2))
    return weights, scores, budget_score


def form_result(weights, scores, budget_score, total_score=None):
    doc = DocumentBuilder(year=2024)
    table = doc.table("绩效自评表", role="indicators")
    table.row(
        [
            "自评得分（满分100分）",
            str(total_score if total_score is not None else sum(scores) + budget_score),
            "预算执行（10分）",
            str(budget_score),
            "",
            "",
        ],
        pairs=[(0, 1), (2, 3)],
    )
    table.row(["三级指标", "指标值", "实际完成值", "分值", "得分", "偏差原因及改进措施"])
    columns = {"name": 0, "target": 1, "actual": 2, "weight": 3, "score": 4, "deviation_reason": 5}
    for index, (weight, score) in enumerate(zip(weights, scores)):
        reason = "" if score == weight else "部分完成"
        table.row(
            [f"指标{index + 1}", "达成年度目标", "达成预期指标", str(weight), str(score), reason],
            indicator={**columns, "level1": "产出指标", "level2": "数量指标"},
        )
    return doc.build()


@SETTINGS
@given(forms())
def test_consistent_forms_give_no_findings(form):
    assert findings_of(form_result(*form)) == []


@SETTINGS
@given(forms(), st.decimals(Decimal("0.10"), Decimal("20"), places=2), st.sampled_from([1, -1]))
def test_a_changed_total_score_is_a_sum_mismatch(form, delta, sign):
    weights, scores, budget_score = form
    total = sum(scores) + budget_score + sign * delta
    findings = findings_of(form_result(weights, scores, budget_score, total_score=total), "sum_mismatch")
    assert len(findings) == 1 and "c1.score" in findings[0].refs


@SETTINGS
@given(st.lists(st.integers(1, 10**6), min_size=2, max_size=8), st.integers(0, 7), st.integers(10, 10**5))
def test_narrative_lists(parts, which, delta):
    total = sum(parts)
    listed = "、".join(f"{ITEMS[i % len(ITEMS)]}{money(p)}万元" for i, p in enumerate(parts))
    doc = DocumentBuilder(year=2024).text(f"本年支出合计{money(total)}万元，其中{listed}。").build()
    assert findings_of(doc) == []
    changed = list(parts)
    changed[which % len(parts)] += delta
    listed = "、".join(f"{ITEMS[i % len(ITEMS)]}{money(p)}万元" for i, p in enumerate(changed))
    doc = DocumentBuilder(year=2024).text(f"本年支出合计{money(total)}万元，其中{listed}。").build()
    assert [f.rule for f in findings_of(doc)] == ["sum_mismatch"]


@SETTINGS
@given(st.integers(100, 10**7), st.integers(10**4, 10**7), st.decimals(Decimal("0.05"), Decimal("30"), places=2))
def test_growth_sentences(current, previous, shift):
    """With a base of at least 100.00万元, a shift of 0.05 points plus 1% of the rate is beyond any rounding."""
    change = current - previous
    word = "增加" if change >= 0 else "减少"
    rate_word = "增幅" if change >= 0 else "降幅"
    growth = rate(abs(change), previous)
    text = f"2024年支出{money(current)}万元，较2023年{money(previous)}万元，{word}{money(abs(change))}万元，{rate_word}{growth}。"
    assert findings_of(DocumentBuilder(year=2024).text(text).build()) == []
    wrong = Decimal(growth[:-1]) + shift + (Decimal(growth[:-1]) / 100).quantize(Decimal("0.01"))
    text = text.replace(f"{rate_word}{growth}", f"{rate_word}{wrong}%")
    assert [f.rule for f in findings_of(DocumentBuilder(year=2024).text(text).build())] == ["rate_mismatch"]
