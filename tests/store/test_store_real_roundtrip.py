"""Real extraction results (seed fixtures and the real corpus) read back byte-identical from both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from extractor.pipeline import extract
from extractor.store import document_result, save_result, session_scope
from schemas import ExtractionResult
from tests.corpus import missing
from tests.store.files import GOOD_FILES, REAL, SEEDS

SOURCES = (
    sorted(SEEDS.glob("*/*.pdf"))
    + sorted(SEEDS.glob("*/*.docx"))
    + sorted(SEEDS.glob("*/*.xlsx"))
    + [REAL / name for name in GOOD_FILES]
)


@pytest.fixture(scope="module")
def results() -> list[ExtractionResult]:
    present = [path for path in SOURCES if path.is_file()]
    if not present:
        pytest.skip(missing("neither fixtures/seeds nor the real corpus is here"))
    return [extract(path) for path in present]


def test_real_results_round_trip(engine: Engine, results: list[ExtractionResult]) -> None:
    assert any(result.indicators and result.findings for result in results)
    assert any(len(table.cells) > 200 for result in results for table in result.tables)
    with session_scope(engine) as session:
        ids = [save_result(session=session, result=result).id for result in results]
    with session_scope(engine) as session:
        for document_id, result in zip(ids, results):
            stored = document_result(session=session, document_id=document_id)  # type: ignore[arg-type]
            assert stored.model_dump_json() == result.model_dump_json(), result.document.file
