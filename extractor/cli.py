"""Command line: `extractor extract FILE`, `extractor schema`, and the store commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table as RichTable

from extractor.errors import InputError
from extractor.models_cli import models_app, vl_settings
from schemas import ExtractionResult

app = typer.Typer(add_completion=False, no_args_is_help=True, help="绩效自评 submissions → normalized records.")


def _fail(message: str) -> None:
    """One line on stderr, exit 1: how every unreadable input ends."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


@app.command()
def extract(
    file: Annotated[Path, typer.Argument(help="PDF, DOCX, XLSX, XLS or image")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the SPEC JSON on stdout")] = False,
    out: Annotated[Optional[Path], typer.Option("--out", help="Also write <name>.json into this directory")] = None,
    no_validate: Annotated[bool, typer.Option("--no-validate", help="Skip the validator")] = False,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds for the file")] = 600.0,
    memory_limit: Annotated[int, typer.Option("--memory-limit", min=256, help="MB of address space")] = 4096,
    vl_model: Annotated[Optional[Path], typer.Option("--vl-model", help="Read tables with this local VL model")] = None,
) -> None:
    """Read one file and print its records (a summary, or the SPEC JSON with --json)."""
    from extractor.sandbox import Limits, SandboxFailure, extract_limited
    from extractor.vision.model_files import ModelFileError
    from schemas import ExtractOptions

    try:  # in a child bounded in time and memory (extractor.sandbox): a hostile file ends as one line
        options = ExtractOptions(validate_records=not no_validate, **vl_settings(vl_model))
        result = extract_limited(file, options, Limits(timeout_s=timeout, memory_mb=memory_limit))
    except (InputError, SandboxFailure, ModelFileError) as error:
        _fail(str(error))
        return
    except Exception as error:  # an unexpected failure is still one line naming the file
        _fail(f"{file.name}: 处理失败 (internal error: {type(error).__name__}: {error})")
        return
    payload = result_json(result)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{file.name}.json").write_text(payload + "\n", encoding="utf-8")
    if as_json:
        sys.stdout.write(payload + "\n")
    else:
        print_summary(result, Console())


def result_json(result: ExtractionResult) -> str:
    """The canonical JSON: stable key order from the models, UTF-8 text, no floats reformatted."""
    return result.model_dump_json(indent=2)


def print_summary(result: ExtractionResult, console: Console) -> None:
    doc = result.document
    console.print(
        f"[bold]{doc.file}[/bold]  {doc.kind}, {doc.pages} 页  部门: {doc.department or '—'}  "
        f"年度: {doc.year or '—'}  自评得分: {doc.self_score if doc.self_score is not None else '—'}"
    )
    console.print(
        f"表格 {len(result.tables)}  指标 {len(result.indicators)}  预算行 {len(result.budget_lines)}  "
        f"得分汇总 {len(result.scores)}  问题 {len(result.findings)}"
    )
    if result.indicators:
        table = RichTable(title="绩效指标", show_lines=False)
        for column in ("id", "一级", "二级", "三级指标", "指标值", "实际完成值", "分值", "得分"):
            table.add_column(column)
        for item in result.indicators:
            table.add_row(
                item.id,
                item.level1 or "",
                item.level2 or "",
                item.name,
                item.target.raw or "",
                item.actual.raw or "",
                _num(item.weight),
                _num(item.score),
            )
        console.print(table)
    if result.budget_lines:
        table = RichTable(title="预算执行")
        for column in ("id", "项目", "年初预算数", "调整后预算数", "实际支出数", "执行率", "单位"):
            table.add_column(column)
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
        table = RichTable(title="校验发现")
        for column in ("id", "规则", "级别", "说明"):
            table.add_column(column)
        for finding in result.findings:
            table.add_row(finding.id, finding.rule, finding.severity, finding.message)
        console.print(table)


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
