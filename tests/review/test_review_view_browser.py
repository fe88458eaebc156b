"""The page image, the served CJK font and the scoring proposal, in real headless Chromium.

- Zoom (＋/－/适合宽度) changes the drawn size of the page image and keeps the highlight on its field;
  dragging the zoomed page pans it.
- Chinese glyphs render from the served font on a browser whose system has no CJK font: the browser
  is started with a fontconfig that only knows DejaVu, a control string drawn in DejaVu shows the
  machine really has no CJK glyphs, and the same characters drawn in "Review CJK" come out as
  distinct, inked glyphs (tofu boxes would all be alike).
- The review score the scoring profile proposes is shown beside the self-score, for the document and
  its section, with the marks taken off; the confidence cell says why a field is doubted.
A screenshot is written under the test's tmp_path when a flow fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.corpus import missing
from tests.review.conftest import SEED_001
from tests.review.test_review_page_browser import (
    API_TIMEOUT_S,
    CHROMIUM,
    REPO,
    Service,
    browser_page,
    log_in,
    serve,
)

pytestmark = [
    pytest.mark.browser,
    # One xdist group for the tests that start services (a server and Chromium, a Ray cluster): they run one
    # after another on one worker, never two at once beside the rest of the suite (tests/conftest.py).
    pytest.mark.xdist_group("services"),
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=missing("Debian chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)"),
    ),
]

SEED_004 = SEED_001.parents[1] / "004" / "004.pdf"
"""Seed 004: its self-scores exceed the proposal (deductions) and two score rows read label and weight
from one cell (a doubt)."""
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
SAMPLE = "自评得分"

# Each character of SAMPLE drawn alone in `font` on a canvas: its dark pixels as a bit string.
GLYPHS = """async (font) => {
  await document.fonts.load(font, "SAMPLE");
  const canvas = document.createElement("canvas");
  canvas.width = 48 * 4; canvas.height = 48;
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff"; context.fillRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = "#000"; context.font = font; context.textBaseline = "top";
  [..."SAMPLE"].forEach((ch, i) => context.fillText(ch, 48 * i + 4, 4));
  return [0, 1, 2, 3].map((i) => {
    const data = context.getImageData(48 * i, 0, 48, 48).data;
    let bits = "";
    for (let p = 0; p < data.length; p += 4) bits += data[p] < 128 ? "1" : "0";
    return bits;
  });
}""".replace("SAMPLE", SAMPLE)


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, dict[str, int], Path]]:
    """A server over seeds 001 and 004, scored and saved by `extractor score --save` (proposals stored);
    yields the service, file name → document id, and the folder for screenshots."""
    tmp_path = tmp_path_factory.mktemp("view")
    with serve(tmp_path, [SEED_001, SEED_004]) as service:
        command = [sys.executable, "-m", "extractor.cli", "score", "--all-stored", "--save"]
        command += ["--database-url", service.url]
        done = subprocess.run(
            command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr
        headers = {"Authorization": f"Bearer {service.tokens['reviewer']}"}
        items = httpx.get(f"{service.base}/api/documents", headers=headers, timeout=API_TIMEOUT_S).json()["items"]
        yield service, {item["file"]: item["id"] for item in items}, tmp_path


def _open(page: Any, service: Service, document_id: int) -> None:
    from playwright.sync_api import expect

    log_in(page, service.base, service.tokens["reviewer"], fragment=f"#doc={document_id}")
    expect(page.locator("body")).to_have_attribute("data-ready", str(document_id))


def test_zoom_resizes_the_page_image_and_dragging_pans_it(scored: tuple[Service, dict[str, int], Path]) -> None:
    from playwright.sync_api import expect

    service, documents, tmp_path = scored
    document_id = documents[SEED_001.name]
    with browser_page(tmp_path, "zoom") as page:
        _open(page, service, document_id)
        page.locator("tr[data-ref='c1.score'] input").click()
        expect(page.locator("#highlight")).to_be_visible()
        page.wait_for_function("document.getElementById('page-img').complete")
        image = page.locator("#page-img")
        fitted = image.bounding_box()
        assert fitted is not None
        expect(page.locator("#zoom-label")).to_have_text("100%")

        page.click("#zoom-in")
        page.click("#zoom-in")
        expect(page.locator("#zoom-label")).not_to_have_text("100%")
        zoomed = image.bounding_box()
        assert zoomed is not None
        factor = int(page.inner_text("#zoom-label").rstrip("%")) / 100
        assert zoomed["width"] == pytest.approx(fitted["width"] * factor, rel=0.05)
        # The highlight is re-placed for the new scale: still on the image, scaled with it.
        mark = page.locator("#highlight").bounding_box()
        assert (
            mark is not None and zoomed["x"] <= mark["x"] and mark["x"] + mark["width"] <= zoomed["x"] + zoomed["width"]
        )

        # Drag the page up and to the left: the view scrolls right and down by the drag's length.
        scroll = page.locator("#page-scroll")
        box = scroll.bounding_box()
        assert box is not None
        page.evaluate("document.getElementById('page-scroll').scrollTo(0, 0)")
        start = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.move(*start)
        page.mouse.down()
        page.mouse.move(start[0] - 120, start[1] - 90, steps=6)
        page.mouse.up()
        moved = page.evaluate(
            "(() => { const s = document.getElementById('page-scroll'); return [s.scrollLeft, s.scrollTop]; })()"
        )
        assert moved[0] == pytest.approx(120, abs=2) and moved[1] == pytest.approx(90, abs=2), moved

        page.click("#zoom-fit")
        expect(page.locator("#zoom-label")).to_have_text("100%")
        back = image.bounding_box()
        assert back is not None and back["width"] == pytest.approx(fitted["width"], rel=0.02)


def test_chinese_renders_from_the_served_font_on_a_machine_without_cjk_fonts(
    scored: tuple[Service, dict[str, int], Path],
) -> None:
    from playwright.sync_api import expect

    service, documents, tmp_path = scored
    document_id = documents[SEED_001.name]
    if not DEJAVU.is_dir():
        pytest.skip("fonts-dejavu-core is not installed (the Latin-only font set of this test)")
    config = tmp_path / "fonts.conf"
    config.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig><dir>{DEJAVU}</dir>'
        f"<cachedir>{tmp_path / 'fontcache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    environment = {**os.environ, "FONTCONFIG_FILE": str(config)}
    with browser_page(tmp_path, "font", env=environment) as page:
        _open(page, service, document_id)
        expect(page.locator("#doc-meta")).to_contain_text("自评得分")
        # Control: without the served font this browser has no CJK glyph (all alike: tofu or blank).
        latin = page.evaluate(GLYPHS, '32px "DejaVu Sans"')
        assert len(set(latin)) == 1, "the system still has a CJK font: the test would prove nothing"
        served = page.evaluate(GLYPHS, '32px "Review CJK"')
        assert len(set(served)) == len(SAMPLE), "the served font draws each character as its own glyph"
        assert all(bits.count("1") > 40 for bits in served), [bits.count("1") for bits in served]
        # The page's own text uses it: the computed font of the title falls back to the served face.
        family = page.evaluate("getComputedStyle(document.getElementById('doc-meta')).fontFamily")
        assert "Review CJK" in family
        page.screenshot(path=str(tmp_path / "font.png"))


def test_the_proposed_review_score_stands_beside_the_self_score(scored: tuple[Service, dict[str, int], Path]) -> None:
    from playwright.sync_api import expect

    service, documents, tmp_path = scored
    document_id = documents[SEED_004.name]
    headers = {"Authorization": f"Bearer {service.tokens['reviewer']}"}
    stored = httpx.get(f"{service.base}/api/documents/{document_id}", headers=headers, timeout=API_TIMEOUT_S).json()
    proposed = stored["document"]["proposed_review_score"]
    assert proposed is not None, "extractor score --save stored a proposal"
    deductions = [d for s in stored["sections"] for d in s["deductions"]]
    with browser_page(tmp_path, "scores") as page:
        _open(page, service, document_id)
        rows = page.locator("#scores tbody tr")
        expect(rows.first).to_contain_text("全文")
        expect(rows.first.locator("td.proposed")).to_have_text(f"{proposed:g}")
        expect(rows.first.locator("td").nth(1)).to_have_text(f"{stored['document']['self_score']:g}")
        section = next(s for s in stored["sections"] if s["proposed_review_score"] is not None)
        expect(page.locator("#scores")).to_contain_text(f"{section['proposed_review_score']:g}")
        assert deductions, "seed 004's self-scores exceed the proposal"
        expect(rows.first.locator("ul.deductions li")).to_have_count(len(deductions))
        # One click on a deduction shows the self-score it concerns.
        rows.first.locator("ul.deductions li").first.click()
        focused = page.evaluate("document.activeElement.closest('tr').dataset.ref")
        assert focused == deductions[0]["ref"]
        # A doubted field says why in its confidence cell.
        assert stored["doubts"], "seed 004 reads two score rows' label and weight from one cell"
        listed = [f"{record}.{field}" for record, fields in stored["doubts"].items() for field in fields]
        shown = page.eval_on_selector_all("#field-rows tr", "rows => rows.map(r => r.dataset.ref)")
        ref = next(ref for ref in listed if ref in shown)
        record, field = ref.split(".")
        doubted = page.locator(f"tr[data-ref='{ref}'] td.confidence.doubted")
        expect(doubted).to_have_attribute("title", "；".join(stored["doubts"][record][field]))
        page.screenshot(path=str(tmp_path / "scores.png"), full_page=True)
