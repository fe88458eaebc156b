"""Per-test CPU time, for finding what makes the suite slow on a shared machine.

`--durations` reports wall time, which on a loaded two-core machine says more about the neighbours than
about the test. With `EXTRACTOR_TEST_CPU_LOG=DIR` every test process (each xdist worker, or the one
process without xdist) appends one tab-separated line per test to `DIR/cpu-<worker>.tsv`:
node id, CPU seconds (this process and the children it waited for: subprocess CLI runs, ingest workers),
wall seconds, setup and teardown included (a module fixture is charged to the first test that uses it), and
the outcome (passed, failed, skipped; `error` for a failing setup or teardown) — a long run's failures can be
found before it ends.

    EXTRACTOR_TEST_CPU_LOG=.cache/cpu python -m pytest -q tests/e2e
    python -m tests.timing .cache/cpu        # the 40 costliest modules and tests
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

LOG_VARIABLE = "EXTRACTOR_TEST_CPU_LOG"
OUTCOME = pytest.StashKey[str]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]  # pluggy's result object
    if report.failed:
        item.stash[OUTCOME] = "failed" if report.when == "call" else "error"
    elif report.when == "call" or (report.skipped and OUTCOME not in item.stash):
        item.stash.setdefault(OUTCOME, report.outcome)


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    folder = os.environ.get(LOG_VARIABLE)
    if not folder:
        yield
        return
    cpu, wall = _cpu_seconds(), time.monotonic()
    yield
    cpu, wall = _cpu_seconds() - cpu, time.monotonic() - wall
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    Path(folder).mkdir(parents=True, exist_ok=True)
    with (Path(folder) / f"cpu-{worker}.tsv").open("a", encoding="utf-8") as log:
        log.write(f"{item.nodeid}\t{cpu:.3f}\t{wall:.3f}\t{item.stash.get(OUTCOME, 'passed')}\n")


def summary(folder: Path, top: int = 40) -> str:
    """The costliest modules and tests by CPU time, from every log in `folder`."""
    tests: dict[str, tuple[float, float]] = {}
    failures: list[str] = []
    for log in sorted(folder.glob("cpu-*.tsv")):
        for line in log.read_text(encoding="utf-8").splitlines():
            node, cpu, wall, *outcome = line.split("\t")
            tests[node] = (float(cpu), float(wall))
            if outcome and outcome[0] in ("failed", "error"):
                failures.append(f"{outcome[0]}: {node}")
    modules: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for node, (cpu, wall) in tests.items():
        module = modules[node.split("::")[0]]
        module[0] += cpu
        module[1] += wall
        module[2] += 1
    total_cpu = sum(cpu for cpu, _ in tests.values())
    lines = [f"{len(tests)} tests, {total_cpu:.0f} s CPU in all", *failures, "", "CPU s   wall s  tests  module"]
    for name, (cpu, wall, count) in sorted(modules.items(), key=lambda kv: -kv[1][0])[:top]:
        lines.append(f"{cpu:7.1f} {wall:7.1f} {int(count):5d}  {name}")
    lines += ["", "CPU s   wall s  test"]
    for node, (cpu, wall) in sorted(tests.items(), key=lambda kv: -kv[1][0])[:top]:
        lines.append(f"{cpu:7.1f} {wall:7.1f}  {node}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 40))
