"""Ingest writes answers in batches, one transaction per batch: all or nothing, resumable, order-free.

The writer is the real one (extractor.ingest.record.record_outcomes) unless a test wraps it to fail
or to kill the workers at a chosen batch — a chosen point in the run, not a guessed moment in time.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import select

import extractor.ingest.record as record_module
from extractor.ingest import IngestOptions
from extractor.ingest.record import Recorded, record_outcomes
from extractor.ingest.run import _supervise, ingest
from extractor.ingest.worker import Outcome
from extractor.pipeline import extract, file_sha256
from extractor.store import document_result, register_file, session_scope
from extractor.store.batch import prepare_result
from extractor.store.jobs import claim_document, start_job
from models import RECORD_TABLES, Document, DocumentReview
from tests.corpus import MISSING_SEEDS
from tests.store.files import SEEDS, pdf_variants

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason=MISSING_SEEDS)

SOURCE = SEEDS / "000" / "000.pdf"


@pytest.fixture(scope="module")
def clean_result() -> Any:
    """What extract() gives for the source file (its variants differ only in sha256 and name)."""
    return extract(SOURCE)


def _variants(directory: Path, count: int) -> list[Path]:
    return pdf_variants(SOURCE, directory, count)


def _rows(engine: Engine, document_id: int) -> int:
    with session_scope(engine) as session:
        return sum(
            session.exec(select(func.count()).select_from(row_class).where(row_class.document_id == document_id)).one()
            for _, row_class in RECORD_TABLES.values()
        )


def _claimed(engine: Engine, paths: list[Path]) -> tuple[int, list[int]]:
    with session_scope(engine) as session:
        job = start_job(session=session, mode="local", workers=1, options={})
        assert job.id is not None
        ids = []
        for path in paths:
            document = register_file(session=session, sha256=file_sha256(path), path=path)
            assert document.id is not None and claim_document(session=session, document_id=document.id, job_id=job.id)
            ids.append(document.id)
        return job.id, ids


def _answer(path: Path, document_id: int, clean: Any) -> Outcome:
    """The answer a worker gives for a variant of the source file (extract() once, not per variant)."""
    info = clean.document.model_copy(update={"sha256": file_sha256(path), "file": path.name})
    result = clean.model_copy(update={"document": info})
    return Outcome(document_id=document_id, ok=True, prepared=prepare_result(result, document_id=document_id))


def _statuses(engine: Engine) -> dict[str, str]:
    with session_scope(engine) as session:
        return {document.file: document.status for document in session.exec(select(Document)).all()}


def test_a_batch_stores_successes_and_failures_together(engine: Engine, tmp_path: Path, clean_result: Any) -> None:
    paths = _variants(tmp_path, 4)
    job_id, ids = _claimed(engine, paths)
    answers = [
        (_answer(paths[0], ids[0], clean_result), paths[0]),
        (Outcome(document_id=ids[1], ok=False, error=f"{paths[1].name}: 文件已损坏 (broken)"), paths[1]),
        # "ok" without a result is never stored as an empty success
        (Outcome(document_id=ids[2], ok=True), paths[2]),
        (_answer(paths[3], ids[3], clean_result), paths[3]),
    ]
    recorded = record_outcomes(engine=engine, answers=answers, job_id=job_id)
    assert [item.ok for item in recorded] == [True, False, False, True]
    assert recorded[0].pages == clean_result.document.pages
    assert sum(recorded[0].findings.values()) == len(clean_result.findings)
    statuses = _statuses(engine)
    assert [statuses[path.name] for path in paths] == ["done", "failed", "failed", "done"]
    with session_scope(engine) as session:
        failed = session.get(Document, ids[2])
        assert failed is not None and "sent no result" in (failed.error or "")
        stored = document_result(session=session, document_id=ids[3])
        review = session.get(DocumentReview, ids[3])
    assert stored.indicators == clean_result.indicators and stored.findings == clean_result.findings
    assert review is not None and review.findings == len(clean_result.findings)
    assert _rows(engine, ids[2]) == 0


def test_a_refused_batch_leaves_nothing_and_each_document_is_written_alone(
    engine: Engine, tmp_path: Path, clean_result: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch's rows are inserted, then the store refuses one document: the whole transaction rolls
    back (no rows twice afterwards) and the documents are written one by one, the refused one failing
    alone with a reason that a later run retries (transient)."""
    paths = _variants(tmp_path, 3)
    job_id, ids = _claimed(engine, paths)
    real = record_module.write_prepared

    def refuse_the_second(**kwargs: Any) -> list[int]:
        corrected = real(**kwargs)  # rows inserted in the open transaction
        if ids[1] in [item.document_id for item in kwargs["prepared"]]:
            raise ValueError("value out of range for the column")
        return corrected

    monkeypatch.setattr(record_module, "write_prepared", refuse_the_second)
    answers = [(_answer(path, document_id, clean_result), path) for path, document_id in zip(paths, ids)]
    recorded = record_outcomes(engine=engine, answers=answers, job_id=job_id)
    assert [item.ok for item in recorded] == [True, False, True]
    assert "无法写入存储" in (recorded[1].error or "") and "value out of range" in (recorded[1].error or "")
    expected = _rows(engine, ids[0])
    assert expected > 0 and _rows(engine, ids[2]) == expected and _rows(engine, ids[1]) == 0
    with session_scope(engine) as session:
        refused = session.get(Document, ids[1])
        assert refused is not None and refused.status == "failed" and refused.retry


def _failing_writer(engine: Engine, job: list[int], after: int, action: Callable[[], None]) -> Any:
    """The real writer, which runs `action` before the batch number `after` (0-based) is written."""
    calls = 0

    def writer(answers: list[tuple[Outcome, Path]]) -> list[Recorded]:
        nonlocal calls
        calls += 1
        if calls - 1 == after:
            action()
        return record_outcomes(engine=engine, answers=answers, job_id=job[0])

    return writer


def _ingest_with_writer(
    monkeypatch: pytest.MonkeyPatch,
    engine: Engine,
    paths: list[Path],
    options: IngestOptions,
    writer_factory: Callable[[list[int]], Any],
) -> Any:
    """ingest() with its writer replaced (the job id is known only once the run began)."""
    import extractor.ingest.run as run_module

    job: list[int] = []

    def supervise(**kwargs: Any) -> None:
        job.append(kwargs["summary"].job_id)
        _supervise(**kwargs, writer=writer_factory(job))

    monkeypatch.setattr(run_module, "_supervise", supervise)
    try:
        return ingest(engine=engine, paths=paths, options=options, show_progress=False)
    finally:
        monkeypatch.undo()


BATCHED = IngestOptions(workers=2, timeout_s=600, batch_size=2, batch_wait_s=3600)


@pytest.mark.slow
def test_a_run_whose_writer_fails_keeps_the_committed_batches_and_the_next_run_finishes(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _variants(tmp_path / "in", 8)

    def store_gone() -> None:
        raise ConnectionError("the store went away")

    with pytest.raises(ConnectionError):
        _ingest_with_writer(
            monkeypatch, engine, [tmp_path / "in"], BATCHED, lambda job: _failing_writer(engine, job, 1, store_gone)
        )
    statuses = _statuses(engine)
    done = [name for name, status in statuses.items() if status == "done"]
    # The first batch (2 documents) was committed; nothing else is done, failed or left running.
    assert len(done) == 2 and set(statuses.values()) <= {"done", "queued"}, statuses

    rerun = ingest(engine=engine, paths=[tmp_path / "in"], options=BATCHED, show_progress=False)
    assert (rerun.ok, rerun.skipped, rerun.failed) == (len(paths) - 2, 2, 0)
    assert set(_statuses(engine).values()) == {"done"}
    with session_scope(engine) as session:
        ids = [document.id for document in session.exec(select(Document)).all() if document.id is not None]
    expected = _rows(engine, ids[0])
    assert expected > 0 and all(_rows(engine, document_id) == expected for document_id in ids)


def _worker_pids() -> list[int]:
    pids = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            if b"extractor.ingest.worker_process" in command:
                pids.append(int(child))
    return pids


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_workers_killed_while_a_batch_is_written_lose_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGKILL every worker just before the first batch is written: that batch is stored, the documents
    the workers had in hand fail as transient (worker died), the ones waiting behind them go to the fresh
    workers, and the next run finishes the failed ones — each document stored once, complete."""
    from extractor.store import make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    upgrade(engine)
    paths = _variants(tmp_path / "in", 10)

    def kill_workers() -> None:
        for pid in _worker_pids():
            os.kill(pid, signal.SIGKILL)

    first = _ingest_with_writer(
        monkeypatch, engine, [tmp_path / "in"], BATCHED, lambda job: _failing_writer(engine, job, 0, kill_workers)
    )
    assert first.ok + first.failed == len(paths) and first.failed <= BATCHED.workers
    statuses = _statuses(engine)
    with session_scope(engine) as session:
        failures = [doc.error or "" for doc in session.exec(select(Document)).all() if doc.status == "failed"]
    assert all("处理进程异常退出" in reason for reason in failures), failures
    assert list(statuses.values()).count("done") == first.ok

    rerun = ingest(engine=engine, paths=[tmp_path / "in"], options=BATCHED, show_progress=False)
    assert (rerun.ok, rerun.skipped) == (first.failed, first.ok)
    assert set(_statuses(engine).values()) == {"done"}
    with session_scope(engine) as session:
        ids = [document.id for document in session.exec(select(Document)).all()]
    counts = {_rows(engine, document_id) for document_id in ids if document_id is not None}
    assert len(counts) == 1 and counts.pop() > 0
    engine.dispose()


def _stored(engine: Engine) -> dict[str, str]:
    """sha256 → the stored result as JSON, for every done document."""
    with session_scope(engine) as session:
        documents = session.exec(select(Document).where(Document.status == "done")).all()
        return {
            document.sha256: document_result(session=session, document_id=document.id).model_dump_json()
            for document in documents
        }


@pytest.mark.slow
def test_what_is_stored_does_not_depend_on_order_or_batching(engine: Engine, tmp_path: Path) -> None:
    """All files at once in batches of 3, versus in reverse order in two runs with batches of 1 and an
    overlap between the runs: the same results, each document once."""
    paths = _variants(tmp_path / "in", 5) + [SEEDS / "001" / "001.docx", SEEDS / "002" / "002.xlsx"]
    at_once = ingest(
        engine=engine, paths=paths, options=BATCHED.model_copy(update={"batch_size": 3}), show_progress=False
    )
    assert (at_once.ok, at_once.failed) == (len(paths), 0)
    reference = _stored(engine)
    with session_scope(engine) as session:
        for document in session.exec(select(Document)).all():
            session.delete(document)  # records go with it (ON DELETE CASCADE)
    single = BATCHED.model_copy(update={"batch_size": 1, "workers": 1})
    reverse = list(reversed(paths))
    first = ingest(engine=engine, paths=reverse[:4], options=single, show_progress=False)
    second = ingest(engine=engine, paths=reverse[2:], options=single, show_progress=False)
    assert (first.ok, second.ok, second.skipped) == (4, len(paths) - 4, 2)
    assert _stored(engine) == reference


def test_claiming_many_files_at_once_takes_each_document_once(engine: Engine) -> None:
    """claim_files: a file met twice in one chunk is claimed once; a second run gets none of what the
    first holds; a done document is claimed again only when forced; a failed one only if retried."""
    from extractor.store.jobs import claim_files

    files = [("a" * 64, "/in/a.pdf"), ("b" * 64, "/in/b.pdf"), ("a" * 64, "/in/copy-of-a.pdf")]
    with session_scope(engine) as session:
        first, second = (start_job(session=session, mode="local", workers=1, options={}).id for _ in range(2))
        assert first is not None and second is not None
        claimed = claim_files(session=session, files=files, job_id=first)
        assert sorted(claimed) == ["a" * 64, "b" * 64]
        assert claim_files(session=session, files=files, job_id=second) == {}
        done = session.get(Document, claimed["a" * 64])
        failed = session.get(Document, claimed["b" * 64])
        assert done is not None and failed is not None
        done.status, failed.status, failed.retry = "done", "failed", False
        session.add_all([done, failed])
        session.flush()
        assert claim_files(session=session, files=files, job_id=second) == {}
        assert claim_files(session=session, files=files, job_id=second, force=True) == {"a" * 64: done.id}
        assert claim_files(session=session, files=files, job_id=second, retry_failed=True) == {"b" * 64: failed.id}
        assert session.exec(select(func.count()).select_from(Document)).one() == 2


def test_batch_flags_of_the_cli_decide_the_transactions(
    store_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--batch-size 2` with a long `--batch-wait`: a batch is written when it is full or the run ends, never
    earlier — three documents are two transactions of 2 and 1; the job row keeps the options it ran with."""
    from typer.testing import CliRunner

    import extractor.ingest.run as run_module
    from extractor.cli import app
    from models import Job

    _variants(tmp_path / "in", 3)
    sizes: list[int] = []

    def counting(*, engine: Engine, answers: list[tuple[Outcome, Path]], job_id: int) -> list[Recorded]:
        sizes.append(len(answers))
        return record_outcomes(engine=engine, answers=answers, job_id=job_id)

    monkeypatch.setattr(run_module, "record_outcomes", counting)
    arguments = ["ingest", str(tmp_path / "in"), "-j", "1", "--no-progress", "--database-url", store_url]
    result = CliRunner().invoke(app, [*arguments, "--batch-size", "2", "--batch-wait", "600"])
    assert result.exit_code == 0, result.output
    assert sizes == [2, 1]
    assert set(_statuses(engine).values()) == {"done"}
    with session_scope(engine) as session:
        job = session.exec(select(Job)).one()
        assert (job.options["batch_size"], job.options["batch_wait_s"]) == (2, 600.0)


@pytest.mark.parametrize(
    ("flag", "value"), [("--batch-size", "0"), ("--batch-size", "two"), ("--batch-wait", "-1"), ("--batch-wait", "x")]
)
def test_a_bad_batch_flag_is_one_error_line_and_exit_1(flag: str, value: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from extractor.cli import app

    data = tmp_path / "data"
    result = CliRunner().invoke(app, ["ingest", str(SOURCE), "--no-progress", "--data-dir", str(data), flag, value])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: {flag}: "), result.stderr
    assert not data.exists()  # refused before any store is opened


def test_rows_sent_to_the_driver_need_no_conversion_by_sqlalchemy() -> None:
    """The writer hands record rows to the driver's executemany as they are (extractor.store.batch): that
    is right only while no record column's type converts values on the way in beyond what the driver does
    alike — the JSON columns' text the worker encodes; Float (to_float of what pydantic already made a
    float) and Boolean (a check that the value is a bool, which pydantic guarantees; sqlite3 stores True as
    1 as SQLAlchemy does). A new column type that converts (a DateTime on SQLite) must fail here."""
    from sqlalchemy import Boolean, Float
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.dialects.postgresql import psycopg

    from extractor.store.batch import _json_columns, insert_columns
    from models.types import JSONValue

    for dialect in (sqlite.dialect(), psycopg.dialect()):
        for _, row_class in RECORD_TABLES.values():
            table = row_class.__table__  # type: ignore[attr-defined]  # SQLModel table classes get it at run time
            converting = [
                name
                for name in insert_columns(row_class)
                if not isinstance(table.columns[name].type, (JSONValue, Float, Boolean))
                and table.columns[name].type.dialect_impl(dialect).bind_processor(dialect) is not None
            ]
            assert converting == [], (dialect.name, table.name)
            assert _json_columns(row_class) <= set(insert_columns(row_class))
        for value in (0.1, -0.0, 1e300, 5e-324):
            processed = Float().dialect_impl(dialect).bind_processor(dialect)
            assert processed is None or repr(processed(value)) == repr(value)
