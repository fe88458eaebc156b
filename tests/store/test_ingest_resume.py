"""SIGKILL the ingest parent midway, run again: every document present exactly once, none lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from extractor.pipeline import extract, file_sha256
from extractor.store import make_engine, session_scope
from models import Document, IndicatorRow
from tests.corpus import MISSING_SEEDS
from tests.store.files import SEEDS, copy_fixtures, hanging_pdf, pdf_variants

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason=MISSING_SEEDS)

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, database_url: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "extractor.cli_store",
        "ingest",
        *args,
        "--no-progress",
        "--database-url",
        database_url,
    ]


def _statuses(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return list(session.exec(select(Document.status)).all())


def test_killed_run_resumes_without_duplicates_or_losses(engine: Engine, store_url: str, tmp_path: Path) -> None:
    # The 12 fixture files and 12 more copies of the seed PDFs (a trailing byte differs, so does the sha256).
    files = copy_fixtures(tmp_path / "in" / "seeds")
    original: dict[Path, Path] = {path: path for path in files}
    for pdf in sorted(SEEDS.glob("*/*.pdf")):
        for copy in pdf_variants(pdf, tmp_path / "in" / "copies", 3):
            original[copy] = pdf
    files = list(original)
    count = len(files)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen(
        _cli(str(tmp_path / "in"), "-j", "1", database_url=store_url),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while _statuses(engine).count("done") < 2:
        assert parent.poll() is None, parent.communicate()
        assert time.monotonic() < deadline, "ingest made no progress"
        time.sleep(0.05)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    before = _statuses(engine)
    assert 2 <= before.count("done") < count
    assert "running" in before  # the document in the worker when the parent died

    rerun = subprocess.run(
        _cli(str(tmp_path / "in"), "-j", "2", database_url=store_url),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert f"skipped {before.count('done')}" in rerun.stdout
    assert _statuses(engine) == ["done"] * count
    # No half-stored or doubled document: each holds exactly the records a clean ingest of it gives.
    with session_scope(engine) as session:
        stored = dict(session.exec(select(Document.sha256, Document.id)).all())
        per_document = dict(
            session.exec(select(IndicatorRow.document_id, func.count()).group_by(IndicatorRow.document_id)).all()
        )
    assert sorted(stored) == sorted(file_sha256(path) for path in files)
    expected = {source: len(extract(source).indicators) for source in set(original.values())}
    for path in files:
        assert per_document.get(stored[file_sha256(path)], 0) == expected[original[path]], path.name


def _children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(child) for child in (task / "children").read_text().split()]
    return children


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_a_worker_does_not_outlive_its_killed_parent(tmp_path: Path) -> None:
    """The parent dies while its worker is stuck in a hanging PDF: the worker must go too (PDEATHSIG)."""
    hanging_pdf(tmp_path / "hanging.pdf")
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen(
        _cli(str(tmp_path / "hanging.pdf"), "-j", "1", "--timeout", "600", database_url=url),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while not workers:
        assert parent.poll() is None and time.monotonic() < deadline
        workers = _children(parent.pid)
        time.sleep(0.1)
    _wait_for_status(url, "running", deadline=time.monotonic() + 60)  # the worker holds the hanging document
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    # Generous: on a loaded machine the worker may still be importing when the parent has already marked its
    # document running; it asks for PDEATHSIG only after its imports (then sees its parent gone and exits).
    # Without the death signal it would sit in the hanging PDF for the whole 600 s timeout, so this still fails.
    deadline = time.monotonic() + 120
    while any(Path(f"/proc/{pid}").exists() and "Z" not in _state(pid) for pid in workers):
        if time.monotonic() > deadline:
            for pid in workers:  # clean up what this test started before failing
                os.kill(pid, signal.SIGKILL)
            pytest.fail("the worker survived its parent")
        time.sleep(0.1)


def _wait_for_status(url: str, status: str, deadline: float) -> None:
    """Poll the store (bounded) until every document has `status`: a state to wait for, not a guessed delay."""
    engine = make_engine(url)
    seen: list[str] = []
    try:
        while seen != [status]:
            assert time.monotonic() < deadline, f"no document became {status}: {seen}"
            time.sleep(0.1)
            try:
                seen = _statuses(engine)
            except OperationalError:  # the ingest has not created its tables yet
                seen = []
    finally:
        engine.dispose()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"
