"""Under CI (`CI=true`) a test skipped because a service, browser or corpus is absent fails instead.

CI installs PostgreSQL, Chromium, the test extra and the corpus, so such a skip there means the set-up is
broken, and a green run that silently skipped half the suite would hide it. Skips marked MISSING
(tests/corpus.py) and import skips (`pytest.importorskip`) count; design skips (a test that has nothing
to check on one database) do not.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.corpus import MISSING

IMPORT_SKIP = "could not import"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


def missing_resource(reason: str) -> bool:
    return MISSING in reason or IMPORT_SKIP in reason


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]  # pluggy's result object
    if report.skipped and in_ci() and missing_resource(_skip_reason(report)):
        report.outcome = "failed"
        report.longrepr = f"CI=true, so a missing resource fails the test: {_skip_reason(report)}"


BROWSER_WAIT_MS = 60_000
"""How long a browser test's `expect(...)` waits for the page to reach a state (Playwright's default is 5 s).

A state to wait for, not a delay: the assertion passes as soon as the page gets there. Generous because on a
loaded two-core machine the server renders the page image for seconds before the page focuses its first
field (5 s was measured too short at load average 12)."""


@pytest.fixture(autouse=True)
def _generous_browser_waits(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("browser") is None:
        yield
        return
    expect = pytest.importorskip("playwright.sync_api").expect
    expect.set_options(timeout=BROWSER_WAIT_MS)
    try:
        yield
    finally:
        expect.set_options(timeout=5_000)
