"""`ingest --ray` on a local Ray instance against the shared PostgreSQL store (and SQLite)."""

from __future__ import annotations

import os
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
    pytest.mark.skipif(not REAL.is_dir(), reason=MISSING_REAL),
]


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    """One local instance for the module: ray.init(num_cpus=2, include_dashboard=False)."""
    import ray

    from extractor.ingest.ray_run import start_local_ray

    start_local_ray(num_cpus=2)
    yield
    ray.shutdown()


def test_ray_ingest_stores_good_files_fails_bad_ones_and_loads_once_per_worker(
    postgres_engine: Engine, tmp_path: Path, local_ray: None
) -> None:
    engine = postgres_engine
    from extractor.ingest.ray_run import ingest_on_ray

    good = copy_good_files(tmp_path / "in")
    (tmp_path / "in" / "empty.pdf").write_bytes(b"")
    hanging_pdf(tmp_path / "in" / "hanging.pdf")
    options = IngestOptions(workers=2, timeout_s=10)  # ray.init(num_cpus=2, include_dashboard=False)
    summary = ingest_on_ray(engine=engine, paths=[tmp_path / "in"], options=options, show_progress=False)
    assert (summary.ok, summary.failed) == (len(good), 2)
    with session_scope(engine) as session:
        documents = {doc.file: doc for doc in session.exec(select(Document)).all()}
    assert {name for name, doc in documents.items() if doc.status == "done"} == {path.name for path in good}
    assert "空文件" in (documents["empty.pdf"].error or "")
    assert "超时" in (documents["hanging.pdf"].error or "")
    assert all(doc.path and Path(doc.path).parent == (tmp_path / "in").resolve() for doc in documents.values())
    # Four documents reached a worker that answered; two actors, each with one long-lived worker process
    # (the hanging file's worker was killed and its answer came from the parent, so it has no pid).
    assert 1 <= len(summary.worker_pids) <= 2

    again = ingest_on_ray(engine=engine, paths=good, options=options, show_progress=False)
    assert (again.ok, again.skipped) == (0, len(good))
