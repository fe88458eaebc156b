"""The vision-language engine end to end on a tiny random PaddleOCR-VL model built here (no weights, no download).

Its answers are noise: the tests check the loader (manifest, offline Auto classes), batching, the token and time
limits, the fall-back to the classical engine, and a whole extraction with `--vl-model`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch", reason="the vl extra (torch) is not installed: pip install -e .[vl]")
pytest.importorskip("transformers", reason="the vl extra (transformers) is not installed: pip install -e .[vl]")

from extractor.tables.vl_tables import vl_page_tables  # noqa: E402  (after the skips)
from extractor.vision.model_files import ModelFileError  # noqa: E402
from extractor.vision.vl import ask, load_model, write_manifest  # noqa: E402
from schemas import Cell, ExtractOptions, TableBlock, VlOptions  # noqa: E402
from tests.vl_tiny import build_tiny_model  # noqa: E402

pytestmark = pytest.mark.slow  # importing transformers and building the model takes ~20-40 s on a shared CPU


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    directory = build_tiny_model(tmp_path_factory.mktemp("vl") / "tiny")
    write_manifest(directory)
    return directory


def page(width: int = 120, height: int = 60) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 255, size=(height, width, 3), dtype=np.uint8)


def test_loads_offline_through_the_auto_classes(tiny):
    vl = load_model(tiny)
    assert type(vl.model).__name__ == "PaddleOCRVLForConditionalGeneration"
    assert vl.device == "cpu" and str(vl.dtype) == "torch.float32"
    assert load_model(tiny) is vl  # verified and loaded once per directory state


def test_batches_answer_each_image_within_the_token_bound(tiny):
    vl = load_model(tiny)
    images = [page(), page(80, 40)[:, :, 0], page(200, 30)]  # BGR, grey and a wide strip
    answers = ask(vl, images, "Table Recognition:", VlOptions(batch_size=2, max_new_tokens=6))
    assert len(answers) == 3
    assert all(0 < a.new_tokens <= 6 and isinstance(a.text, str) for a in answers)
    # A batch that ran into the token bound says its answers may be incomplete.
    assert all(a.cut_off for a in answers if a.new_tokens == 6)


def test_time_limit_stops_generation(tiny):
    vl = load_model(tiny)
    (answer,) = ask(vl, [page()], "Table Recognition:", VlOptions(page_seconds=1e-6, max_new_tokens=500))
    assert answer.cut_off and answer.new_tokens < 500


def test_noise_answer_falls_back_to_the_classical_table(tiny):
    table = TableBlock(
        cells=[Cell(row=0, col=0, text="项目", bbox=(0.0, 0.0, 50.0, 20.0))],
        n_rows=1,
        n_cols=1,
        pages=[1],
        bbox=(0, 0, 50, 20),
    )
    options = ExtractOptions(vl_model=tiny, vl={"max_new_tokens": 4})
    blocks, problems = vl_page_tables([table], 1, (0, 0, 120, 60), lambda box: page(), options)
    assert blocks == [table]
    assert [p.stage for p in problems] == ["tables"] and problems[0].page == 1


def test_altered_file_is_refused_before_loading(tiny, tmp_path):
    import shutil

    copy = Path(shutil.copytree(tiny, tmp_path / "copy"))
    (copy / "config.json").write_text((copy / "config.json").read_text().replace("32", "33", 1))
    with pytest.raises(ModelFileError, match="config.json"):
        load_model(copy)


def test_extract_with_the_tiny_model(tiny, tmp_path):
    from extractor.pipeline import extract
    from tests.scan_sample import build_sample_form

    pdf = build_sample_form(tmp_path / "form.pdf")
    options = ExtractOptions(table_engine="vl", vl_model=tiny, validate_records=False, vl={"max_new_tokens": 8})
    result = extract(pdf, options)
    classical = extract(pdf, ExtractOptions(validate_records=False))
    # Every table the noise model was asked about kept its classical reading, each with a Problem saying so.
    vl_problems = [p for p in result.problems if p.stage == "tables"]
    assert vl_problems and len(result.tables) == len(classical.tables)
    assert [t.n_rows for t in result.tables] == [t.n_rows for t in classical.tables]


def test_scanned_page_tables_and_low_confidence_cells_go_through_the_model(tiny, tmp_path):
    from extractor.pipeline import extract
    from fixtures.scans import STYLES, render_scan
    from tests.scan_sample import build_sample_form

    scan = render_scan(build_sample_form(tmp_path / "form.pdf"), STYLES["skewed200"], tmp_path / "scan", max_pages=1)
    options = ExtractOptions(
        table_engine="vl", vl_model=tiny, validate_records=False, vl={"max_new_tokens": 4, "reread_below": 0.99}
    )
    result = extract(scan, options)
    assert result.document.kind == "pdf_scanned" and result.tables
    pages = [p.page for p in result.problems if p.stage == "tables"]
    assert pages and set(pages) == {1}  # the noise answers fell back, each said so, on the page read
