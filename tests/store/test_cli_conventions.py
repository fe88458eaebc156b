"""The store commands' convention: `extractor list`, `--out`, `--data-dir` / `--database-url`, one-line errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from tests.corpus import MISSING_SEEDS, SEEDS

pytestmark = pytest.mark.skipif(not (SEEDS / "001" / "001.pdf").is_file(), reason=MISSING_SEEDS)

STORE_COMMANDS = [
    ["list"],
    ["show", "1"],
    ["export", "--out", "{out}"],
    ["ingest", "{input}", "--no-progress"],
    ["score", "--all-stored"],
]


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    return lines[0]


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS / "001" / "001.pdf", folder / "001.pdf")
    (folder / "golden.json").write_text("{}")  # beside the documents, as in fixtures/: ignored, not a failure
    (folder / "empty.pdf").write_bytes(b"")
    return folder


def test_list_shows_ids_files_status_and_reasons(store_url: str, inputs: Path) -> None:
    runner = CliRunner()
    store = ["--database-url", store_url]
    ingested = runner.invoke(app, ["ingest", str(inputs), "-j", "1", "--no-progress", *store])
    assert ingested.exit_code == 1, ingested.output  # empty.pdf failed
    assert "2 documents — ok 1, failed 1" in ingested.stdout and "1 other files ignored" in ingested.stdout

    listed = runner.invoke(app, ["list", "--json", *store])
    assert listed.exit_code == 0, listed.output
    items = {item["file"]: item for item in map(json.loads, listed.stdout.splitlines())}
    assert set(items) == {"001.pdf", "empty.pdf"}
    assert items["001.pdf"]["status"] == "done" and items["001.pdf"]["errors"] >= 1
    assert items["empty.pdf"]["status"] == "failed" and "空文件" in items["empty.pdf"]["error"]

    failed = runner.invoke(app, ["list", "--status", "failed", "--json", *store])
    assert [json.loads(line)["file"] for line in failed.stdout.splitlines()] == ["empty.pdf"]
    assert runner.invoke(app, ["list", "--reviewed", "--json", *store]).stdout == ""

    table = runner.invoke(app, ["list", *store], terminal_width=200)
    assert table.exit_code == 0
    assert "001.pdf" in table.stdout and "空文件" in table.stdout and str(items["001.pdf"]["id"]) in table.stdout

    shown = runner.invoke(app, ["show", str(items["001.pdf"]["id"]), *store])
    assert shown.exit_code == 0 and json.loads(shown.stdout)["document"]["file"] == "001.pdf"


def test_data_dir_option_is_where_every_store_command_looks(tmp_path: Path, inputs: Path) -> None:
    runner = CliRunner()
    data = tmp_path / "data"
    assert (
        runner.invoke(app, ["ingest", str(inputs / "001.pdf"), "--data-dir", str(data), "--no-progress"]).exit_code == 0
    )
    assert (data / "extractor.sqlite").is_file()
    listed = runner.invoke(app, ["list", "--json", "--data-dir", str(data)])
    assert [json.loads(line)["file"] for line in listed.stdout.splitlines()] == ["001.pdf"]
    out = tmp_path / "exported"
    exported = runner.invoke(
        app, ["export", "--out", str(out), "-f", "csv", "-k", "indicators", "--data-dir", str(data)]
    )
    assert exported.exit_code == 0, exported.output
    assert (out / "indicators.csv").is_file()
    token = runner.invoke(app, ["token", "create", "--role", "reviewer", "--data-dir", str(data)])
    assert token.exit_code == 0 and token.stdout.strip()
    scored = runner.invoke(app, ["score", "--all-stored", "--data-dir", str(data)], terminal_width=200)
    assert scored.exit_code == 0, scored.output
    assert "001.pdf" in scored.stdout


@pytest.mark.parametrize(
    ("store", "reason"),
    [
        (["--database-url", "postgresql+psycopg://nobody@127.0.0.1:1/none"], "Connection refused"),
        (["--database-url", "mysql+mysqldb://nobody@127.0.0.1/none"], "driver MySQLdb is not installed"),
        (["--database-url", "nodialect://x"], "unknown database dialect"),
        (["--data-dir", "{a_file}/data"], "Not a directory"),
    ],
)
@pytest.mark.parametrize("command", STORE_COMMANDS, ids=lambda command: command[0])
def test_store_configuration_errors_are_one_line(
    command: list[str], store: list[str], reason: str, tmp_path: Path, inputs: Path
) -> None:
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    values = {"out": str(tmp_path / "out"), "input": str(inputs), "a_file": str(a_file)}
    args = [part.format(**values) for part in [*command, *store]]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    line = _one_error_line(result.stderr)
    assert reason in line and "Traceback" not in result.output


def test_ingest_checks_its_paths_before_opening_anything(tmp_path: Path) -> None:
    runner = CliRunner()
    data = tmp_path / "data"
    missing = runner.invoke(app, ["ingest", str(tmp_path / "nowhere"), "--data-dir", str(data)])
    assert missing.exit_code == 1
    assert _one_error_line(missing.stderr).startswith(f"error: {tmp_path / 'nowhere'}: ")
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = runner.invoke(app, ["ingest", str(empty), "--data-dir", str(data)])
    assert nothing.exit_code == 1
    assert "no documents found" in _one_error_line(nothing.stderr) and "empty" in nothing.stderr
    assert not data.exists()  # nothing was opened or created
