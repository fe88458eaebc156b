"""Review API latency with many stored documents: `GET /api/documents` and `PATCH …/fields`, p50/p95.

    python benchmarks/bench_api.py [--documents 10000] [--requests 200]
    python benchmarks/bench_api.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test

The store is filled quickly through the store's own row conversion (models.result_to_rows) with
copies of one real result (seed 001, extracted once), each posing as its own file (own sha256,
department, year, findings). Requests go through the whole ASGI app (FastAPI TestClient: routing,
token check, database, JSON), without a network. Figures are printed for a small store (100
documents) and the big one, measured in the same run, with the ratio big/small, and against
`GET /health` (no token, no query) as the baseline of the framework itself.

SQLite by default (a temporary data dir). With --postgres, a throwaway database is created on that
server for the run and dropped afterwards; the database named in the URL is not touched.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine, insert, select, text  # noqa: E402
from sqlmodel import col  # noqa: E402

from extractor.review.app import create_app  # noqa: E402
from extractor.review.settings import ServiceSettings  # noqa: E402
from extractor.review.summary import counts  # noqa: E402
from extractor.review.tokens import Role, create_token  # noqa: E402
from extractor.store import session_scope  # noqa: E402
from models import (  # noqa: E402
    Document,
    DocumentReview,
    DocumentStatus,
    FindingRow,
    document_values,
    result_to_rows,
    utc_now,
)
from schemas import ExtractionResult  # noqa: E402

SEED = Path(__file__).resolve().parent.parent / "fixtures" / "seeds" / "001" / "001.pdf"
DEPARTMENTS = ("工业和信息化局", "财政局", "教育局", "卫生健康委员会", "交通运输局")
RULES = ("sum_mismatch", "rate_mismatch", "deviation_over_30", "missing_value")


def copy_of(result: ExtractionResult, number: int) -> ExtractionResult:
    """`result` posing as another file (shallow: records are shared, only what differs is new)."""
    document = result.document.model_copy(
        update={
            "sha256": f"{number:064x}",
            "file": f"自评-{number:05d}.pdf",
            "department": DEPARTMENTS[number % len(DEPARTMENTS)],
            "year": 2020 + number % 5,
        }
    )
    kept = result.findings[: number % (len(result.findings) + 1)]
    findings = [finding.model_copy(update={"rule": RULES[number % len(RULES)]}) for finding in kept]
    return result.model_copy(update={"document": document, "findings": findings})


def _plain_rows(rows: list[Any]) -> dict[type, list[dict[str, Any]]]:
    """Rows of the base result as column dicts per table class (converted once, copied per document)."""
    by_table: dict[type, list[dict[str, Any]]] = {}
    for row in rows:
        values = {name: getattr(row, name) for name in type(row).model_fields if name != "id"}
        by_table.setdefault(type(row), []).append(values)
    return by_table


def fill(engine: Engine, result: ExtractionResult, start: int, count: int, batch: int = 500) -> None:
    """Insert `count` done documents numbered from `start`, with all their records and review counts.

    The store's own conversion (models.result_to_rows, document_values) makes the rows of the base
    result once; each copy gets those rows with its document id (and its own findings), written with
    bulk INSERTs instead of one ORM object per row.
    """
    base = _plain_rows(result_to_rows(result=result, document_id=0))
    finding_rows = base.pop(FindingRow, [])
    for first in range(start, start + count, batch):
        copies = [copy_of(result, number) for number in range(first, min(first + batch, start + count))]
        now = utc_now()
        with engine.begin() as connection:
            connection.execute(
                insert(Document),
                [
                    {
                        **document_values(copy),
                        "sha256": copy.document.sha256,
                        "file": copy.document.file,
                        "path": str(SEED),
                        "status": DocumentStatus.done.value,
                        "attempts": 1,
                        "created_at": now,
                        "updated_at": now,
                        "finished_at": now,
                    }
                    for copy in copies
                ],
            )
            ids = dict(
                connection.execute(
                    select(Document.sha256, Document.id).where(
                        col(Document.sha256).in_([copy.document.sha256 for copy in copies])
                    )
                ).all()
            )
            for row_class, rows in base.items():
                connection.execute(
                    insert(row_class),
                    [{**row, "document_id": ids[copy.document.sha256]} for copy in copies for row in rows],
                )
            findings = [
                {**finding_rows[ordinal], "rule": finding.rule, "document_id": ids[copy.document.sha256]}
                for copy in copies
                for ordinal, finding in enumerate(copy.findings)
            ]
            if findings:
                connection.execute(insert(FindingRow), findings)
            connection.execute(
                insert(DocumentReview),
                [
                    {"document_id": ids[copy.document.sha256], "computed_at": utc_now(), **counts(copy)}
                    for copy in copies
                ],
            )


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(call: Callable[[int], object], repeat: int) -> tuple[float, float]:
    samples = []
    for index in range(repeat):
        started = time.perf_counter()
        call(index)
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def measure(client: TestClient, headers: dict[str, str], ids: list[int], repeat: int) -> dict[str, tuple[float, float]]:
    rng = random.Random(7)

    def get(path: str) -> Callable[[int], object]:
        def call(_: int) -> object:
            response = client.get(path, headers=headers)
            assert response.status_code == 200, response.text
            return response

        return call

    def patch(index: int) -> object:
        response = client.patch(
            f"/api/documents/{rng.choice(ids)}/fields",
            headers=headers,
            json={"ref": "c1.score", "value": str(80 + index % 20), "reason": "bench"},
        )
        assert response.status_code == 200, response.text
        return response

    figures = {
        "GET /health (baseline)": timed(lambda _: client.get("/health"), repeat),
        "GET /api/documents": timed(get("/api/documents"), repeat),
        "GET /api/documents?order=queue": timed(get("/api/documents?order=queue&reviewed=false"), repeat),
        "GET …?department=…&year=…&rule=…": timed(
            get("/api/documents?department=财政局&year=2021&rule=rate_mismatch"), repeat
        ),
        "GET /api/documents?offset=<last page>": timed(get(f"/api/documents?offset={max(0, len(ids) - 50)}"), repeat),
        "PATCH /api/documents/{id}/fields": timed(patch, max(20, repeat // 2)),
    }
    return figures


def run(database_url: str | None, documents: int, repeat: int) -> None:
    from extractor.pipeline import extract

    result = extract(SEED)
    with tempfile.TemporaryDirectory() as data_dir:
        settings = ServiceSettings(data_dir=Path(data_dir), database_url=database_url)
        app = create_app(settings, process_uploads=False)
        engine = app.state.engine
        with session_scope(engine) as session:
            _, token = create_token(session=session, role=Role.reviewer, name="bench")
        headers = {"Authorization": f"Bearer {token}"}
        print(
            f"store: {engine.dialect.name}; seed 001 copies ({len(result.indicators)} indicators, "
            f"{len(result.tables[0].cells) if result.tables else 0} cells, {len(result.findings)} findings each)"
        )
        small = 100
        started = time.perf_counter()
        fill(engine, result, 1, small)
        with TestClient(app) as client:
            ids = [item["id"] for item in client.get(f"/api/documents?limit={small}", headers=headers).json()["items"]]
            at_small = measure(client, headers, ids, repeat)
            fill(engine, result, small + 1, documents - small)
            # Planner statistics, as autovacuum (PostgreSQL) would gather them after a bulk load like
            # this one; without them PostgreSQL joined the rule filter badly (0.7 s instead of 20 ms).
            with engine.begin() as connection:
                connection.execute(text("ANALYZE"))
            print(f"inserted {documents} documents in {time.perf_counter() - started:.1f} s (then ANALYZE)")
            total = client.get("/api/documents?limit=1", headers=headers).json()["total"]
            assert total == documents, total
            ids = list(range(1, documents + 1))
            at_big = measure(client, headers, ids, repeat)
        print(f"\n{'request':36} {'p50 ms':>8} {'p95 ms':>8}   {'p50 ms':>8} {'p95 ms':>8}   p95 ratio")
        print(f"{'':36} {f'{small} documents':>17}   {f'{documents} documents':>17}   big/small")
        for name, (p50_small, p95_small) in at_small.items():
            p50_big, p95_big = at_big[name]
            print(
                f"{name:36} {p50_small:8.1f} {p95_small:8.1f}   {p50_big:8.1f} {p95_big:8.1f}   {p95_big / p95_small:8.2f}"
            )
        baseline = at_big["GET /health (baseline)"][1]
        print(
            f"\nwith {documents} documents: GET /api/documents p95 {at_big['GET /api/documents'][1]:.1f} ms "
            f"({at_big['GET /api/documents'][1] / baseline:.1f}× /health), PATCH …/fields p95 "
            f"{at_big['PATCH /api/documents/{id}/fields'][1]:.1f} ms "
            f"({at_big['PATCH /api/documents/{id}/fields'][1] / baseline:.1f}× /health)"
        )


@contextmanager
def throwaway_postgres(server_url: str) -> Iterator[str]:
    """A new database on the server of `server_url`, dropped afterwards."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = f"bench_api_{os.getpid()}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--postgres",
        metavar="SERVER_URL",
        default=None,
        help="run on a throwaway database of this PostgreSQL server (default: SQLite)",
    )
    arguments = parser.parse_args()
    if arguments.postgres:
        with throwaway_postgres(arguments.postgres) as url:
            run(url, arguments.documents, arguments.requests)
    else:
        run(None, arguments.documents, arguments.requests)


if __name__ == "__main__":
    main()
