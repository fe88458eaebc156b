"""Exports reload (pandas/pyarrow) with the store's row counts and values; filters select the right rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine

from extractor.export import SCHEMA_FILE, ExportFilter, export
from extractor.store import save_result, session_scope
from schemas import ExtractionResult


def _result(number: int, department: str, year: int) -> ExtractionResult:
    """A submission with indicators, budget lines, scores and findings, values as printed forms give them."""
    indicators = [
        {
            "id": f"i{k}",
            "section": "s1",
            "level1": "产出指标",
            "level2": "数量指标",
            "name": f"培训人次{k}",
            "target": {"raw": f"≥{100 + k}人次", "op": ">=", "value": 100.0 + k, "unit": "人次"},
            "actual": {"raw": f"{98 + k}人次", "value": 98.0 + k, "unit": "人次"}
            if k != 2
            else {"raw": "达成", "qualitative": True},
            "weight": 10.0,
            "score": 9.5 if k else None,
            "description": "按计划完成" if k else None,
            "source": {"page": 2, "bbox": [10.5, 20.25, 300.0, 40.0], "table": "t1", "row": k + 2},
            "confidence": {"name": 1.0, "target": 0.99 - 0.3 * (k == 1), "actual": 0.95},
        }
        for k in range(3)
    ]
    budget_lines = [
        {
            "id": "b1",
            "section": "s1",
            "item": "合计",
            "initial": 2470.1,
            "adjusted": 2834.44,
            "actual": 2729.83,
            "rate": 96.31,
            "unit": "万元",
            "weight": 10.0,
            "score": 9.63,
            "source": {"page": 1, "table": "t0", "row": 3},
            "confidence": {"item": 1.0, "actual": 0.6},
        },
        {
            "id": "b2",
            "section": "s1",
            "item": "其中：本级",
            "actual": None,
            "unit": "万元",
            "source": {"page": 1, "table": "t0", "row": 4},
        },
    ]
    return ExtractionResult.model_validate(
        {
            "document": {
                "file": f"自评表{number}.pdf",
                "sha256": f"{number:x}" * 64,
                "kind": "pdf_digital",
                "pages": 3,
                "department": department,
                "year": year,
                "self_score": 92.5,
            },
            "sections": [{"id": "s1", "kind": "project", "title": "项目支出绩效自评表", "project_name": "培训项目"}],
            "indicators": indicators,
            "budget_lines": budget_lines,
            "scores": [
                {
                    "id": "c1",
                    "section": "s1",
                    "label": "总分",
                    "weight": 100.0,
                    "score": 92.5,
                    "source": {"page": 3, "table": "t1", "row": 9},
                }
            ],
            "findings": [
                {
                    "id": "f1",
                    "rule": "rate_mismatch",
                    "severity": "error",
                    "message": "执行率应为96.31%",
                    "refs": ["b1.rate"],
                    "expected": 96.31,
                    "found": 90.0,
                },
                {
                    "id": "f2",
                    "rule": "missing_value",
                    "severity": "warning",
                    "message": "得分为空",
                    "refs": ["i0.score"],
                    "expected": None,
                    "found": "空",
                },
            ],
        }
    )


RESULTS = [_result(1, "区财政局", 2023), _result(2, "区财政局", 2024), _result(3, "区教育局", 2024)]


@pytest.fixture
def stored(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        for result in RESULTS:
            save_result(session=session, result=result)
    return engine


def _reload(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pandas()
    if path.suffix == ".xlsx":
        return pd.read_excel(path)
    return pd.read_json(path, lines=True, dtype=False, precise_float=True)


def _same(loaded: Any, stored: Any) -> bool:
    if stored is None:
        return loaded is None or pd.isna(loaded) or loaded == ""
    if isinstance(stored, float):
        return float(loaded) == stored
    return str(loaded) == str(stored)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "xlsx", "jsonl"])
def test_every_format_reloads_with_the_stored_rows_and_values(stored: Engine, tmp_path: Path, fmt: str) -> None:
    written = export(engine=stored, out_dir=tmp_path, formats=(fmt,))  # type: ignore[arg-type]
    assert tmp_path / SCHEMA_FILE in written
    assert json.loads((tmp_path / SCHEMA_FILE).read_text(encoding="utf-8")) == ExtractionResult.model_json_schema()

    indicators = _reload(tmp_path / f"indicators.{fmt}")
    expected = [(result.document, item) for result in RESULTS for item in result.indicators]
    assert len(indicators) == len(expected)
    for (_, row), (document, item) in zip(indicators.iterrows(), expected):
        pairs = {
            "document.sha256": document.sha256,
            "document.department": document.department,
            "document.year": float(document.year or 0),
            "id": item.id,
            "level1": item.level1,
            "name": item.name,
            "target.raw": item.target.raw,
            "target.op": item.target.op,
            "target.value": item.target.value,
            "actual.value": item.actual.value,
            "weight": item.weight,
            "score": item.score,
            "source.page": float(item.source.page),
            "source.row": float(item.source.row or 0),
            "confidence.target": item.confidence["target"],
        }
        for column, value in pairs.items():
            assert _same(row[column], value), (fmt, column, row[column], value)
        assert json.loads(row["source.bbox"]) == list(item.source.bbox or [])

    budget = _reload(tmp_path / f"budget_lines.{fmt}")
    lines = [line for result in RESULTS for line in result.budget_lines]
    assert len(budget) == len(lines)
    assert all(_same(a, b.adjusted) and _same(c, b.item) for a, c, b in zip(budget["adjusted"], budget["item"], lines))

    findings = _reload(tmp_path / f"findings.{fmt}")
    assert len(findings) == sum(len(result.findings) for result in RESULTS)
    assert [json.loads(refs) for refs in findings["refs"]] == [f.refs for r in RESULTS for f in r.findings]
    assert len(_reload(tmp_path / f"scores.{fmt}")) == len(RESULTS)


@pytest.mark.parametrize(
    ("filters", "indicators", "budget_lines", "findings"),
    [
        (ExportFilter(department="区财政局"), 6, 4, 4),
        (ExportFilter(year=2024), 6, 4, 4),
        (ExportFilter(department="区教育局", year=2024), 3, 2, 2),
        (ExportFilter(rule="rate_mismatch"), 0, 3, 3),  # findings of the rule; the lines they point at
        (ExportFilter(rule="missing_value"), 3, 0, 3),
        (ExportFilter(min_confidence=0.9), 6, 3, 6),  # i1 (target 0.69) and b1 (actual 0.6) drop out
        (ExportFilter(status="failed"), 0, 0, 0),
    ],
)
def test_filters(
    stored: Engine, tmp_path: Path, filters: ExportFilter, indicators: int, budget_lines: int, findings: int
) -> None:
    export(engine=stored, out_dir=tmp_path, formats=("parquet",), filters=filters)
    counts = [len(pd.read_parquet(tmp_path / f"{kind}.parquet")) for kind in ("indicators", "budget_lines", "findings")]
    assert counts == [indicators, budget_lines, findings]
