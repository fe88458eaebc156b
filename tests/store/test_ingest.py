"""`ingest` on real files: idempotent, bad files fail alone with their reason, forced re-runs keep corrections."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlmodel import select

from extractor.ingest import IngestOptions, discover, ingest
from extractor.pipeline import extract
from extractor.store import add_correction, document_result, get_document, make_engine, session_scope, upgrade
from extractor.store.jobs import recover_dead_jobs, start_job
from models import Correction, Document, IndicatorRow, Job, TableRow
from tests.corpus import MISSING_REAL, MISSING_SEEDS
from tests.store.files import REAL, SEEDS, bad_files, copy_fixtures, copy_good_files, memory_hungry_pdf

pytestmark = pytest.mark.skipif(
    not REAL.is_dir() or not SEEDS.is_dir(), reason=MISSING_REAL if not REAL.is_dir() else MISSING_SEEDS
)

QUICK = IngestOptions(workers=2, timeout_s=120)


def _table_counts(engine: Engine) -> tuple[int, int, int]:
    with session_scope(engine) as session:
        return (
            session.exec(select(func.count()).select_from(Document)).one(),
            session.exec(select(func.count()).select_from(TableRow)).one(),
            session.exec(select(func.count()).select_from(IndicatorRow)).one(),
        )


def test_ingesting_the_fixtures_twice_stores_nothing_new(engine: Engine, tmp_path: Path) -> None:
    files = copy_fixtures(tmp_path / "in")
    first = ingest(engine=engine, paths=[tmp_path / "in"], options=QUICK, show_progress=False)
    assert (first.ok, first.failed, first.skipped) == (len(files), 0, 0)
    assert first.not_documents == len(list(SEEDS.glob("*/golden.json")))
    assert first.findings and sum(first.findings.values()) > 0
    counts = _table_counts(engine)
    assert counts[0] == len(files) and counts[1] > 0 and counts[2] > 0

    second = ingest(engine=engine, paths=[tmp_path / "in"], options=QUICK, show_progress=False)
    assert (second.ok, second.failed, second.skipped) == (0, 0, len(files))
    assert _table_counts(engine) == counts

    # What the store holds is exactly what the pipeline extracts from the file.
    expected = extract(files[0])
    assert expected.indicators and expected.findings
    with session_scope(engine) as session:
        document = get_document(session=session, sha256=expected.document.sha256)
        assert document is not None and document.status == "done" and document.path == str(files[0])
        stored = document_result(session=session, document_id=document.id)  # type: ignore[arg-type]
    assert stored.model_dump_json() == expected.model_dump_json()


def test_bad_files_fail_with_their_reason_and_good_ones_are_stored(tmp_path: Path) -> None:
    """SQLite only: the failure paths do not depend on the database."""
    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    upgrade(engine)
    good = copy_good_files(tmp_path / "in")
    expected_reasons = bad_files(tmp_path / "in" / "bad")
    (tmp_path / "in" / "readme.txt").write_text("not a document", encoding="utf-8")
    # The hanging PDF never finishes: it runs alone under a short limit (timing out early is its right answer),
    # while every other file gets a limit far above what it needs on a loaded machine, start-up included.
    hanging = (tmp_path / "in" / "bad" / "hanging.pdf").rename(tmp_path / "hanging.pdf")
    summary = ingest(
        engine=engine, paths=[tmp_path / "in"], options=IngestOptions(workers=2, timeout_s=600), show_progress=False
    )
    assert (summary.ok, summary.failed, summary.not_documents) == (len(good), len(expected_reasons) - 1, 1), (
        summary.failures
    )
    timed_out = ingest(
        engine=engine, paths=[hanging], options=IngestOptions(workers=1, timeout_s=5), show_progress=False
    )
    assert (timed_out.ok, timed_out.failed) == (0, 1), timed_out.failures
    with session_scope(engine) as session:
        documents = {doc.file: doc for doc in session.exec(select(Document)).all()}
    assert {name for name, doc in documents.items() if doc.status == "done"} == {path.name for path in good}
    for name, fragment in expected_reasons.items():
        assert documents[name].status == "failed"
        assert name in documents[name].error and fragment in documents[name].error  # type: ignore[operator]
        assert "\n" not in documents[name].error  # type: ignore[operator]
    engine.dispose()


def test_a_document_over_the_memory_limit_fails_and_the_next_one_gets_a_fresh_worker(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    upgrade(engine)
    (tmp_path / "in").mkdir()
    memory_hungry_pdf(tmp_path / "in" / "a-lines.pdf")
    copy_good_files(tmp_path / "in", ("dept_budget.xlsx",))
    (tmp_path / "in" / "dept_budget.xlsx").rename(tmp_path / "in" / "z-after.xlsx")
    # The memory limit must end the hungry file, not the clock: on a loaded machine reading it up to the limit
    # took over 120 s, so the time limit here is only a distant backstop.
    summary = ingest(
        engine=engine,
        paths=[tmp_path / "in"],
        show_progress=False,
        options=IngestOptions(workers=1, memory_mb=1024, timeout_s=1800),
    )
    with session_scope(engine) as session:
        documents = {doc.file: doc for doc in session.exec(select(Document)).all()}
    assert (summary.ok, summary.failed) == (1, 1), {name: (doc.status, doc.error) for name, doc in documents.items()}
    assert documents["z-after.xlsx"].status == "done"
    reason = documents["a-lines.pdf"].error or ""
    assert documents["a-lines.pdf"].status == "failed" and reason.startswith("a-lines.pdf: ")
    # Python code gets a MemoryError ("内存超限"); C code that ignores a failed malloc crashes the worker.
    assert "内存超限" in reason or ("处理进程异常退出" in reason and "1024 MB memory limit" in reason), reason
    engine.dispose()


def test_force_replaces_records_and_keeps_corrections(engine: Engine, tmp_path: Path) -> None:
    (path,) = copy_good_files(tmp_path / "in", ("dept_budget.xlsx",))
    ingest(engine=engine, paths=[path], options=QUICK, show_progress=False)
    counts = _table_counts(engine)
    with session_scope(engine) as session:
        document = session.exec(select(Document)).one()
        add_correction(
            session=session,
            document_id=document.id,
            who="reviewer",
            ref="t1.cells",  # type: ignore[arg-type]
            before=None,
            after="fixed",
            reason="test",
        )
    forced = ingest(engine=engine, paths=[path], options=QUICK.model_copy(update={"force": True}), show_progress=False)
    assert (forced.ok, forced.skipped) == (1, 0)
    assert _table_counts(engine) == counts
    with session_scope(engine) as session:
        assert session.exec(select(func.count()).select_from(Correction)).one() == 1
        assert session.exec(select(Document)).one().attempts == 2


def test_a_document_left_running_by_a_dead_run_is_queued_again(engine: Engine) -> None:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    dead_pid = int(finished.stdout)
    with session_scope(engine) as session:
        job = start_job(session=session, mode="local", workers=1, options={})
        job.pid = dead_pid
        session.add(Document(sha256="d" * 64, file="x.pdf", status="running", job_id=job.id))
        alive = start_job(session=session, mode="local", workers=1, options={})
        session.add(Document(sha256="e" * 64, file="y.pdf", status="running", job_id=alive.id))
    with session_scope(engine) as session:
        assert recover_dead_jobs(session=session) == 1
    with session_scope(engine) as session:
        statuses = {doc.file: doc.status for doc in session.exec(select(Document)).all()}
        jobs = {job.pid: job.status for job in session.exec(select(Job)).all()}
    assert statuses == {"x.pdf": "queued", "y.pdf": "running"}  # this process's own job is alive
    assert jobs == {dead_pid: "interrupted", os.getpid(): "running"}


def test_discovery_goes_by_content_and_counts_what_it_skips(tmp_path: Path) -> None:
    copy_good_files(tmp_path / "a" / "b", ("dept_budget.pdf",))
    (tmp_path / "a" / "scan-without-suffix").write_bytes((REAL / "dept_budget.pdf").read_bytes()[:4000])
    (tmp_path / "a" / "notes.txt").write_text("x", encoding="utf-8")
    (tmp_path / "a" / "empty.pdf").write_bytes(b"")
    found = discover([tmp_path / "a"])
    assert sorted(path.name for path in found.documents) == ["dept_budget.pdf", "empty.pdf", "scan-without-suffix"]
    assert found.not_documents == 1
    assert discover([tmp_path / "a" / "notes.txt"]).documents == [(tmp_path / "a" / "notes.txt").resolve()]


def test_ingest_with_a_score_profile_stores_what_score_save_would(store_url: str, tmp_path: Path) -> None:
    """`ingest --score-profile auto` stores the proposals in the same run; the stored result is the one
    `ingest` followed by `score --all-stored --save` leaves (the review page cannot tell them apart)."""
    from typer.testing import CliRunner

    from extractor.cli import app

    source = SEEDS / "001" / "001.pdf"
    runner = CliRunner()
    scored_at_ingest = runner.invoke(
        app, ["ingest", str(source), "-j", "1", "--no-progress", "--score-profile", "auto", "--database-url", store_url]
    )
    assert scored_at_ingest.exit_code == 0, scored_at_ingest.output
    later = f"sqlite:///{tmp_path / 'later.sqlite'}"
    assert (
        runner.invoke(app, ["ingest", str(source), "-j", "1", "--no-progress", "--database-url", later]).exit_code == 0
    )
    saved = runner.invoke(app, ["score", "--all-stored", "--save", "--database-url", later])
    assert saved.exit_code == 0, saved.output

    def stored(url: str) -> dict[str, object]:
        engine = make_engine(url)
        try:
            with session_scope(engine) as session:
                document = session.exec(select(Document)).one()
                assert document.id is not None
                return document_result(session=session, document_id=document.id).model_dump(mode="json")
        finally:
            engine.dispose()

    at_ingest = stored(store_url)
    assert any(section["proposed_review_score"] is not None for section in at_ingest["sections"])  # type: ignore[attr-defined]
    assert at_ingest == stored(later)


def test_an_unknown_score_profile_is_one_error_line_before_anything_runs(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from extractor.cli import app

    data = tmp_path / "data"
    arguments = ["ingest", str(SEEDS / "001" / "001.pdf"), "--score-profile", "nope", "--data-dir", str(data)]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: --score-profile: "), result.stderr
    assert not data.exists()
