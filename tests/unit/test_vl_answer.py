"""The vision-language engine without a model: answer parsing (HTML, OTSL), fall-back, configuration errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.tables import vl_tables
from extractor.tables.vl_answer import MalformedAnswer, parse_answer, parse_html, parse_otsl, table_block
from extractor.vision.model_files import ModelFileError
from extractor.vision.vl import VlAnswer, VlNotConfigured, model_dir_for, verify_manifest, write_manifest
from schemas import Cell, ExtractOptions, ParagraphBlock, TableBlock


def spans(table):
    return {(c.row, c.col): (c.row_span, c.col_span, c.text) for c in table.cells}


def test_html_spans_headers_empty_cells_and_nested_tags():
    answer = (
        "说明文字<table><thead><tr><th colspan='3'>项目支出</th></tr></thead>"
        '<tr><td rowspan="2">资金<br/>（万元）</td><td><b>年初</b>预算</td><td></td></tr>'
        "<tr><td>10.5</td><td>&amp;9</td></tr></table>"
    )
    (table,) = parse_answer(answer)
    assert (table.n_rows, table.n_cols) == (3, 3)
    assert spans(table) == {
        (0, 0): (1, 3, "项目支出"),
        (1, 0): (2, 1, "资金\n（万元）"),
        (1, 1): (1, 1, "年初预算"),
        (1, 2): (1, 1, ""),
        (2, 1): (1, 1, "10.5"),
        (2, 2): (1, 1, "&9"),
    }
    assert [c.header for c in table.cells] == [True, False, False, False, False, False]


def test_html_two_tables_and_a_nested_table_inside_a_cell():
    answer = "<table><tr><td>a<table><tr><td>x</td></tr></table></td><td>b</td></tr></table><table><tr><td>c</td></tr></table>"
    first, second = parse_html(answer)
    assert spans(first) == {(0, 0): (1, 1, "ax"), (0, 1): (1, 1, "b")}
    assert spans(second) == {(0, 0): (1, 1, "c")}


def test_html_cut_off_keeps_the_cells_read_so_far():
    (table,) = parse_html("<table><tr><td>1</td><td>2</td></tr><tr><td>3")
    assert spans(table) == {(0, 0): (1, 1, "1"), (0, 1): (1, 1, "2"), (1, 0): (1, 1, "3")}


@pytest.mark.parametrize(
    "answer",
    [
        "<table></table>",
        "<table><tr><td colspan='x'>1</td></tr></table>",
        "<table><tr><td rowspan='0'>1</td></tr></table>",
    ],
)
def test_html_malformed(answer):
    with pytest.raises(MalformedAnswer):
        parse_answer(answer)


def test_otsl_spans_and_empty_cells():
    # 项目 spans two columns; 合计 spans two rows; 金额 is a 2×2 block (<xcel> inside it).
    answer = "<fcel>项目<lcel><fcel>合计<nl><fcel>a<ecel><ucel><nl><fcel>金额<lcel><fcel>3<nl><ucel><xcel><ecel><nl>"
    table = parse_otsl(answer)
    assert (table.n_rows, table.n_cols) == (4, 3)
    assert spans(table) == {
        (0, 0): (1, 2, "项目"),
        (0, 2): (2, 1, "合计"),
        (1, 0): (1, 1, "a"),
        (1, 1): (1, 1, ""),
        (2, 0): (2, 2, "金额"),
        (2, 2): (1, 1, "3"),
        (3, 2): (1, 1, ""),
    }


def test_otsl_without_final_nl_and_with_wrapper_tags():
    table = parse_answer("<otsl><fcel>1<fcel>2<nl><fcel>3<fcel><b>4</b></otsl>")[0]
    assert spans(table) == {(0, 0): (1, 1, "1"), (0, 1): (1, 1, "2"), (1, 0): (1, 1, "3"), (1, 1): (1, 1, "4")}


@pytest.mark.parametrize(
    "answer",
    [
        "<fcel>1<fcel>2<nl><fcel>3<nl>",  # ragged rows
        "<lcel><fcel>1<nl>",  # merge left at the first column
        "<ucel><fcel>1<nl>",  # merge up in the first row
        "<fcel>1<fcel>2<nl><fcel>3<xcel><nl>",  # <xcel> not inside a 2-D span
        "<nl><nl>",
        "这不是表格",
    ],
)
def test_otsl_malformed(answer):
    with pytest.raises(MalformedAnswer):
        parse_answer(answer)


def test_table_block_carries_engine_spans_and_region():
    table = parse_otsl("<fcel>项目<lcel><nl><fcel>1<fcel>2<nl>")
    block = table_block(table, page=3, bbox=(10.0, 20.0, 200.0, 80.0))
    assert block.engine == "vl" and block.pages == [3] and block.bbox == (10.0, 20.0, 200.0, 80.0)
    assert (block.n_rows, block.n_cols) == (2, 2)
    assert [(c.row, c.col, c.col_span, c.page) for c in block.cells] == [(0, 0, 2, 3), (1, 0, 1, 3), (1, 1, 1, 3)]


def classical_table() -> TableBlock:
    cells = [Cell(row=0, col=c, text=t, bbox=(10.0 + 50 * c, 20.0, 60.0 + 50 * c, 40.0)) for c, t in enumerate("ab")]
    return TableBlock(cells=cells, n_rows=1, n_cols=2, pages=[1], bbox=(10.0, 20.0, 110.0, 40.0))


@pytest.fixture
def answers(monkeypatch):
    """Replace the model call with hand-written answers, one per image, and record the prompts."""
    script: dict[str, list[str]] = {"answers": [], "prompts": []}

    def fake_ask(vl, images, prompt, options):
        script["prompts"].append(prompt)
        assert all(image.ndim in (2, 3) and image.size for image in images)
        texts = script["answers"][: len(images)]
        del script["answers"][: len(images)]
        return [VlAnswer(text=t, seconds=0.1, new_tokens=len(t), cut_off=False) for t in texts]

    monkeypatch.setattr(vl_tables, "ask", fake_ask)
    return script


def render(box):
    import numpy as np

    return np.full((max(1, int(box[3] - box[1])), max(1, int(box[2] - box[0])), 3), 255, dtype=np.uint8)


def test_region_answer_replaces_the_table_and_prose_stays(answers):
    prose = ParagraphBlock(text="说明", page=1, bbox=(10.0, 50.0, 100.0, 60.0))
    answers["answers"] = ["<table><tr><td>项目</td><td colspan='2'>合计</td></tr></table>"]
    blocks, problems = vl_tables.vl_page_tables(
        [classical_table(), prose], 1, (0, 0, 595, 842), render, ExtractOptions(), vl=object()
    )
    assert problems == [] and blocks[1] == prose
    assert blocks[0].engine == "vl" and blocks[0].n_cols == 3 and blocks[0].bbox == (10.0, 20.0, 110.0, 40.0)


def test_malformed_answer_keeps_the_classical_table_with_a_problem(answers):
    answers["answers"] = ["<fcel>1<fcel>2<nl><fcel>3<nl>"]
    original = classical_table()
    blocks, problems = vl_tables.vl_page_tables([original], 2, (0, 0, 595, 842), render, ExtractOptions(), vl=object())
    assert blocks == [original]
    assert len(problems) == 1 and problems[0].stage == "tables" and problems[0].page == 2
    assert "OTSL" in problems[0].message


def test_whole_page_scope_replaces_every_table(answers):
    answers["answers"] = ["<table><tr><td>1</td></tr></table><table><tr><td>2</td></tr></table>"]
    options = ExtractOptions(vl={"scope": "page"})
    blocks, problems = vl_tables.vl_page_tables([classical_table()], 1, (0, 0, 595, 842), render, options, vl=object())
    assert problems == [] and [b.cells[0].text for b in blocks] == ["1", "2"]
    assert all(b.engine == "vl" and b.bbox == (0, 0, 595, 842) for b in blocks)


def test_low_confidence_cells_are_reread(answers):
    table = classical_table()
    table.cells[1] = table.cells[1].model_copy(update={"confidence": 0.4, "text": "b?"})
    answers["answers"] = ["<b>合计</b>"]
    reread = vl_tables.reread_cells(table, render, 0.8, ExtractOptions(), vl=object())
    assert [c.text for c in reread.cells] == ["a", "合计"]
    assert answers["prompts"] == ["OCR:"]
    assert vl_tables.reread_cells(table, render, 0.3, ExtractOptions(), vl=object()) == table


def test_manifest_errors_name_the_directory_and_the_file(tmp_path):
    model = tmp_path / "model"
    with pytest.raises(ModelFileError, match="model"):
        verify_manifest(model)
    model.mkdir()
    (model / "config.json").write_text("{}")
    (model / "model.safetensors").write_bytes(b"weights")
    with pytest.raises(ModelFileError, match="manifest.json"):
        verify_manifest(model)
    write_manifest(model)
    assert set(verify_manifest(model)) == {"config.json", "model.safetensors"}
    (model / "model.safetensors").write_bytes(b"other weights")
    with pytest.raises(ModelFileError, match="model.safetensors") as changed:
        verify_manifest(model)
    assert str(changed.value).startswith(str(model)) and "\n" not in str(changed.value)
    (model / "model.safetensors").unlink()
    with pytest.raises(ModelFileError, match="model.safetensors"):
        verify_manifest(model)
    write_manifest(model)
    (model / "extra.safetensors").write_bytes(b"x")
    with pytest.raises(ModelFileError, match="extra.safetensors"):
        verify_manifest(model)


def test_model_dir_from_option_then_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("EXTRACTOR_VL_MODEL", raising=False)
    assert model_dir_for(ExtractOptions()) is None
    monkeypatch.setenv("EXTRACTOR_VL_MODEL", str(tmp_path))
    assert model_dir_for(ExtractOptions()) == tmp_path
    assert model_dir_for(ExtractOptions(vl_model=Path("/elsewhere"))) == Path("/elsewhere")


def sample_pdf(tmp_path: Path) -> Path:
    import pymupdf

    path = tmp_path / "form.pdf"
    with pymupdf.open() as document:
        document.new_page().insert_text((72, 72), "项目支出绩效自评表", fontname="china-s")
        document.save(path)
    return path


def test_cli_vl_model_nonexistent_exits_1_with_one_line(tmp_path):
    result = CliRunner().invoke(app, ["extract", str(sample_pdf(tmp_path)), "--vl-model", "/nonexistent"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: /nonexistent:")


def test_vl_engine_without_a_model_is_not_offered(monkeypatch, tmp_path):
    from extractor.pipeline import extract

    monkeypatch.delenv("EXTRACTOR_VL_MODEL", raising=False)
    with pytest.raises(VlNotConfigured, match="no vision-language model is configured"):
        extract(sample_pdf(tmp_path), ExtractOptions(table_engine="vl"))


def test_models_manifest_command(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    result = CliRunner().invoke(app, ["models", "manifest", str(tmp_path)])
    assert result.exit_code == 0 and (tmp_path / "manifest.json").is_file()
    missing = CliRunner().invoke(app, ["models", "manifest", str(tmp_path / "none")])
    assert missing.exit_code == 1 and "none" in missing.output


def test_vl_cells_are_boxed_on_the_region_divided_evenly():
    table = parse_otsl("<fcel>项目<lcel><nl><fcel>1<fcel>2<nl>")
    block = table_block(table, page=3, bbox=(10.0, 20.0, 210.0, 80.0))
    assert block.column_edges == [10.0, 110.0, 210.0]
    assert [c.bbox for c in block.cells] == [
        (10.0, 20.0, 210.0, 50.0),
        (10.0, 50.0, 110.0, 80.0),
        (110.0, 50.0, 210.0, 80.0),
    ]


def test_vl_cells_take_the_columns_and_rows_of_the_table_they_replace():
    classical = TableBlock(
        cells=[
            Cell(row=0, col=0, text="a", bbox=(12.0, 22.0, 40.0, 30.0)),
            Cell(row=1, col=0, text="b", bbox=(12.0, 50.0, 40.0, 58.0)),
        ],
        n_rows=2,
        n_cols=2,
        pages=[1],
        bbox=(10.0, 20.0, 110.0, 60.0),
        column_edges=[10.0, 45.0, 110.0],
    )
    table = parse_otsl("<fcel>a<fcel>x<nl><fcel>b<ecel><nl>")
    block = table_block(table, page=1, bbox=classical.bbox, classical=classical)
    assert block.column_edges == [10.0, 45.0, 110.0]
    assert [c.bbox for c in block.cells if c.col == 1] == [(45.0, 20.0, 110.0, 40.0), (45.0, 40.0, 110.0, 60.0)]


def test_th_rows_are_header_rows_and_a_page_answer_has_no_cell_boxes():
    html = "<table><tr><th colspan='2'>项目</th></tr><tr><th>名称</th><td>金额</td></tr><tr><td>a</td><td>1</td></tr></table>"
    (table,) = parse_answer(html)
    block = table_block(table, page=1, bbox=(0.0, 0.0, 600.0, 800.0), cell_boxes=False)
    assert block.header_rows == [0]
    assert all(c.bbox is None for c in block.cells) and block.column_edges == []
