"""`extractor extract` and the CLI convention, as a user runs them (CliRunner, the real pipeline)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from schemas import ExtractionResult
from tests.corpus import MISSING_SEEDS, SEEDS

SEED_PDF = SEEDS / "001" / "001.pdf"
SEED_DIR = SEEDS / "002"

pytestmark = pytest.mark.skipif(not SEED_PDF.is_file(), reason=MISSING_SEEDS)


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    return lines[0]


def test_several_inputs_give_json_lines_and_a_bad_one_does_not_stop_the_others(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.pdf"
    result = CliRunner().invoke(app, ["extract", str(SEED_PDF), str(missing), str(SEED_DIR), "--json"])
    assert result.exit_code == 1, result.output  # one input failed, reported at the end
    assert _one_error_line(result.stderr).startswith(f"error: {missing}: ")
    objects = [ExtractionResult.model_validate_json(line) for line in result.stdout.splitlines()]
    expected = ["001.pdf", *sorted(p.name for p in SEED_DIR.iterdir() if p.suffix in {".pdf", ".docx", ".xlsx"})]
    assert [item.document.file for item in objects] == expected


def test_out_writes_one_json_per_file_equal_to_the_single_file_output(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    many = runner.invoke(app, ["extract", str(SEED_PDF), str(SEED_DIR), "--out", str(out)])
    assert many.exit_code == 0, many.output
    written = sorted(path.name for path in out.iterdir())
    assert written == sorted(
        [
            f"{SEED_PDF.name}.json",
            *(f"{p.name}.json" for p in SEED_DIR.iterdir() if p.is_file() and p.suffix != ".json"),
        ]
    )
    single = runner.invoke(app, ["extract", str(SEED_PDF), "--json"])
    assert single.exit_code == 0
    assert (out / f"{SEED_PDF.name}.json").read_text(encoding="utf-8") == single.stdout
    assert json.loads(single.stdout)["document"]["file"] == "001.pdf"


def test_readable_summary_lists_tables_with_size_and_keeps_long_text_whole() -> None:
    result = CliRunner().invoke(app, ["extract", str(SEED_PDF)], terminal_width=80)
    assert result.exit_code == 0, result.output
    assert "表格" in result.stdout and "22×9" in result.stdout  # the stitched 2-page table, rows × columns
    assert "…" not in result.stdout  # folded onto further lines, never cut


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["extract", "--bogus", "x.pdf"], "--bogus"),
        (["ingest", "-j", "many", "x"], "--workers"),
        (["ingest", "-j", "0", "x"], "--workers"),
        (["export"], "--out"),
        (["list", "--status", "bogus"], "--status"),
        (["token", "create", "--role", "boss"], "--role"),
        (["no-such-command"], "no-such-command"),
    ],
)
def test_every_user_error_is_one_line_and_exit_1(args: list[str], what: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, [*args], env={"EXTRACTOR_DATA_DIR": str(tmp_path / "data")})
    assert result.exit_code == 1, result.output
    assert what in _one_error_line(result.stderr)
    assert "Traceback" not in result.output and "Usage" not in result.output


def test_out_pointing_at_a_file_is_one_line(tmp_path: Path) -> None:
    a_file = tmp_path / "taken"
    a_file.write_text("x")
    result = CliRunner().invoke(app, ["extract", str(SEED_PDF), "--out", str(a_file)])
    assert result.exit_code == 1
    assert _one_error_line(result.stderr) == f"error: --out {a_file}: exists and is not a directory"
    assert a_file.read_text() == "x"


def test_a_directory_without_documents_says_so(tmp_path: Path) -> None:
    (tmp_path / "notes.json").write_text("{}")
    result = CliRunner().invoke(app, ["extract", str(tmp_path), "--json"])
    assert result.exit_code == 1
    assert "no documents found" in _one_error_line(result.stderr)
    assert result.stdout == ""
