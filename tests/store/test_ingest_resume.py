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
from sqlmodel import select

from models import Document, TableRow
from extractor.store import session_scope

from tests.store.files import REAL, pdf_variants

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="the real corpus (../shared/real) is not here")

ROOT = Path(__file__).resolve().parents[2]
COPIES = 8


def _cli(*args: str, database_url: str) -> list[str]:
    return [sys.executable, "-m", "extractor.cli_store", "ingest", *args, "--no-progress",
            "--database-url", database_url]


def _statuses(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return list(session.exec(select(Document.status)).all())


def test_killed_run_resumes_without_duplicates_or_losses(engine: Engine, store_url: str, tmp_path: Path) -> None:
    pdf_variants(REAL / "dept_budget.pdf", tmp_path / "in", COPIES)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen(_cli(str(tmp_path / "in"), "-j", "1", database_url=store_url), cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while _statuses(engine).count("done") < 2:
        assert parent.poll() is None, parent.communicate()
        assert time.monotonic() < deadline, "ingest made no progress"
        time.sleep(0.05)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    before = _statuses(engine)
    assert 2 <= before.count("done") < COPIES
    assert "running" in before  # the document in the worker when the parent died

    rerun = subprocess.run(_cli(str(tmp_path / "in"), "-j", "2", database_url=store_url), cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"skipped {before.count('done')}" in rerun.stdout
    after = _statuses(engine)
    assert after == ["done"] * COPIES
    with session_scope(engine) as session:
        per_document = session.exec(
            select(TableRow.document_id, func.count()).group_by(TableRow.document_id)
        ).all()
        files = sorted(session.exec(select(Document.file)).all())
    # The copies have the same content, so each must hold the same number of tables: no half-stored or
    # doubled document.
    assert len(per_document) == COPIES and len({count for _, count in per_document}) == 1
    assert files == sorted(path.name for path in (tmp_path / "in").iterdir())
