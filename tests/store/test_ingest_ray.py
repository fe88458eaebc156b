"""`ingest --ray` on a local Ray instance against the shared PostgreSQL store (and SQLite)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from extractor.ingest import IngestOptions
from extractor.store import session_scope
from models import Document
from tests.corpus import MISSING_REAL
from tests.store.files import REAL, copy_good_files, hanging_pdf

if os.environ.get("CI"):
    import ray  # noqa: F401  (CI installs the test extra, which has ray: a missing ray is a failure there)
else:
    pytest.importorskip("ray")

pytestmark = [
    pytest.mark.slow,
    # One xdist group for the tests that start services (a server and Chromium, a Ray cluster): they run one
    # after another on one worker, never two at once beside the rest of the suite (tests/conftest.py).
    pytest.mark.xdist_group("services"),
    pytest.mark.skipif(not REAL.is_dir(), reason=MISSING_REAL),
]


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    """One local instance for the module, its session files in the test's temp dir (not /tmp/ray or ~/.ray)."""
    import ray

    from extractor.ingest.ray_run import start_local_ray

    # A short path: Ray's unix sockets live under the temp dir and must stay under 108 characters, which
    # pytest's own temp dir does not leave room for under xdist (…/pytest-N/popen-gw0/…); removed at the end.
    temp_dir = Path(tempfile.mkdtemp(prefix="jx-ray-"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAY_USAGE_STATS_ENABLED", "0")  # no usage report over the network, no ~/.ray/config.json
        patch.setenv("RAY_USAGE_STATS_CONFIG_PATH", str(temp_dir / "config.json"))
        # A new local cluster keeps its authentication token in ~/.ray/auth_token: a home of its own here.
        patch.setenv("HOME", str(temp_dir))
        try:
            start_local_ray(num_cpus=2, temp_dir=temp_dir)
            yield
        finally:
            ray.shutdown()
            shutil.rmtree(temp_dir, ignore_errors=True)


def test_ray_ingest_stores_good_files_fails_bad_ones_and_loads_once_per_worker(
    postgres_engine: Engine, tmp_path: Path, local_ray: None
) -> None:
    engine = postgres_engine
    from extractor.ingest.ray_run import ingest_on_ray

    good = copy_good_files(tmp_path / "in")
    (tmp_path / "in" / "empty.pdf").write_bytes(b"")
    (tmp_path / "alone").mkdir()
    hanging = hanging_pdf(tmp_path / "alone" / "hanging.pdf")
    # The limit counts from handing a document to an actor, Ray worker start-up included: the good files get
    # a limit far above their need on a loaded machine; the hanging one runs alone under a short one (timing
    # out is its right answer, however early).
    options = IngestOptions(workers=2, timeout_s=600)
    summary = ingest_on_ray(engine=engine, paths=[tmp_path / "in"], options=options, show_progress=False)
    assert (summary.ok, summary.failed) == (len(good), 1), summary.failures
    stuck = ingest_on_ray(
        engine=engine, paths=[hanging], options=IngestOptions(workers=1, timeout_s=5), show_progress=False
    )
    assert (stuck.ok, stuck.failed) == (0, 1), stuck.failures
    with session_scope(engine) as session:
        documents = {doc.file: doc for doc in session.exec(select(Document)).all()}
    assert {name for name, doc in documents.items() if doc.status == "done"} == {path.name for path in good}
    assert "空文件" in (documents["empty.pdf"].error or "")
    assert "超时" in (documents["hanging.pdf"].error or "")
    assert all(doc.path and Path(doc.path).parent.parent == tmp_path.resolve() for doc in documents.values())
    # Four documents reached a worker that answered; two actors, each with one long-lived worker process
    # (the hanging file's worker was killed and its answer came from the parent, so it has no pid).
    assert 1 <= len(summary.worker_pids) <= 2

    again = ingest_on_ray(engine=engine, paths=good, options=options, show_progress=False)
    assert (again.ok, again.skipped) == (0, len(good))
