"""Bulk ingest throughput and the parent's memory, on 200 born-digital documents.

The documents are copies of the born-digital fixture PDFs (fixtures/seeds/*/*.pdf; the real corpus
if the fixtures are absent) that differ in one trailing comment line, so each has its own sha256.
For 1 and 2 workers it runs `extractor ingest` into a fresh SQLite store as a separate process and,
while it runs, samples that parent process's resident memory (VmRSS) against the number of documents
stored so far. It prints:
- documents/s and pages/s for each worker count, and beside them the baseline measured in the same
  run: plain `extract()` of the same files in one process, no store, no worker processes;
- CPU ms per document of the ingest parent (claims, reading answers, the writer thread) and of its
  workers (extract + turning the result into rows; their start-up, measured apart, taken off), beside
  the baseline's CPU ms per document: these
  do not depend on how loaded the machine is, the throughput ratios do (the load average is printed
  with each run; the 2-worker target is for an idle machine);
- the parent's RSS after 25/50/75/100 % of the documents and its peak (VmHWM): flat means the parent
  keeps nothing per document.
The baseline is measured before and after the ingest runs; ratios use their mean.

    python benchmarks/bench_ingest.py [--documents 200] [--workers 1 2] [--source DIR]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _corpus import real_pdfs  # noqa: E402  (benchmarks/ is not a package)


def source_files(source: Path | None) -> list[Path]:
    if source is not None:
        return sorted(source.glob("**/*.pdf"))
    fixtures = sorted((ROOT / "fixtures" / "seeds").glob("*/*.pdf"))
    return fixtures or real_pdfs()[:3]


def make_copies(sources: list[Path], directory: Path, count: int) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        source = sources[number % len(sources)]
        path = directory / f"{source.stem}-{number:04d}.pdf"
        path.write_bytes(source.read_bytes() + b"\n%variant " + str(number).encode() + b"\n")
        paths.append(path)
    return paths


def baseline(paths: list[Path]) -> tuple[float, float]:
    """Documents/s and pages/s of plain extract() in this process (models and imports warmed first)."""
    from extractor.pipeline import extract

    extract(paths[0])
    started = time.perf_counter()
    pages = sum(extract(path).document.pages for path in paths)
    seconds = time.perf_counter() - started
    return len(paths) / seconds, pages / seconds


def _proc_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_seconds(pid: int) -> float:
    """utime + stime of one process so far (the ingest parent alone, not its workers)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _done(database: Path) -> tuple[int, int]:
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as connection:
            row = connection.execute(
                "SELECT count(*), coalesce(sum(pages), 0) FROM documents WHERE status = 'done'"
            ).fetchone()
            return int(row[0]), int(row[1])
    except sqlite3.Error:
        return 0, 0


def worker_startup_cpu() -> float:
    """CPU seconds a worker spends starting (interpreter, imports, warm-up) before its first document,
    measured as a whole process: subtracted from the workers' CPU so per-document figures are per document."""
    code = "from extractor.ingest.worker import _warm_up; _warm_up()"
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    _, _, usage = os.wait4(process.pid, 0)
    return usage.ru_utime + usage.ru_stime


def run_ingest(directory: Path, workers: int, count: int, scratch: Path) -> dict[str, object]:
    database = scratch / f"store-{workers}.sqlite"
    command = [
        sys.executable,
        "-m",
        "extractor.cli_store",
        "ingest",
        str(directory),
        "-j",
        str(workers),
        "--no-progress",
        "--database-url",
        f"sqlite:///{database}",
    ]
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    checkpoints = {count * q // 4: 0 for q in (1, 2, 3, 4)}
    peak = 0
    first_done = 0.0
    parent_cpu = 0.0
    parent_cpu_at_first = 0.0
    while True:
        # wait4, not Popen.poll: its rusage covers the ingest process and the workers it reaped.
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            break
        parent_cpu = _cpu_seconds(process.pid) or parent_cpu
        rss = _proc_kb(process.pid, "VmRSS")
        peak = max(peak, _proc_kb(process.pid, "VmHWM"))
        done, _ = _done(database)
        if done and not first_done:
            first_done = time.perf_counter() - started
            parent_cpu_at_first = parent_cpu
        for mark in checkpoints:
            if done >= mark and checkpoints[mark] == 0:
                checkpoints[mark] = rss
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    stdout, stderr = process.stdout.read(), process.stderr.read()  # type: ignore[union-attr]
    total_cpu = usage.ru_utime + usage.ru_stime
    done, pages = _done(database)
    if process.returncode != 0 or done != count:
        raise SystemExit(f"ingest with {workers} workers failed ({done}/{count} done):\n{stdout}\n{stderr}")
    return {
        "workers": workers,
        "seconds": seconds,
        "docs_per_s": count / seconds,
        "pages_per_s": pages / seconds,
        "startup_s": first_done,
        "steady_docs_per_s": (count - 1) / max(seconds - first_done, 1e-9),
        "parent_cpu_ms": 1000 * parent_cpu / count,
        # From the first stored document on: the parent's start-up (imports, migration check, first
        # statements compiled) is a fixed cost, not a per-document one (sampled every 0.2 s: ±0.2 s of CPU).
        "parent_steady_cpu_ms": 1000 * (parent_cpu - parent_cpu_at_first) / max(done - 1, 1),
        "worker_cpu_ms": 1000 * (total_cpu - parent_cpu - workers * worker_startup_cpu()) / count,
        "rss_mb": [round(kb / 1024, 1) for kb in checkpoints.values()],
        "peak_mb": round(peak / 1024, 1),
        "load": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--source", type=Path, default=None, help="directory of born-digital PDFs to copy")
    args = parser.parse_args()
    sources = source_files(args.source)
    if not sources:
        raise SystemExit("no source PDFs: give --source DIR")
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as scratch_name:
        scratch = Path(scratch_name)
        copies = make_copies(sources, scratch / "in", args.documents)
        print(f"{args.documents} documents: copies of {', '.join(p.name for p in sources)} ({os.cpu_count()} cores)")
        sample = copies[: max(len(sources) * 3, 10)]

        def measured_baseline() -> tuple[float, float, float]:
            cpu_before = time.process_time()
            docs, pages = baseline(sample)
            cpu_ms = 1000 * (time.process_time() - cpu_before) / (len(sample) + 1)
            print(
                f"baseline extract() in one process, no store: {docs:.2f} docs/s, {pages:.1f} pages/s, "
                f"{cpu_ms:.0f} CPU ms/doc; load average: {os.getloadavg()[0]:.1f}"
            )
            return docs, pages, cpu_ms

        first = measured_baseline()
        results = [run_ingest(scratch / "in", workers, args.documents, scratch) for workers in args.workers]
        last = measured_baseline()
        base_docs = (first[0] + last[0]) / 2
        base_cpu_ms = (first[2] + last[2]) / 2
    print(
        f"{'workers':>7} {'seconds':>8} {'docs/s':>7} {'pages/s':>8} {'vs baseline':>11} {'1st doc s':>9} "
        f"{'steady docs/s':>13} {'CPU ms/doc parent+workers':>25} {'parent steady':>13} "
        f"{'parent RSS MB at 25/50/75/100%':>32} {'peak MB':>8} {'load':>5}"
    )
    for result in results:
        ratio = float(result["docs_per_s"]) / base_docs  # type: ignore[arg-type]
        rss = " / ".join(f"{mb:.1f}" for mb in result["rss_mb"])  # type: ignore[attr-defined]
        print(
            f"{result['workers']:>7} {result['seconds']:>8.1f} {result['docs_per_s']:>7.2f} "
            f"{result['pages_per_s']:>8.1f} {ratio:>10.2f}x {result['startup_s']:>9.1f} "
            f"{result['steady_docs_per_s']:>13.2f} "
            f"{result['parent_cpu_ms']:>12.0f} + {result['worker_cpu_ms']:<10.0f} {result['parent_steady_cpu_ms']:>13.1f} "
            f"{rss:>32} {result['peak_mb']:>8} "
            f"{result['load']:>5.1f}"
        )
    bounds: dict[int, float] = {}
    for result in results:
        parent, worker = float(result["parent_cpu_ms"]), float(result["worker_cpu_ms"])  # type: ignore[arg-type]
        cores = os.cpu_count() or 1
        workers = int(result["workers"])  # type: ignore[call-overload]
        # On an idle machine with `cores` cores: workers run in parallel unless parent + workers need
        # more CPU than the cores give; the parent runs beside them.
        bound = min(1000 * workers / worker, 1000 * cores / (parent + worker))
        bounds[workers] = bound
        print(
            f"{workers} worker(s): worker CPU per document {worker / base_cpu_ms:.2f}x the baseline's, "
            f"parent {parent / base_cpu_ms:.2f}x; CPU-bound throughput on an idle machine "
            f"{bound / (1000 / base_cpu_ms):.2f}x baseline"
        )
    print(f"load average after: {os.getloadavg()[0]:.1f} (other processes on the machine share its cores)")
    if len(results) > 1:
        many, one = int(results[-1]["workers"]), int(results[0]["workers"])  # type: ignore[call-overload]
        speedup = float(results[-1]["docs_per_s"]) / float(results[0]["docs_per_s"])  # type: ignore[arg-type]
        print(
            f"speed-up {many} vs {one} workers: {speedup:.2f}x measured (load {results[0]['load']:.1f} / "
            f"{results[-1]['load']:.1f}); {bounds[many] / bounds[one]:.2f}x projected from CPU for an idle machine"
        )


if __name__ == "__main__":
    main()
