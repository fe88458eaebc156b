"""Store commands: `extractor ingest`, `extractor export`, `extractor show`.

The lead's extractor/cli.py registers them with `register(app)`; `python -m extractor.cli_store`
runs them on their own. The store is EXTRACTOR_DATABASE_URL, else SQLite in EXTRACTOR_DATA_DIR (./data).
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console

if TYPE_CHECKING:  # the store and the pipeline are imported when a command runs, not for `--help`
    from extractor.ingest.run import IngestSummary
    from extractor.store import StoreSettings

DatabaseOption = Annotated[
    Optional[str],
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL (default: EXTRACTOR_DATABASE_URL, else SQLite in EXTRACTOR_DATA_DIR, default ./data)",
        show_default=False,
    ),
]


def _settings(database_url: Optional[str]) -> StoreSettings:
    from extractor.store import StoreSettings

    return StoreSettings(database_url=database_url) if database_url else StoreSettings()


def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Files and directories (searched recursively)")],
    workers: Annotated[int, typer.Option("--workers", "-j", min=1, help="Worker processes")] = os.cpu_count() or 1,
    timeout: Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds per document")] = 600.0,
    memory_limit: Annotated[int, typer.Option("--memory-limit", min=256, help="MB per worker")] = 4096,
    force: Annotated[bool, typer.Option("--force", help="Re-extract documents already stored")] = False,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Also retry deterministic failures and dead letters")
    ] = False,
    ray: Annotated[
        bool,
        typer.Option(
            "--ray",
            help="Run the documents as Ray tasks (a local Ray instance "
            "unless --ray-address or RAY_ADDRESS names a cluster)",
        ),
    ] = False,
    ray_address: Annotated[
        Optional[str], typer.Option("--ray-address", metavar="ADDRESS", help="Ray cluster to join (implies --ray)")
    ] = None,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Extract every document under PATHS into the store; already stored files are skipped."""
    from extractor.ingest.run import IngestOptions
    from extractor.store import open_store

    engine = open_store(_settings(database_url))
    options = IngestOptions(
        workers=workers, timeout_s=timeout, memory_mb=memory_limit, force=force, retry_failed=retry_failed
    )
    console = Console(stderr=True)
    try:
        if ray or ray_address:
            from extractor.ingest.ray_run import ingest_on_ray

            summary = ingest_on_ray(
                engine=engine,
                paths=paths,
                options=options,
                address=ray_address,
                console=console,
                show_progress=not no_progress,
            )
        else:
            from extractor.ingest.run import ingest

            summary = ingest(
                engine=engine, paths=paths, options=options, console=console, show_progress=not no_progress
            )
    finally:
        engine.dispose()
    print_ingest_summary(summary, Console(soft_wrap=True))
    if summary.interrupted:
        raise typer.Exit(code=130)
    if summary.failed:
        raise typer.Exit(code=1)


def print_ingest_summary(summary: IngestSummary, console: Console) -> None:
    rate = summary.ok / summary.seconds if summary.seconds else 0.0
    console.print(
        f"ingest (job {summary.job_id}): {summary.files} files — ok {summary.ok}, failed {summary.failed}, "
        f"skipped {summary.skipped}, not documents {summary.not_documents}; pages {summary.pages}; "
        f"{summary.seconds:.1f} s ({rate:.2f} documents/s)" + ("; INTERRUPTED" if summary.interrupted else ""),
        highlight=False,
    )
    if summary.findings:
        by_rule = ", ".join(f"{rule} {count}" for rule, count in sorted(summary.findings.items()))
        console.print(f"findings: {by_rule}", highlight=False)
    for reason in summary.failures:
        console.print(f"failed: {reason}", highlight=False, markup=False)
    if summary.failed > len(summary.failures):
        console.print(f"… and {summary.failed - len(summary.failures)} more failed", highlight=False)


def show_command(
    document: Annotated[str, typer.Argument(help="Document id or sha256 prefix")],
    database_url: DatabaseOption = None,
) -> None:
    """Print one stored document as SPEC JSON."""
    from extractor.store import document_result, find_document, open_store, session_scope

    engine = open_store(_settings(database_url))
    try:
        with session_scope(engine) as session:
            found = find_document(session=session, key=document)
            assert found.id is not None
            result = document_result(session=session, document_id=found.id)
    except LookupError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=1) from None
    finally:
        engine.dispose()
    sys.stdout.write(result.model_dump_json(indent=2) + "\n")


def export_command(
    out: Annotated[Path, typer.Argument(help="Directory for the exported files")],
    kind: Annotated[
        Optional[list[str]],
        typer.Option("--kind", "-k", help="indicators, budget_lines, scores, findings (repeatable; default all)"),
    ] = None,
    fmt: Annotated[
        Optional[list[str]], typer.Option("--format", "-f", help="csv, xlsx, parquet, jsonl (repeatable; default all)")
    ] = None,
    department: Annotated[Optional[str], typer.Option(help="部门（单位）名称, exactly")] = None,
    year: Annotated[Optional[int], typer.Option(help="年度")] = None,
    status: Annotated[Optional[str], typer.Option(help="Document status (done, failed …)")] = None,
    rule: Annotated[Optional[str], typer.Option(help="Findings of this rule, and the records they refer to")] = None,
    min_confidence: Annotated[
        Optional[float], typer.Option(help="Records whose every field confidence is at least this", min=0.0, max=1.0)
    ] = None,
    reviewed_only: Annotated[bool, typer.Option("--reviewed-only", help="Only documents marked reviewed")] = False,
    since: Annotated[
        Optional[datetime],
        typer.Option(help="Only documents changed or reviewed at/after this time (UTC unless it says)"),
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Export stored records (SPEC field names as columns) and the JSON Schema into OUT."""
    from extractor.export import FORMATS, RECORD_KINDS, ExportFilter, export
    from extractor.store import open_store

    kinds = tuple(kind or RECORD_KINDS)
    formats = tuple(fmt or FORMATS)
    for value, allowed in [*((k, RECORD_KINDS) for k in kinds), *((f, FORMATS) for f in formats)]:
        if value not in allowed:
            typer.echo(f"error: {value!r} is not one of {', '.join(allowed)}", err=True)
            raise typer.Exit(code=2)
    if rule is not None:
        from schemas import RULE_IDS

        if rule not in RULE_IDS:
            typer.echo(f"error: unknown rule {rule!r}; rules: {', '.join(RULE_IDS)}", err=True)
            raise typer.Exit(code=2)
    filters = ExportFilter(
        department=department,
        year=year,
        status=status,
        rule=rule,
        min_confidence=min_confidence,
        reviewed_only=reviewed_only,
        since=since,
    )
    engine = open_store(_settings(database_url))
    try:
        written = export(
            engine=engine,
            out_dir=out,
            kinds=kinds,
            formats=formats,  # type: ignore[arg-type]
            filters=filters,
        )
    finally:
        engine.dispose()
    for path in written:
        typer.echo(str(path))


def register(app: typer.Typer) -> None:
    """Add ingest, export and show to the main `extractor` app."""
    app.command("ingest")(ingest_command)
    app.command("export")(export_command)
    app.command("show")(show_command)


def main() -> None:
    app = typer.Typer(add_completion=False, no_args_is_help=True)
    register(app)
    app()


if __name__ == "__main__":
    main()
