"""The seed fixtures: sources parse, goldens validate, rendered files carry what the goldens say."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import openpyxl
import pymupdf
import pytest

from fixtures.generate.grid import build_grid
from fixtures.generate.run import SEEDS_DIR, main
from fixtures.generate.source import TableSpec, load_source, seed_ids
from fixtures.generate.text import join_lines, parse_amount
from schemas.records import ExtractionResult

SEEDS = seed_ids()


def _golden(seed: str) -> ExtractionResult:
    return ExtractionResult.model_validate_json((SEEDS_DIR / seed / "golden.json").read_text(encoding="utf-8"))


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_four_seeds_have_sources() -> None:
    assert SEEDS == ["000", "001", "002", "004"]


@pytest.mark.parametrize("seed", SEEDS)
def test_source_parses_and_every_table_fills_its_grid(seed: str) -> None:
    source = load_source(seed)
    assert source.seed == seed
    for table in source.tables:
        grid = build_grid(table)  # raises on a row that over- or under-fills the grid
        assert grid.n_rows == len(table.rows)


@pytest.mark.parametrize("seed", SEEDS)
def test_golden_validates_and_points_at_real_rows(seed: str) -> None:
    golden = _golden(seed)
    assert golden.indicators or golden.budget_lines
    tables = {table.id: table for table in golden.tables}
    sections = {section.id for section in golden.sections}
    for record in [*golden.indicators, *golden.budget_lines, *golden.scores]:
        assert record.source.table in tables
        assert 0 <= record.source.row < tables[record.source.table].n_rows
        assert record.section is None or record.section in sections
    ids = [record.id for record in [*golden.indicators, *golden.budget_lines, *golden.scores, *golden.narrative]]
    assert len(ids) == len(set(ids))


def test_golden_keeps_the_printed_errors() -> None:
    lines = {(line.item, line.rate) for line in _golden("002").budget_lines}
    assert ("玉林市工业振兴特派员联系服务工业企业经费", 90.0) in lines
    first = _golden("000").budget_lines[0]
    assert (first.item, first.rate) == ("合计", None)  # printed #DIV/0!
    total = [score for score in _golden("001").scores if score.label == "总分"][0]
    assert (total.weight, total.score) == (90.0, 98.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_pdf_text_layer_holds_every_cell_and_paragraph(seed: str) -> None:
    golden = _golden(seed)
    with pymupdf.open(SEEDS_DIR / seed / f"{seed}.pdf") as pdf:
        assert pdf.page_count == golden.document.pages
        fonts = {font[3] for page in pdf for font in page.get_fonts()}
        assert fonts and all("+" in name for name in fonts), "fonts must be embedded subsets"
        text = _squeeze("".join(page.get_text() for page in pdf))
    texts = [cell.text for table in golden.tables for cell in table.cells if cell.text]
    texts += [paragraph.text for paragraph in golden.narrative]
    missing = [item for item in texts if _squeeze(item) not in text]
    assert not missing, missing[:5]


def test_pdf_splits_a_merged_cell_across_a_page_break() -> None:
    golden = _golden("001")
    table = next(table for table in golden.tables if table.role == "indicators")
    label = next(cell for cell in table.cells if cell.text == "年度绩效指标完成情况")
    pages = {cell.page for cell in table.cells if label.row <= cell.row < label.row + label.row_span}
    assert pages == {label.page, label.page + 1}
    with pymupdf.open(SEEDS_DIR / "001" / "001.pdf") as pdf:
        assert "年度绩效指标完成情况" in _squeeze(pdf[label.page - 1].get_text())
        assert "年度绩效指标完成情况" not in _squeeze(pdf[label.page].get_text())


@pytest.mark.parametrize("seed", SEEDS)
def test_docx_tables_have_real_merged_cells(seed: str) -> None:
    golden = _golden(seed)
    document = docx.Document(str(SEEDS_DIR / seed / f"{seed}.docx"))
    assert len(document.tables) == len(golden.tables)
    for table, expected in zip(document.tables, golden.tables):
        grid = [row.cells for row in table.rows]  # one entry per grid column, merged cells repeated
        assert [len(row) for row in grid] == [expected.n_cols] * expected.n_rows
        elements = [cell._tc for row in grid for cell in row]
        assert len({id(element) for element in elements}) == len(expected.cells)
        for cell in expected.cells:
            anchor = grid[cell.row][cell.col]
            assert _squeeze(anchor.text) == _squeeze(cell.text)
            for row in range(cell.row, cell.row + cell.row_span):
                for col in range(cell.col, cell.col + cell.col_span):
                    assert grid[row][col]._tc is anchor._tc
    xml = document.element.xml
    assert "w:gridSpan" in xml and "w:vMerge" in xml


@pytest.mark.parametrize("seed", SEEDS)
def test_xlsx_has_merged_ranges_and_narrative_sheet(seed: str) -> None:
    golden = _golden(seed)
    workbook = openpyxl.load_workbook(SEEDS_DIR / seed / f"{seed}.xlsx")
    spanning = sum(1 for table in golden.tables for cell in table.cells if cell.row_span > 1 or cell.col_span > 1)
    merged = sum(len(sheet.merged_cells.ranges) for sheet in workbook.worksheets)
    assert merged >= spanning > 0
    formulas = [
        cell.coordinate
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert not formulas, f"printed text stored as a formula: {formulas}"
    if golden.narrative:
        report = workbook.worksheets[0]
        assert report.title == "报告"
        assert [row[0] for row in report.iter_rows(values_only=True)] == [p.text for p in golden.narrative]


def test_xlsx_keeps_div0_as_an_error_cell() -> None:
    workbook = openpyxl.load_workbook(SEEDS_DIR / "000" / "000.xlsx")
    errors = [
        cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row if cell.data_type == "e"
    ]
    assert errors and all(cell.value == "#DIV/0!" for cell in errors)


def test_xlsx_stores_figures_as_printed_numbers() -> None:
    from fixtures.generate.to_xlsx import cell_value

    assert cell_value("10.00") == (10.0, "0.00")
    assert cell_value("96.30%") == (0.963, "0.00%")
    assert cell_value("1,837.28") == (1837.28, "#,##0.00")
    assert cell_value("1837") == (1837, "0")
    assert cell_value("0743-8223316")[0] == "0743-8223316"
    assert cell_value("451100220460100010192")[0] == "451100220460100010192"  # a code, not a number
    assert cell_value("满意度大于\n90%")[0] == "满意度大于\n90%"


def test_join_lines_follows_the_conventions() -> None:
    assert join_lines("满意度大于\n90%") == "满意度大于90%"
    assert join_lines("指标\n得分") == "指标得分"
    assert join_lines("FPC\n2024") == "FPC 2024"
    assert join_lines("  658.82 万元 ") == "658.82 万元"
    assert join_lines("　") is None


def test_parse_amount_is_strict() -> None:
    assert parse_amount("1,837.28") == 1837.28
    assert parse_amount("96.30%") == 96.3
    assert parse_amount("——") is None and parse_amount("#DIV/0!") is None
    with pytest.raises(ValueError):
        parse_amount("评分：95.99")


def test_grid_rejects_a_row_that_does_not_fill_the_grid() -> None:
    table = TableSpec.model_validate({"rows": [["a", "b"], ["c"]]})
    with pytest.raises(ValueError, match="row 1"):
        build_grid(table)


def test_check_mode_passes_on_the_committed_files() -> None:
    assert main(["--check"]) == 0


def test_check_mode_notices_a_stale_file(tmp_path: Path) -> None:
    from fixtures.generate.run import stale_files

    (tmp_path / "000").mkdir()
    (tmp_path / "000" / "golden.json").write_text("{}", encoding="utf-8")
    stale = stale_files(["000"], committed=tmp_path)
    assert any(path.endswith("golden.json") for path in stale) and any(path.endswith("000.pdf") for path in stale)
