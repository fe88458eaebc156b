"""Command line: `extractor extract FILE`, `extractor schema`, and the store commands."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional, TextIO

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from extractor.cli_common import OneLineErrors, fail, out_dir
from extractor.errors import InputError
from extractor.forms.lexicon import SummaryKind, lexicon
from extractor.models_cli import models_app, vl_settings
from extractor.output import write_json
from schemas import ExtractionResult


class TableEngineChoice(str, Enum):
    """`--table-engine`: how table structure is found (schemas.options.TableEngine, docs/tables.md)."""

    auto = "auto"
    ruled = "ruled"
    aligned = "aligned"
    vl = "vl"


app = typer.Typer(
    cls=OneLineErrors,
    add_completion=False,
    no_args_is_help=True,
    help="绩效自评 submissions → normalized records.",
)


@app.command()
def extract(
    paths: Annotated[
        list[Path], typer.Argument(help="PDF, DOCX, XLSX, XLS or image files, and directories (searched recursively)")
    ],
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print the SPEC JSON on stdout (JSON Lines, one object per file, for several)"),
    ] = False,
    out: Annotated[
        Optional[Path], typer.Option("--out", help="Also write <file>.json per file into this directory")
    ] = None,
    no_validate: Annotated[bool, typer.Option("--no-validate", help="Skip the validator")] = False,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds for the file")] = 600.0,
    memory_limit: Annotated[int, typer.Option("--memory-limit", min=256, help="MB of address space")] = 4096,
    vl_model: Annotated[Optional[Path], typer.Option("--vl-model", help="Read tables with this local VL model")] = None,
    table_engine: Annotated[
        Optional[TableEngineChoice],
        typer.Option("--table-engine", help="auto (default) | ruled | aligned | vl (docs/tables.md)"),
    ] = None,
) -> None:
    """Read files and print their records (a summary, or the SPEC JSON with --json), all in one process.

    Each file is read in a child bounded in time and memory (extractor.sandbox): an unreadable or hostile file
    prints `error: <file>: <reason>` and the others go on; the exit code is 1 if any failed.
    """
    from extractor.batch import InputProblem, expand_inputs, extract_file, output_name
    from extractor.sandbox import Limits, SandboxFailure
    from extractor.vision.model_files import ModelFileError
    from schemas import ExtractOptions

    out_path = out_dir(out) if out is not None else None
    if vl_model is not None and not vl_model.is_dir():  # configuration: said once, before any file is read
        fail(vl_model, "模型目录不存在 (model directory does not exist)")
    settings = vl_settings(vl_model)
    if table_engine is not None:
        settings["table_engine"] = table_engine.value
    options = ExtractOptions(validate_records=not no_validate, **settings)

    limits = Limits(timeout_s=timeout, memory_mb=memory_limit)
    several = len(paths) > 1 or any(path.is_dir() for path in paths)
    console = Console()
    failed = 0
    written: set[str] = set()
    for item in expand_inputs(paths):
        if isinstance(item, InputProblem):
            typer.echo(f"error: {item.line()}", err=True)
            failed += 1
            continue
        try:
            result = extract_file(item, options, limits)
        except ModelFileError as error:  # the configured model, not this file: no other file would fare better
            fail("--vl-model", str(error))
        except (InputError, SandboxFailure) as error:
            typer.echo(f"error: {error}", err=True)
            failed += 1
            continue
        if out_path is not None:
            target = out_path / output_name(item, written)
            with target.open("w", encoding="utf-8") as handle:
                write_result(result, handle)
        if as_json:
            # One file: the indented document (what `show` prints); several: one compact object per line.
            write_result(result, sys.stdout, indent=None if several else 2)
            sys.stdout.flush()
        elif out_path is not None and several:
            typer.echo(f"{item} → {target}")
        else:
            print_summary(result, console)
    if failed:
        raise typer.Exit(code=1)


def write_result(result: ExtractionResult, handle: TextIO, indent: Optional[int] = 2) -> None:
    """The canonical JSON and a newline: stable key order from the models, UTF-8 text, no floats reformatted.

    Written record by record (extractor.output): a long document's text is never held whole beside its result.
    """
    write_json(result, handle, indent=indent)
    handle.write("\n")


def print_summary(result: ExtractionResult, console: Console) -> None:
    """The readable summary: document fields, every table (title and size), the records and findings.

    Text columns fold onto further lines instead of being cut; figures never wrap (a cut figure misleads).
    """
    doc = result.document
    console.print(
        f"[bold]{escape(doc.file)}[/bold]  {doc.kind}, {doc.pages} 页  部门: {escape(doc.department or '—')}  "
        f"年度: {doc.year or '—'}  自评得分: {doc.self_score if doc.self_score is not None else '—'}",
        highlight=False,
    )
    console.print(
        f"表格 {len(result.tables)}  指标 {len(result.indicators)}  预算行 {len(result.budget_lines)}  "
        f"得分汇总 {len(result.scores)}  问题 {len(result.findings)}",
        highlight=False,
    )
    if result.tables:
        table = _rich_table("tables", figures=(3, 4))
        for item in result.tables:
            table.add_row(item.id, item.title or "", item.role, _pages(item.pages), f"{item.n_rows}×{item.n_cols}")
        console.print(table)
    if result.indicators:
        table = _rich_table("indicators", figures=(6, 7))
        for indicator in result.indicators:
            table.add_row(
                indicator.id,
                indicator.level1 or "",
                indicator.level2 or "",
                indicator.name,
                indicator.target.raw or "",
                indicator.actual.raw or "",
                _num(indicator.weight),
                _num(indicator.score),
            )
        console.print(table)
    if result.budget_lines:
        table = _rich_table("budget_lines", figures=(2, 3, 4, 5))
        for line in result.budget_lines:
            table.add_row(
                line.id,
                line.item,
                _num(line.initial),
                _num(line.adjusted),
                _num(line.actual),
                _num(line.rate),
                line.unit or "",
            )
        console.print(table)
    if result.findings:
        table = _rich_table("findings", figures=())
        for finding in result.findings:
            table.add_row(finding.id, finding.rule, finding.severity, finding.message)
        console.print(table)


def _rich_table(kind: SummaryKind, figures: tuple[int, ...]) -> RichTable:
    """A summary table titled as lexicon.yaml `summary_tables` says."""
    titles = lexicon().summary_tables[kind]
    table = RichTable(title=titles.title)
    for index, column in enumerate(titles.columns):
        if index == 0 or index in figures:
            table.add_column(column, no_wrap=True, justify="right" if index in figures else "left")
        else:
            table.add_column(column, overflow="fold")
    return table


def _pages(pages: list[int]) -> str:
    if not pages:
        return ""
    return str(pages[0]) if len(pages) == 1 else f"{pages[0]}–{pages[-1]}"


def _num(value: Optional[float]) -> str:
    return "" if value is None else f"{value:g}"


@app.command()
def schema() -> None:
    """Print the JSON Schema of the output (ExtractionResult)."""
    sys.stdout.write(json.dumps(ExtractionResult.model_json_schema(), ensure_ascii=False, indent=2) + "\n")


from extractor.cli_store import register as _register_store_commands  # noqa: E402  (ingest, export, show)

_register_store_commands(app)

from extractor.review.cli import register as _register_review_commands  # noqa: E402  (serve, token)

_register_review_commands(app)

app.add_typer(models_app, name="models")

from extractor.scoring.cli import register as _register_scoring_commands  # noqa: E402  (score, profiles)

_register_scoring_commands(app)

from extractor.explain import explain as _explain  # noqa: E402  (imported after app: one registration line)

app.command()(_explain)

if __name__ == "__main__":
    app()
