"""`extractor score` and `extractor profiles`: proposed review scores from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table as RichTable

from extractor.cli_common import DatabaseOption, DataDirOption
from extractor.scoring.records import record_name, scored_records
from schemas import ExtractionResult


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


def profiles_command() -> None:
    """List the scoring profiles: name, title, what they apply to, and their rules."""
    from extractor.scoring.profiles import load_profiles

    for profile in load_profiles():
        families = ", ".join(profile.template_families) or "—"
        kinds = ", ".join(profile.section_kinds) or "—（仅 --profile 或模板族选择）"
        typer.echo(f"{profile.name}\t{profile.title}")
        typer.echo(f"  模板族: {families}  表类: {kinds}")
        typer.echo(f"  {profile.description}")


def _from_file(path: Path, profile: str) -> ExtractionResult:
    from extractor.errors import InputError
    from extractor.pipeline import extract
    from schemas import ExtractOptions

    try:
        return extract(path, ExtractOptions(score_profile=profile))
    except InputError as error:
        _fail(str(error))
        raise  # unreachable: _fail exits
    except Exception as error:  # one line naming the file, as `extract` does
        _fail(f"{path.name}: 处理失败 (internal error: {type(error).__name__}: {error})")
        raise


def _from_store(
    keys: list[str],
    every: bool,
    store: tuple[Optional[str], Optional[Path]],
    profile: str,
    save: bool,
) -> list[ExtractionResult]:
    """Stored documents scored; with `save`, the proposals are written back (the review page shows them)."""
    from extractor.cli_common import open_engine, store_settings
    from extractor.review.records import locked_document, write_result
    from extractor.rules import apply_validation
    from extractor.scoring.stage import score_result
    from extractor.store import document_result, find_document, list_documents, session_scope

    engine = open_engine(store_settings(*store))
    results: list[ExtractionResult] = []
    try:
        with session_scope(engine) as session:
            ids = [find_document(session=session, key=key).id for key in keys]
            if every:
                ids += [d.id for d in list_documents(session=session, status="done")]
            for document_id in dict.fromkeys(i for i in ids if i is not None):
                stored = document_result(session=session, document_id=document_id)
                scored = apply_validation(score_result(stored, profile))
                if save:
                    document = locked_document(session=session, document_id=document_id)
                    write_result(session=session, document=document, result=scored, previous=stored)
                results.append(scored)
    except LookupError as error:
        _fail(str(error))
    finally:
        engine.dispose()
    return results


def _number(value: Optional[float]) -> str:
    return "—" if value is None else f"{value:g}"


def print_scores(result: ExtractionResult, console: Console) -> None:
    doc = result.document
    console.print(
        f"[bold]{doc.file}[/bold]  自评得分 {_number(doc.self_score)}  复核得分 {_number(doc.review_score)}  "
        f"建议复核得分 [bold]{_number(doc.proposed_review_score)}[/bold]"
    )
    records = scored_records(result)
    for section in result.sections:
        if section.scoring_profile is None:
            continue
        table = RichTable(
            title=f"{section.title}（{section.scoring_profile}）建议复核得分 {_number(section.proposed_review_score)}"
        )
        for column in ("id", "名称", "分值", "自评得分", "复核得分", "建议得分", "计分说明"):
            table.add_column(column)
        for record in records:
            if record.section != section.id or record.scoring is None:
                continue
            table.add_row(
                record.id,
                record_name(record),
                _number(record.weight),
                _number(record.score),
                _number(record.review_score),
                _number(record.expected_score),
                record.scoring,
            )
        console.print(table)
        for deduction in section.deductions:
            console.print(f"  扣分 {deduction.ref}: −{deduction.points:g}  {deduction.reason}", highlight=False)


def score_command(
    files: Annotated[Optional[list[Path]], typer.Argument(help="PDF, DOCX, XLSX … to read and score")] = None,
    stored: Annotated[
        Optional[list[str]], typer.Option("--stored", help="A stored document (id or sha256 prefix); repeatable")
    ] = None,
    all_stored: Annotated[bool, typer.Option("--all-stored", help="Every stored document that is done")] = False,
    profile: Annotated[
        str, typer.Option("--profile", help="A profile name (see `extractor profiles`) or auto")
    ] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print the SPEC JSON (one document) on stdout")] = False,
    summary_xlsx: Annotated[
        Optional[Path], typer.Option("--summary-xlsx", help="Write the 复核意见汇总表 of all inputs here")
    ] = None,
    save: Annotated[
        bool, typer.Option("--save", help="Write the proposals of --stored/--all-stored documents back to the store")
    ] = False,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Propose review scores: expected score per indicator and budget line, per section and document."""
    from extractor.scoring.profiles import ProfileError, load_profiles, profile_named
    from extractor.scoring.summary import summary_rows, write_summary_xlsx

    try:
        if profile != "auto":
            profile_named(profile, load_profiles())
    except ProfileError as error:
        _fail(str(error))
    results = [_from_file(path, profile) for path in files or []]
    if stored or all_stored:
        results += _from_store(list(stored or []), all_stored, (database_url, data_dir), profile, save)
    if not results:
        _fail("nothing to score: give FILE, --stored ID or --all-stored")
    if summary_xlsx is not None:
        written = write_summary_xlsx(summary_rows(results), summary_xlsx)
        typer.echo(str(written), err=as_json)
    if as_json:
        if len(results) != 1:
            _fail("--json prints one document; give one input")
        sys.stdout.write(results[0].model_dump_json(indent=2) + "\n")
        return
    console = Console()
    for result in results:
        print_scores(result, console)


def register(app: typer.Typer) -> None:
    """Add `score` and `profiles` to the main `extractor` app."""
    app.command("score")(score_command)
    app.command("profiles")(profiles_command)
