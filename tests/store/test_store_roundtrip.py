"""A stored ExtractionResult reads back equal, its JSON byte-identical, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Optional

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine

from extractor.store import document_result, save_result, session_scope
from models import IndicatorRow
from models.convert import record_to_row, row_to_record
from schemas import ExtractionResult, Indicator, Source, Value
from tests.store.strategies import results


def _store_and_read(engine: Engine, result: ExtractionResult) -> ExtractionResult:
    with session_scope(engine) as session:
        document_id = save_result(session=session, result=result).id
    with session_scope(engine) as session:
        assert document_id is not None
        return document_result(session=session, document_id=document_id)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(result=results)
def test_any_result_round_trips_byte_identical(engine: Engine, result: ExtractionResult) -> None:
    back = _store_and_read(engine, result)
    assert back == result
    assert back.model_dump_json() == result.model_dump_json()


def test_storing_the_same_bytes_again_replaces_records(engine: Engine) -> None:
    first = ExtractionResult.model_validate(
        {
            "document": {"file": "a.pdf", "sha256": "a" * 64, "kind": "pdf_digital", "pages": 2},
            "indicators": [{"id": f"i{n}", "section": "s1", "name": f"指标{n}"} for n in range(3)],
        }
    )
    second = first.model_copy(update={"indicators": first.indicators[:1]})
    _store_and_read(engine, first)
    back = _store_and_read(engine, second)
    assert back.indicators == second.indicators
    with session_scope(engine) as session:
        count = session.query(IndicatorRow).count()
    assert count == 1


class IndicatorWithNote(Indicator):
    """An Indicator as a later schema might have it: a field the tables have no column for."""

    note: Optional[str] = None
    evidence: Value = Value()


def test_fields_without_a_column_are_kept_in_extra() -> None:
    record = IndicatorWithNote(
        id="i1",
        section="s1",
        name="培训人次",
        note="复核时补充",
        evidence=Value(raw="≥5个", value=5.0),
        source=Source(page=3, bbox=(1.0, 2.0, 3.0, 4.5)),
        confidence={"name": 0.5},
    )
    row = record_to_row(record, IndicatorRow, document_id=1, ordinal=0)
    columns = set(IndicatorRow.model_fields)
    assert row.extra is not None
    assert all(key.replace(".", "_") not in columns for key in row.extra), "a field with a column went to extra"
    assert {key: row.extra[key] for key in ("note", *(f"evidence.{f}" for f in Value.model_fields))} == {
        "note": "复核时补充",
        "evidence.raw": "≥5个",
        "evidence.op": None,
        "evidence.value": 5.0,
        "evidence.unit": None,
        "evidence.qualitative": False,
    }
    assert row.name == "培训人次" and row.source_page == 3
    assert row_to_record(row, IndicatorWithNote) == record


@pytest.mark.parametrize("value", [0.1 + 0.2, -0.0, 1e300, 5e-324, 2470.10, 96.3])
def test_floats_survive_exactly(engine: Engine, value: float) -> None:
    result = ExtractionResult.model_validate(
        {
            "document": {"file": "f.pdf", "sha256": "b" * 64, "kind": "xlsx", "self_score": value},
            "budget_lines": [{"id": "b1", "item": "合计", "actual": value, "confidence": {"actual": value % 1}}],
            "findings": [
                {
                    "id": "f1",
                    "rule": "sum_mismatch",
                    "severity": "error",
                    "message": "合计不符",
                    "refs": ["b1.actual"],
                    "expected": value,
                    "found": "195.85",
                }
            ],
        }
    )
    back = _store_and_read(engine, result)
    assert back.model_dump_json() == result.model_dump_json()
    assert isinstance(back.findings[0].expected, float) and isinstance(back.findings[0].found, str)
