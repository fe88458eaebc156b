"""The real published budgets and final accounts in ../shared/real extract cleanly."""

import pytest

from extractor.pipeline import extract
from tests.corpus import MISSING_REAL, REAL, REAL_FILES

FILES = REAL_FILES

pytestmark = pytest.mark.skipif(not FILES, reason=MISSING_REAL)


@pytest.fixture(scope="module")
def results():
    return {path.name: extract(path) for path in FILES}


def test_every_real_file_extracts_with_tables(results):
    for path in FILES:
        result = results[path.name]
        if path.suffix.lower() == ".pdf":
            assert result.document.kind == "pdf_digital", path.name
        assert result.tables, f"{path.name}: no table found"
        assert not result.problems, f"{path.name}: {result.problems}"
        assert result.document.pages >= 1


def test_nine_final_account_tables_are_nine_tables(results):
    result = results["上海市普陀区财政局2024年度部门决算.pdf"]
    titles = [table.title or "" for table in result.tables]
    expected = [
        "收入支出决算总表",
        "收入决算表",
        "支出决算表",
        "财政拨款收入支出决算总表",
        "一般公共预算财政拨款支出决算表",
        "一般公共预算财政拨款基本支出决算表",
        "财政拨款“三公”经费支出决算表",
        "政府性基金预算财政拨款收入支出决算表",
        "国有资本经营预算财政拨款收入支出决算表",
    ]
    for title in expected:
        matching = [t for t in titles if t == title]
        assert len(matching) == 1, f"{title}: {titles}"
    total = result.tables[titles.index("收入支出决算总表")]
    assert total.pages == [6, 7]
    texts = {cell.text for cell in total.cells}
    assert {"本年收入合计", "总计", "年末结转和结余"} <= texts


def test_cells_carry_page_and_box(results):
    result = results["上海市普陀区财政局2024年度部门决算.pdf"]
    for table in result.tables:
        for cell in table.cells:
            assert cell.page in table.pages
            assert cell.bbox is not None and cell.bbox[0] < cell.bbox[2] and cell.bbox[1] < cell.bbox[3]


def test_two_runs_give_identical_json():
    path = REAL / "上海市普陀区商务委员会25年预算.pdf"
    assert extract(path).model_dump_json() == extract(path).model_dump_json()
