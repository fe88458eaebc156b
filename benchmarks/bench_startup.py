"""Whole-process cost of `extractor extract`: CPU seconds and peak RSS, beside bare PyMuPDF processes.

Every figure is one whole child process measured with os.wait4 (user + system CPU of the child and
anything it waited for, and its peak resident set), so start-up — interpreter, imports, the first
extract — is counted, and a loaded machine does not skew it the way wall time would. The rows are
interleaved and repeated; the median of each is printed, and every ratio is between rows of the
same run.

1. `extractor extract ONE_PAGE --json` vs `python -c "import pymupdf"` (target ≤ 1.3×).
   The PyMuPDF line without its bundled add-ons (pymupdf.layout, pymupdf4llm) is printed too:
   that is the floor the extractor can reach.
2. One process per file over the PDFs of ../shared/real: `extractor extract FILE --json` vs a bare
   process that imports PyMuPDF and reads every page's words and drawings (target ≤ 1.6×).

    PYTHONPATH=$PWD python benchmarks/bench_startup.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _corpus import ROOT, real_pdfs  # noqa: E402  (benchmarks/ is not a package)

LEAN_IMPORT = "import sys\nfor m in ('pymupdf.layout', 'pymupdf4llm'): sys.modules[m] = None\nimport pymupdf"
BARE_READ = """
import sys
import pymupdf
for name in sys.argv[1:]:
    with pymupdf.open(name) as document:
        for page in document:
            page.get_text("words", sort=False)
            page.get_drawings()
"""


class Cost(NamedTuple):
    cpu: float
    rss_mb: float


def child_env() -> dict[str, str]:
    """The children may write bytecode caches: an installed package has them, and without them
    every run would compile the project's modules from source (0.2 s CPU) — a cost of this
    checkout (PYTHONDONTWRITEBYTECODE is set here), not of the program. A warm-up run writes them."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    return dict(env, PYTHONPATH=str(ROOT))


def measure(args: list[str]) -> Cost:
    """CPU seconds and peak RSS (MB) of one child process run to its end."""
    env = child_env()
    child = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{args[:4]} exited {child.returncode}")
    return Cost(usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def extract_cmd(*files: Path) -> list[str]:
    return [sys.executable, "-m", "extractor.cli", "extract", *map(str, files), "--json"]


ONE_PAGE = """
import sys
import pymupdf
with pymupdf.open(sys.argv[1]) as document, pymupdf.open() as single:
    single.insert_pdf(document, from_page=0, to_page=0)
    single.save(sys.argv[2])
"""


def one_page_form(directory: Path) -> Path:
    """Page 1 of the first fixture form, alone in a PDF (the seeds themselves have 2–16 pages).

    Written by a child process: a fork starts with its parent's resident pages, and Linux keeps a
    process's peak RSS across exec, so this process must stay small for the children's peaks to be
    theirs (it never imports PyMuPDF itself).
    """
    source = sorted((ROOT / "fixtures" / "seeds").glob("*/*.pdf"))[0]
    target = directory / "one_page_form.pdf"
    subprocess.run([sys.executable, "-c", ONE_PAGE, str(source), str(target)], check=True)
    return target


def _own_peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median(costs: list[Cost]) -> Cost:
    return Cost(statistics.median(c.cpu for c in costs), statistics.median(c.rss_mb for c in costs))


def row(label: str, cost: Cost, floor: Cost | None = None) -> str:
    ratio = f"{cost.cpu / floor.cpu:6.2f}×" if floor else " " * 7
    return f"{label:46s} {cost.cpu:8.3f} {cost.rss_mb:8.1f} {ratio}"


def main() -> int:
    parser = argparse.ArgumentParser(description="whole-process CPU and RSS of extractor extract")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        form = one_page_form(Path(tmp))
        runs: dict[str, list[Cost]] = {"import": [], "lean": [], "extract": []}
        measure(extract_cmd(form))  # warm-up: bytecode caches, page cache
        for _ in range(args.repeats):  # interleaved, so load changes hit every row alike
            runs["import"].append(measure([sys.executable, "-c", "import pymupdf"]))
            runs["lean"].append(measure([sys.executable, "-c", LEAN_IMPORT]))
            runs["extract"].append(measure(extract_cmd(form)))
    plain, lean, ours = median(runs["import"]), median(runs["lean"]), median(runs["extract"])
    print("CPU = user + system seconds of the whole child process (os.wait4), median of", args.repeats)
    print(f"(this process's own peak RSS, a floor under every child's figure: {_own_peak_mb():.1f} MB)")
    print(f"{'one-page form':46s} {'CPU s':>8s} {'RSS MB':>8s} {'ratio':>7s}")
    print(row('python -c "import pymupdf"', plain))
    print(row("  same without pymupdf.layout / pymupdf4llm", lean, plain))
    print(row("extractor extract one_page_form.pdf --json", ours, plain) + "  (target ≤ 1.3)")

    files = real_pdfs()
    if not files:
        print("../shared/real: no PDFs found")
        return 0
    bare_total, ours_total = Cost(0.0, 0.0), Cost(0.0, 0.0)
    rounds = max(1, args.repeats // 2)
    print(f"\none process per file, {len(files)} PDFs of {files[0].parent}, median of {rounds}")
    print(f"{'file':46s} {'bare CPU':>8s} {'ours CPU':>8s} {'ratio':>7s} {'ours RSS':>8s}")
    for path in files:
        bare_runs, our_runs = [], []
        for _ in range(rounds):
            bare_runs.append(measure([sys.executable, "-c", BARE_READ, str(path)]))
            our_runs.append(measure(extract_cmd(path)))
        bare, ours_file = median(bare_runs), median(our_runs)
        bare_total = Cost(bare_total.cpu + bare.cpu, max(bare_total.rss_mb, bare.rss_mb))
        ours_total = Cost(ours_total.cpu + ours_file.cpu, max(ours_total.rss_mb, ours_file.rss_mb))
        print(
            f"{path.name[:44]:46s} {bare.cpu:8.3f} {ours_file.cpu:8.3f} {ours_file.cpu / bare.cpu:6.2f}× "
            f"{ours_file.rss_mb:8.1f}"
        )
    print(
        f"{'total (bare: import pymupdf + words + drawings)':46s} {bare_total.cpu:8.3f} {ours_total.cpu:8.3f} "
        f"{ours_total.cpu / bare_total.cpu:6.2f}×  (target ≤ 1.6)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
