"""The review workstation in real headless Chromium (Debian's /usr/bin/chromium through Playwright).

- Geometry: for a born-digital PDF, a scan fed sideways and a skewed scan, the highlight of a field lies
  inside the page image and over ink (the printed figure), read from the image's own pixels.
- Workflow: per-document URL, a colleague's save makes the page stale (offer to reload), reason and
  history with undo, accepting a flagged field, keyboard mark-reviewed / next document, filters,
  controls by role, the failed document first with the admin's retry, office tables as a grid,
  the served CJK font.
A screenshot is written under the test's tmp_path when a flow fails.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from extractor.review.tokens import Role
from tests.corpus import missing
from tests.review.conftest import SEED_001
from tests.review.test_review_page_browser import API_TIMEOUT_S, CHROMIUM, browser_page, log_in, serve

pytestmark = [
    pytest.mark.browser,
    # One xdist group for the tests that start services (a server and Chromium, a Ray cluster): they run one
    # after another on one worker, never two at once beside the rest of the suite (tests/conftest.py).
    pytest.mark.xdist_group("services"),
    pytest.mark.slow,  # a service and a Chromium session, like test_review_page_browser.py
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=missing("Debian chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)"),
    ),
]

SEED_001_DOCX = SEED_001.with_suffix(".docx")

# Where the highlight sits on the image and how much ink its inner part covers, from the image's pixels.
INK_UNDER_HIGHLIGHT = """() => {
  const img = document.getElementById("page-img");
  const mark = document.getElementById("highlight");
  const i = img.getBoundingClientRect(), m = mark.getBoundingClientRect();
  const canvas = document.createElement("canvas");
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  const context = canvas.getContext("2d");
  context.drawImage(img, 0, 0);
  const scale = img.naturalWidth / i.width;
  // The inner part of the box: its ruling lines (ink too) are left out, only the printed figure counts.
  const x = (m.left - i.left + m.width * 0.12) * scale, y = (m.top - i.top + m.height * 0.2) * scale;
  const w = Math.max(1, m.width * 0.76 * scale), h = Math.max(1, m.height * 0.6 * scale);
  const pixels = context.getImageData(x, y, w, h).data;
  let dark = 0;
  for (let p = 0; p < pixels.length; p += 4) if (pixels[p] + pixels[p + 1] + pixels[p + 2] < 3 * 110) dark += 1;
  return { inside: m.left >= i.left - 3 && m.top >= i.top - 3 && m.right <= i.right + 3 && m.bottom <= i.bottom + 3,
           ink: dark / (pixels.length / 4), portrait: img.naturalHeight > img.naturalWidth, width: i.width };
}"""


def _document_ids(base: str, token: str) -> dict[str, dict[str, Any]]:
    items = httpx.get(
        f"{base}/api/documents?limit=50", headers={"Authorization": f"Bearer {token}"}, timeout=API_TIMEOUT_S
    ).json()["items"]
    return {item["file"]: item for item in items}


def test_the_highlight_lies_on_the_cell_s_ink_for_digital_rotated_and_skewed_pages(tmp_path: Path) -> None:
    from playwright.sync_api import expect

    from fixtures.scans import cached_scan
    from tests.scan_sample import build_sample_form

    form = build_sample_form(tmp_path / "form.pdf")
    rotated = cached_scan(form, "rotated150", max_pages=1)
    skewed = cached_scan(form, "skewed200", max_pages=1)
    cases = {SEED_001.name: "c1.score", rotated.name: "b1.initial", skewed.name: "i1.actual"}
    with serve(tmp_path, [SEED_001, rotated, skewed]) as service:
        token = service.tokens["reviewer"]
        documents = _document_ids(service.base, token)
        # The size the boxes were measured in: a page fed sideways reports its upright size.
        pages = httpx.get(
            f"{service.base}/api/documents/{documents[rotated.name]['id']}/pages",
            headers={"Authorization": f"Bearer {token}"},
            timeout=API_TIMEOUT_S,
        ).json()
        assert pages[0]["height"] > pages[0]["width"]
        # 1366×768, a common office laptop: the page image must still be large enough to read.
        with browser_page(tmp_path, "geometry", viewport=(1366, 768)) as page:
            log_in(page, service.base, token)
            for file, ref in cases.items():
                page.evaluate(f"location.hash = 'doc={documents[file]['id']}'")
                expect(page.locator("#doc-title")).to_have_text(file)
                expect(page.locator("body")).to_have_attribute("data-ready", str(documents[file]["id"]))
                page.locator(f"tr[data-ref='{ref}'] input").click()
                expect(page.locator("#highlight")).to_be_visible()
                # Measured once the field's own page is shown (a page switch is asynchronous).
                shown = f"{documents[file]['id']}/{{page}}"
                page.wait_for_function(
                    "([ref, shown]) => document.getElementById('page-img').dataset.shown"
                    " === shown.replace('{page}', state.doc.boxes[ref].page)",
                    arg=[ref, shown],
                )
                seen = page.evaluate(INK_UNDER_HIGHLIGHT)
                assert seen["inside"], (file, seen)
                assert seen["portrait"], f"{file}: the page is shown upright"
                assert seen["ink"] > 0.01, f"{file}: the highlight of {ref} covers no printed figure ({seen})"
                assert seen["width"] >= 480, f"{file}: the page image is {seen['width']} px wide at 1366×768"
                page.screenshot(path=str(tmp_path / f"{file}.png"))


def _count(page: Any, selector: str) -> int:
    return int(page.locator(selector).count())


def test_reviewer_workflow_in_the_browser(tmp_path: Path) -> None:
    from playwright.sync_api import expect

    roles = (Role.reviewer, Role.ingest, Role.admin)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7 truncated")
    with serve(
        tmp_path, [SEED_001, SEED_001_DOCX], roles=roles, failed=((broken, "broken.pdf: PDF 已损坏"),)
    ) as service:
        base, tokens = service.base, service.tokens
        documents = _document_ids(base, tokens["reviewer"])
        pdf_id, docx_id = documents["001.pdf"]["id"], documents["001.docx"]["id"]
        colleague = {"Authorization": f"Bearer {tokens['admin']}"}

        with browser_page(tmp_path, "reviewer") as page:
            # The served font renders Chinese glyphs (not only DOM text): the face loads and covers them.
            log_in(page, base, tokens["reviewer"], fragment=f"#doc={pdf_id}")
            expect(page.locator("#doc-title")).to_have_text("001.pdf")  # the URL opened the document
            expect(page.locator("body")).to_have_attribute("data-ready", str(pdf_id))
            faces = page.evaluate("async () => (await document.fonts.load('16px \"Review CJK\"', '自评得分')).length")
            assert faces == 1
            assert page.evaluate("document.fonts.check('16px \"Review CJK\"', '自评得分')")
            # The failed document leads the queue with its reason; a reviewer gets no retry button.
            first = page.locator("#queue-list li").first
            expect(first).to_have_class(re.compile(r"\bfailed\b"))
            expect(first).to_contain_text("broken.pdf: PDF 已损坏")
            expect(first.locator("button.retry")).to_have_count(0)

            # Findings first: the sum finding lists its cited fields once each, compactly, the total first.
            finding = page.locator("#findings-list li[data-rule='sum_mismatch']").first
            cited = (finding.get_attribute("data-refs") or "").split()
            expect(finding.locator(".part.total")).to_contain_text("总分")
            expect(finding.locator(".part")).to_have_count(len(cited))
            finding.click()
            expect(page.locator(".extra-highlight").first).to_be_visible()  # the parts, all on the page

            # Filters: only fields of one rule.
            page.select_option("#filter-rule", "sum_mismatch")
            visible_refs = page.eval_on_selector_all(
                "#field-rows tr:not([hidden])", "rows => rows.map(r => r.dataset.ref)"
            )
            assert "c1.score" in visible_refs and all(ref.endswith((".score", ".weight")) for ref in visible_refs), (
                visible_refs
            )
            page.select_option("#filter-rule", "")

            # A colleague saves meanwhile: this page is stale, its save is refused and it offers to reload.
            saved = httpx.patch(
                f"{base}/api/documents/{pdf_id}/fields",
                headers=colleague,
                json={"ref": "c1.score", "value": 77},
                timeout=API_TIMEOUT_S,
            )
            assert saved.status_code == 200
            field = page.locator("tr[data-ref='c1.score'] input")
            field.fill("91")
            field.press("Enter")
            expect(page.locator("#stale")).to_be_visible()
            page.click("#reload-doc")
            expect(page.locator("#stale")).to_be_hidden()
            expect(page.locator("body")).to_have_attribute("data-ready", str(pdf_id))
            expect(page.locator("tr[data-ref='c1.score'] input")).to_have_value("77")

            # A correction with a reason, shown in the history; the header's 自评得分 follows; undo puts 77 back.
            page.fill("#reason", "与原件核对")
            field = page.locator("tr[data-ref='c1.score'] input")
            field.fill("88")
            field.press("Enter")
            expect(page.locator("#status")).to_contain_text("已保存 c1.score")
            expect(page.locator("#history-list li").first).to_contain_text("与原件核对")
            expect(page.locator("#findings-list li.resolved")).not_to_have_count(0)  # resolved findings fade
            page.locator("#history-list li").first.locator("button").click()
            expect(page.locator("tr[data-ref='c1.score'] input")).to_have_value("77")
            expect(page.locator("#history-list li").first).to_contain_text("撤销更正")

            # Accept a flagged field as printed: recorded, the finding stays and is marked accepted.
            flagged_row = page.locator("#field-rows tr.flag-error").first
            flagged_ref = flagged_row.get_attribute("data-ref")
            flagged_row.locator("button.accept").click()
            expect(page.locator("#findings-list li.accepted").first).to_contain_text("已接受")
            accepted = httpx.get(f"{base}/api/documents/{pdf_id}", headers=colleague, timeout=API_TIMEOUT_S).json()[
                "accepted"
            ]
            assert any(entry["ref"] == flagged_ref for entry in accepted.values())

            # Keyboard: Alt+M marks reviewed, Alt+N opens the next document (its URL changes too).
            page.keyboard.press("Alt+m")
            expect(page.locator("#doc-meta")).to_contain_text("已由 审核员甲 审核")
            page.keyboard.press("Alt+n")
            expect(page.locator("#doc-title")).to_have_text("001.docx")
            expect(page.locator("body")).to_have_attribute("data-ready", str(docx_id))
            assert page.evaluate("location.hash") == f"#doc={docx_id}"

            # An office file: its table as a grid with the field's cell marked; cells named by their headers.
            page.locator("#field-rows tr input").first.click()
            expect(page.locator("#source-grid td.hit")).to_have_count(1)
            expect(page.locator("#page-img")).to_be_hidden()
            page.screenshot(path=str(tmp_path / "workstation.png"), full_page=True)

        with browser_page(tmp_path, "ingest") as page:
            # An ingest token sees the data but no editable field and no reviewer buttons.
            log_in(page, base, tokens["ingest"], fragment=f"#doc={pdf_id}")
            expect(page.locator("body")).to_have_attribute("data-ready", str(pdf_id))
            assert page.locator("#field-rows tr input").first.get_attribute("readonly") is not None
            assert _count(page, "button.accept") == 0 and _count(page, "#history-list button") == 0
            expect(page.locator("#mark-reviewed")).to_be_disabled()

        with browser_page(tmp_path, "admin") as page:
            # The admin retries the failed document from the queue (it is read again, and fails again).
            log_in(page, base, tokens["admin"])
            first = page.locator("#queue-list li").first
            first.locator("button.retry").click()
            expect(page.locator("#status")).to_contain_text("已重新排队")
