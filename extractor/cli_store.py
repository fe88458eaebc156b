"""Store commands: `extractor ingest`, `extractor list`, `extractor show`, `extractor export`.

extractor/cli.py registers them with `register(app)`; `python -m extractor.cli_store` runs them on their
own. The store is --database-url, else EXTRACTOR_DATABASE_URL, else SQLite in --data-dir /
EXTRACTOR_DATA_DIR (./data). Errors follow extractor/cli_common.py: one line, exit 1.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from rich.console import Console

from extractor.cli_common import (
    DEFAULT_WORKERS,
    DatabaseOption,
    DataDirOption,
    OneLineErrors,
    WorkersOption,
    fail,
    open_engine,
    out_dir,
    store_settings,
)

if TYPE_CHECKING:  # the store and the pipeline are imported when a command runs, not for `--help`
    from extractor.ingest.run import IngestSummary

STATUSES = ("queued", "running", "done", "failed")
"""models.documents.DocumentStatus, spelled out so that `--help` needs no import of the store."""


def _status(value: Optional[str]) -> Optional[str]:
    if value is not None and value not in STATUSES:
        fail("--status", f"{value!r} is not one of {', '.join(STATUSES)}")
    return value


def _check_paths(paths: list[Path]) -> None:
    """Before anything is opened: every path exists and at least one document is there."""
    from extractor.ingest.discover import DOCUMENT_SUFFIXES, discover

    for path in paths:
        if not path.exists():
            fail(path, "文件不存在 (no such file or directory)")
    found = discover(paths)
    if found.documents:
        return
    ignored = Counter(
        (p.suffix.lower() or p.name)
        for given in paths
        if given.is_dir()
        for p in given.rglob("*")
        if p.is_file() and p.suffix.lower() not in DOCUMENT_SUFFIXES
    )
    shown = ", ".join(f"{suffix} ×{count}" for suffix, count in ignored.most_common(5))
    where = " ".join(str(path) for path in paths)
    fail(
        where,
        "没有可读取的文档 (no documents found)" + (f"; other files: {shown}" if shown else "; the directory is empty"),
    )


def _check_profile(name: str) -> None:
    """Before any worker starts: a profile that does not exist is the user's error, not every document's."""
    from extractor.scoring.profiles import ProfileError, load_profiles, profile_named

    if name == "auto":
        return
    try:
        profile_named(name, load_profiles())
    except ProfileError as error:
        fail("--score-profile", str(error))


def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Files and directories (searched recursively)")],
    workers: WorkersOption = DEFAULT_WORKERS,
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
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Documents written per transaction (at most)")
    ] = 16,
    batch_wait: Annotated[
        float,
        typer.Option(
            "--batch-wait", min=0.0, help="Seconds a finished document waits for its batch to fill before it is written"
        ),
    ] = 2.0,
    score_profile: Annotated[
        Optional[str],
        typer.Option(
            "--score-profile",
            metavar="PROFILE",
            help="Also store proposed review scores: a profile name (see `extractor profiles`) or auto, "
            "as `extractor score --save` would",
        ),
    ] = None,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar")] = False,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Extract every document under PATHS into the store; already stored files are skipped."""
    _check_paths(paths)
    if score_profile is not None:
        _check_profile(score_profile)
    from extractor.ingest.run import IngestOptions
    from schemas import ExtractOptions

    engine = open_engine(store_settings(database_url, data_dir))
    options = IngestOptions(
        workers=workers,
        timeout_s=timeout,
        memory_mb=memory_limit,
        force=force,
        retry_failed=retry_failed,
        batch_size=batch_size,
        batch_wait_s=batch_wait,
        extract=ExtractOptions(score_profile=score_profile),
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
    # Files in the directories that are not documents (golden JSON beside the PDFs, notes) are left alone
    # on purpose; they are mentioned, not counted among the outcomes.
    ignored = f"; {summary.not_documents} other files ignored" if summary.not_documents else ""
    console.print(
        f"ingest (job {summary.job_id}): {summary.files} documents — ok {summary.ok}, failed {summary.failed}, "
        f"skipped {summary.skipped}; pages {summary.pages}; "
        f"{summary.seconds:.1f} s ({rate:.2f} documents/s){ignored}" + ("; INTERRUPTED" if summary.interrupted else ""),
        highlight=False,
    )
    if summary.findings:
        by_rule = ", ".join(f"{rule} {count}" for rule, count in sorted(summary.findings.items()))
        console.print(f"findings: {by_rule}", highlight=False)
    for reason in summary.failures:
        console.print(f"failed: {reason}", highlight=False, markup=False)
    if summary.failed > len(summary.failures):
        console.print(f"… and {summary.failed - len(summary.failures)} more failed", highlight=False)


LIST_PAGE = 500


def list_command(
    status: Annotated[Optional[str], typer.Option("--status", help="queued, running, done or failed")] = None,
    reviewed: Annotated[
        Optional[bool], typer.Option("--reviewed/--not-reviewed", help="Only reviewed (or not reviewed) documents")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines, one object per document")] = False,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """List stored documents: id, file, status, failure reason and record counts (ids are what `show` takes)."""
    from extractor.review.queries import DocumentFilter, list_documents
    from extractor.store import session_scope

    filters = DocumentFilter(status=_status(status), reviewed=reviewed)
    engine = open_engine(store_settings(database_url, data_dir))
    items: list[dict[str, Any]] = []
    try:
        with session_scope(engine) as session:
            while True:
                page = list_documents(session=session, filters=filters, offset=len(items), limit=LIST_PAGE)
                items += page.items
                if len(items) >= page.total or not page.items:
                    break
    finally:
        engine.dispose()
    if as_json:
        for item in items:
            sys.stdout.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")
        return
    _print_listing(items, Console(soft_wrap=False))


def _print_listing(items: list[dict[str, Any]], console: Console) -> None:
    from rich.table import Table as RichTable

    if not items:
        console.print("no documents stored (extractor ingest PATH adds some)", highlight=False)
        return
    table = RichTable(title=f"{len(items)} documents")
    table.add_column("id", no_wrap=True, justify="right")
    table.add_column("file", overflow="fold")
    table.add_column("status", no_wrap=True)
    table.add_column("errors", no_wrap=True, justify="right")
    table.add_column("warnings", no_wrap=True, justify="right")
    table.add_column("reviewed", no_wrap=True)
    table.add_column("sha256", no_wrap=True)
    table.add_column("reason", overflow="fold")
    for item in items:
        table.add_row(
            str(item["id"]),
            item["file"],
            item["status"],
            _count(item.get("errors")),
            _count(item.get("warnings")),
            "yes" if item.get("reviewed") else "",
            str(item["sha256"])[:12],
            item.get("error") or "",
        )
    console.print(table)


def _count(value: object) -> str:
    return "" if value is None else str(value)


def show_command(
    document: Annotated[str, typer.Argument(help="Document id (see `extractor list`) or sha256 prefix")],
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Print one stored document as SPEC JSON."""
    from extractor.store import document_result, find_document, session_scope

    engine = open_engine(store_settings(database_url, data_dir))
    try:
        with session_scope(engine) as session:
            found = find_document(session=session, key=document)
            assert found.id is not None
            result = document_result(session=session, document_id=found.id)
    except LookupError as error:
        fail(document, str(error))
    finally:
        engine.dispose()
    sys.stdout.write(result.model_dump_json(indent=2) + "\n")


def export_command(
    out: Annotated[Path, typer.Option("--out", help="Directory for the exported files")],
    kind: Annotated[
        Optional[list[str]],
        typer.Option("--kind", "-k", help="indicators, budget_lines, scores, findings (repeatable; default all)"),
    ] = None,
    fmt: Annotated[
        Optional[list[str]], typer.Option("--format", "-f", help="csv, xlsx, parquet, jsonl (repeatable; default all)")
    ] = None,
    department: Annotated[Optional[str], typer.Option(help="部门（单位）名称, exactly")] = None,
    year: Annotated[Optional[int], typer.Option(help="年度")] = None,
    status: Annotated[Optional[str], typer.Option(help="Document status: queued, running, done, failed")] = None,
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
    data_dir: DataDirOption = None,
) -> None:
    """Export stored records (SPEC field names as columns) and the JSON Schema into --out."""
    from extractor.export import FORMATS, RECORD_KINDS, ExportFilter, export

    for value in kind or ():
        if value not in RECORD_KINDS:
            fail("--kind", f"{value!r} is not one of {', '.join(RECORD_KINDS)}")
    for value in fmt or ():
        if value not in FORMATS:
            fail("--format", f"{value!r} is not one of {', '.join(FORMATS)}")
    if rule is not None:
        from schemas import RULE_IDS

        if rule not in RULE_IDS:
            fail("--rule", f"unknown rule {rule!r}; rules: {', '.join(RULE_IDS)}")
    kinds = tuple(k for k in RECORD_KINDS if kind is None or k in kind)
    formats = tuple(f for f in FORMATS if fmt is None or f in fmt)
    filters = ExportFilter(
        department=department,
        year=year,
        status=_status(status),
        rule=rule,
        min_confidence=min_confidence,
        reviewed_only=reviewed_only,
        since=since,
    )
    target = out_dir(out)
    engine = open_engine(store_settings(database_url, data_dir))
    try:
        written = export(engine=engine, out_dir=target, kinds=kinds, formats=formats, filters=filters)
    finally:
        engine.dispose()
    for path in written:
        typer.echo(str(path))


def register(app: typer.Typer) -> None:
    """Add ingest, list, show and export to the main `extractor` app."""
    app.command("ingest")(ingest_command)
    app.command("list")(list_command)
    app.command("show")(show_command)
    app.command("export")(export_command)


def main() -> None:
    app = typer.Typer(cls=OneLineErrors, add_completion=False, no_args_is_help=True)
    register(app)
    app()


if __name__ == "__main__":
    main()
