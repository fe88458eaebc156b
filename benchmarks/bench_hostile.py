"""The service under hostile load: /health latency (p50/p95/max) while absurd pages are rendered,
hostile files uploaded and uploads left stalled; how many answers were 5xx (must be 0).

    python benchmarks/bench_hostile.py [--renders 12] [--stalled 50] [--health 200]

A real server (uvicorn on 127.0.0.1, a free port) over a SQLite store in a temporary data dir, one
upload worker. Load, all at once: `--renders` page images of a 12-page PDF of 3,000 pt pages (each
within the pixel budget, so each is rendered in a child), the same number of requests for a
14,000 pt page (refused by the pixel budget: 422), uploads of a Form XObject fan-out PDF and a PNG
bomb, and `--stalled` uploads that send their headers and a little of the body, then nothing.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402
import uvicorn  # noqa: E402

from extractor.review.app import create_app  # noqa: E402
from extractor.review.settings import ServiceSettings  # noqa: E402
from extractor.review.tokens import Role, create_token  # noqa: E402
from extractor.store import register_file, session_scope  # noqa: E402
from models import Document  # noqa: E402
from tests.hostile import files  # noqa: E402


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _stall(port: int, hold_s: float) -> None:
    """An upload that announces 50 MB, sends 1 KB and then nothing."""
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(
            b"POST /api/documents HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
            b"Content-Length: 50000000\r\n\r\n--b\r\n" + b"x" * 1024
        )
        connection.settimeout(hold_s)
        try:
            connection.recv(1024)
        except OSError:
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--renders", type=int, default=12)
    parser.add_argument("--stalled", type=int, default=50)
    parser.add_argument("--health", type=int, default=200)
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="bench-hostile-"))
    settings = ServiceSettings(data_dir=data, workers=1, timeout_s=60, memory_mb=2048, upload_idle_s=5)
    app = create_app(settings)
    with session_scope(app.state.engine) as session:
        _, token = create_token(session=session, role=Role.admin, name="bench")
        big = files.text_pdf(data / "big.pdf", "Big", media_box=(3000, 3000), pages=max(1, args.renders))
        huge = files.text_pdf(data / "huge.pdf", "Huge", media_box=(14000, 14000))
        ids = []
        for path in (big, huge):
            document: Document = register_file(session=session, sha256=path.name.ljust(64, "0"), path=path)
            document.kind, document.status = "pdf_digital", "failed"  # no records: only its pages are served
            session.add(document)
            session.flush()
            ids.append(document.id)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    auth = {"Authorization": f"Bearer {token}"}
    statuses: Counter[int] = Counter()
    hostile = [files.fanout_pdf(data / "fanout.pdf"), files.png_bomb(data / "bomb.png")]

    def render(url: str) -> None:
        statuses[httpx.get(base + url, headers=auth, timeout=120).status_code] += 1

    def upload(path: Path) -> None:
        with path.open("rb") as handle:
            answer = httpx.post(base + "/api/documents", files={"file": (path.name, handle)}, headers=auth, timeout=120)
        statuses[answer.status_code] += 1

    latencies: list[float] = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.renders * 2 + args.stalled + 4) as pool:
        load = [pool.submit(_stall, port, 20.0) for _ in range(args.stalled)]
        load += [pool.submit(render, f"/api/documents/{ids[0]}/pages/{n + 1}.png") for n in range(args.renders)]
        load += [pool.submit(render, f"/api/documents/{ids[1]}/pages/1.png") for _ in range(args.renders)]
        load += [pool.submit(upload, path) for path in hostile]
        with httpx.Client(base_url=base, timeout=120) as client:
            for _ in range(args.health):
                started = time.perf_counter()
                answer = client.get("/health")
                latencies.append(time.perf_counter() - started)
                statuses[answer.status_code] += 1
                time.sleep(0.02)
        concurrent.futures.wait(load)
    server.should_exit = True
    quantiles = statistics.quantiles(latencies, n=100)
    print(
        f"/health under load: p50 {quantiles[49] * 1000:.0f} ms, p95 {quantiles[94] * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms ({len(latencies)} requests)"
    )
    print("answers by status:", dict(sorted(statuses.items())))
    print("5xx answers:", sum(count for code, count in statuses.items() if code >= 500))


if __name__ == "__main__":
    main()
