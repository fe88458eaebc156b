"""benchmarks/confidence_calibration.py counts what the review threshold catches: a wrong field at its
own confidence, a field the reader left blank at its record's lowest confidence (the row's flag)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from extractor.eval import FULL_FIELDS
from schemas import BudgetLine, DocumentInfo, ExtractionResult

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "confidence_calibration.py"
INFO = DocumentInfo(file="x.pdf", sha256="0" * 64, kind="pdf_digital")


def _benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("confidence_calibration", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves the models' annotations through the module
    spec.loader.exec_module(module)
    return module


def test_wrong_and_missed_fields_are_counted_where_a_reviewer_sees_them() -> None:
    calibration = _benchmark()
    golden = ExtractionResult(
        document=INFO,
        budget_lines=[BudgetLine(id="b1", item="合计", initial=100, actual=95.8, rate=95.8)],
    )
    found = ExtractionResult(
        document=INFO,
        budget_lines=[
            BudgetLine(
                id="b1", item="合计", initial=100, rate=0.958, confidence={"item": 1.0, "initial": 0.7, "rate": 0.7}
            )
        ],
    )
    outcomes = {item.field: item for item in calibration.outcomes(found, golden, FULL_FIELDS, "x.pdf")}
    assert outcomes["rate"].correct is False and outcomes["rate"].confidence == 0.7
    assert outcomes["actual"].missed and outcomes["actual"].confidence == 0.7  # the record's lowest
    assert outcomes["item"].correct and outcomes["initial"].correct
    assert "adjusted" not in outcomes, "a field blank in both is nothing to flag"
    bands = calibration.calibrate(outcomes.values())
    assert sum(band.wrong for band in bands) == 2
    assert sum(band.fields for band in bands if band.high <= 0.8) == 3
