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

pytest_plugins = ["tests.timing"]

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


SHARED_SCOPES = ("class", "module", "package")
"""Fixture scopes whose value the tests of one module (or package) share. Under xdist they run on one worker, so
what such a fixture builds (the rendered zoo, a Ray instance, a tiny VL model) is built once, not once per worker."""


def _shared_scope(item: pytest.Item) -> str | None:
    """The module (or package) whose shared fixture `item` uses, if it uses one."""
    # `_fixtureinfo` is pytest's own record of the item's fixtures (private but stable since pytest 3); the
    # public `item.fixturenames` gives names only, not the scope each name resolves to for this item.
    definitions = getattr(item, "_fixtureinfo", None)
    if definitions is None:
        return None
    module = item.nodeid.split("::")[0]
    for name in item.fixturenames:
        for definition in definitions.name2fixturedefs.get(name, ()):
            if definition.scope == "package":
                return module.rsplit("/", 1)[0]
            if definition.scope in SHARED_SCOPES:
                return module
    return None


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook turns xdist_group marks into node ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With `--dist loadgroup` (pyproject's addopts), tests are handed to workers one by one except those
    that share a module-scoped fixture: they form one group per module. A module marked with an explicit
    `xdist_group` (the Ray and browser tests: one group, so two of them never run at once) keeps its mark."""
    for item in items:
        if item.get_closest_marker("xdist_group") is not None:
            continue
        scope = _shared_scope(item)
        if scope is not None:
            item.add_marker(pytest.mark.xdist_group(scope))


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
