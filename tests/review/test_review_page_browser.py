"""End to end in real headless Chromium: log in on /review, open seed 001, correct the 总分 score the
validator flags (98 printed over indicator scores adding up to 88), and see the finding go away.

Needs Debian's chromium at /usr/bin/chromium (`apt-get install -y chromium`; .ci/run installs it).
Playwright drives it; `playwright install` (a browser download) is never used.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import httpx
import pytest

from extractor.ingest import IngestOptions, ingest
from extractor.review.tokens import Role, create_token
from extractor.store import make_engine, mark_failed, register_file, session_scope, upgrade
from tests.corpus import missing
from tests.review.conftest import SEED_001

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.browser,
    # One xdist group for the tests that start services (a server and Chromium, a Ray cluster): they run one
    # after another on one worker, never two at once beside the rest of the suite (tests/conftest.py).
    pytest.mark.xdist_group("services"),
    # Slow: a service on a freshly ingested store and a Chromium session (1.5-2 min each at load average 12).
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=missing("Debian chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)"),
    ),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(
    tmp_path: Path,
    sources: list[Path],
    *,
    roles: tuple[Role, ...] = (Role.reviewer,),
    failed: tuple[tuple[Path, str], ...] = (),
) -> Iterator[Service]:
    """A real `extractor serve` on a free port over a store holding `sources` (ingested first) and
    `failed` (file, reason) as documents whose reading failed."""
    data_dir = tmp_path / "data"
    url = f"sqlite:///{data_dir / 'extractor.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    copies = [Path(shutil.copy(source, tmp_path / source.name)) for source in sources]
    summary = ingest(engine=engine, paths=copies, options=IngestOptions(workers=1, timeout_s=300), show_progress=False)
    assert summary.ok == len(copies), summary.failures
    tokens = {}
    with session_scope(engine) as session:
        for path, reason in failed:
            copy = Path(shutil.copy(path, tmp_path / f"failed-{path.name}"))
            document = register_file(session=session, sha256=hashlib.sha256(copy.read_bytes()).hexdigest(), path=copy)
            mark_failed(session=session, document=document, error=reason)
        for role in roles:
            _, tokens[role.value] = create_token(session=session, role=role, name=ROLE_NAMES[role])
    engine.dispose()
    port = _free_port()
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "extractor.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--data-dir", str(data_dir), "--database-url", url]
    process = subprocess.Popen(
        command, cwd=REPO, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"server did not start: {process.stdout.read() if process.stdout else ''}")
            time.sleep(0.2)
        yield Service(base=base, tokens=tokens, url=url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class Service:
    base: str
    tokens: dict[str, str]
    """role → token"""
    url: str
    """the store's database URL"""


BROWSER_TIMEOUT_MS = 60_000
"""How long a browser step may take before it fails (see browser_page)."""
API_TIMEOUT_S = BROWSER_TIMEOUT_MS / 1000
"""How long a test's own API call waits for the served process to answer: httpx's default 5 s was measured too
short while the same service renders pages for the browser on a two-core machine at load average 26."""
ROLE_NAMES = {Role.reviewer: "审核员甲", Role.ingest: "上传员", Role.admin: "管理员"}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A real `extractor serve` over a store holding seed 001; yields (base URL, reviewer token)."""
    with serve(tmp_path, [SEED_001]) as service:
        yield service.base, service.tokens["reviewer"]


@contextmanager
def browser_page(
    tmp_path: Path, name: str, viewport: tuple[int, int] = (1600, 1000), env: Optional[dict[str, str]] = None
) -> Iterator[Page]:
    """A Chromium page; a screenshot is written under tmp_path when the block fails. `env`: the
    browser's environment (e.g. a FONTCONFIG_FILE that hides the system fonts)."""
    from playwright.sync_api import expect, sync_playwright

    # An upper bound, not a wait: opening a document renders its page image on the server, which on a
    # busy shared machine takes longer than Playwright's 5 s default.
    expect.set_options(timeout=BROWSER_TIMEOUT_MS)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            env=env,
        )
        try:
            page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
            page.set_default_timeout(BROWSER_TIMEOUT_MS)
            try:
                yield page
            except BaseException:
                shot = tmp_path / f"{name}-failure.png"
                page.screenshot(path=str(shot), full_page=True)
                print(f"screenshot of the failure: {shot}")
                raise
        finally:
            browser.close()


def log_in(page: Page, base: str, token: str, fragment: str = "") -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/review{fragment}")
    page.fill("#token-input", token)
    page.click("#login button[type=submit]")
    expect(page.locator("#who")).to_be_visible()


def test_correcting_a_flagged_field_clears_its_finding(server: tuple[str, str], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, token = server
    flagged = "#findings-list li:not(.resolved)[data-rule='sum_mismatch'][data-refs~='c1.score']"
    expect.set_options(timeout=BROWSER_TIMEOUT_MS)  # see browser_page
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(f"{base}/review")
            page.fill("#token-input", token)
            page.click("#login button[type=submit]")
            expect(page.locator("#who")).to_contain_text("审核员甲")
            page.locator("#queue-list li", has_text="001.pdf").click()
            expect(page.locator("#doc-title")).to_have_text("001.pdf")

            expect(page.locator(flagged)).to_have_count(1)
            row = page.locator("tr[data-ref='c1.score']")
            expect(row).to_have_class(re.compile(r"\bflag-error\b"))
            # Fields cited by errors are listed first, and the first one has the focus.
            expect(page.locator("#field-rows tr").first).to_have_class("flag-error current")
            field = row.locator("input")
            expect(field).to_have_value("98")
            field.click()
            expect(page.locator("#highlight")).to_be_visible()  # the 总分 score cell on the page image
            expect(page.locator("#page-label")).to_contain_text("第 8 /")

            field.fill("88")
            field.press("Enter")
            expect(page.locator(flagged)).to_have_count(0)  # findings re-computed without reloading
            # The resolved finding stays in sight, faded, until the document is opened again.
            expect(page.locator("#findings-list li.resolved[data-rule='sum_mismatch']")).to_have_count(1)
            expect(page.locator("#findings-list li:not(.resolved)[data-rule='score_exceeds_weight']")).to_have_count(0)
            expect(page.locator("tr[data-ref='c1.score'] input")).to_have_value("88")
            expect(page.locator("#status")).to_contain_text("已保存 c1.score")
            focused_ref = page.evaluate("document.activeElement.closest('tr').dataset.ref")
            assert focused_ref != "c1.score", "Enter moves on to the next field"

            page.click("#mark-reviewed")
            expect(page.locator("#doc-meta")).to_contain_text("已由 审核员甲 审核")
            screenshot = tmp_path / "review-page.png"
            page.screenshot(path=str(screenshot), full_page=True)
            print(f"screenshot: {screenshot}")

            page.reload()  # the token is kept for the tab (sessionStorage): no second login
            expect(page.locator("#who")).to_contain_text("审核员甲")
        finally:
            browser.close()

    audit = httpx.get(
        f"{base}/api/documents/1/corrections", headers={"Authorization": f"Bearer {token}"}, timeout=API_TIMEOUT_S
    ).json()
    assert [(entry["who"], entry["ref"], entry["before"], entry["after"]) for entry in audit] == [
        ("审核员甲", "c1.score", 98.0, 88.0)
    ]
