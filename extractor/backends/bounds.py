"""Bounds checked before a page is decoded: pixels per page and per document, Form XObject fan-out.

A few KB of PDF or PNG can ask for gigabytes of pixels or 2^40 drawing operations; these checks
look at what a page *asks for* (its size, its resources) and refuse it with a clear reason before
MuPDF, Pillow or OpenCV start the work. Failures of a single page are `PageRefused` (a page
problem: the document is `partial`, or `failed` when no page could be read); running out of
memory is never a page problem (`reraise_if_out_of_memory`).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Optional

from extractor.pdflib import pymupdf
from extractor.sandbox import ALLOCATION_FAILED
from schemas import Problem, ReadLimits

_DO = re.compile(rb"/([^\s/<>\[\]()]+)\s+Do\b")


class PageRefused(Exception):
    """A page asks for more work than the limits allow; the message is the reason, for the page problem."""


def reraise_if_out_of_memory(error: BaseException) -> None:
    """An allocation failure (Python's, or a library's `bad_alloc`) ends the document, not one page:
    after it the process may be in any state, and an empty page would look like a blank one."""
    if isinstance(error, MemoryError):
        raise error
    # A C extension that fails an allocation may surface it as another error whose cause is the
    # MemoryError ("SystemError: <built-in function get_cdrawings> returned a result with an exception set").
    link: Optional[BaseException] = error
    seen: set[int] = set()
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        if isinstance(link, MemoryError) or ALLOCATION_FAILED.search(f"{type(link).__name__}: {link}"):
            raise MemoryError(f"{type(error).__name__}: {error}") from error
        link = link.__cause__ or link.__context__


def page_problem(stage: str, page: int, error: Exception) -> Problem:
    """The page problem for an exception: a refusal's own reason, else the exception's type and text."""
    message = str(error) if isinstance(error, PageRefused) else f"{type(error).__name__}: {error}"
    return Problem(stage=stage, page=page, message=message)


class PixelBudget:
    """Pixels of one document's page images: each page under the page limit, all under the document's."""

    def __init__(self, limits: ReadLimits) -> None:
        self.limits = limits
        self.used = 0

    def take(self, width_px: float, height_px: float) -> None:
        pixels = int(width_px) * int(height_px)
        if pixels > self.limits.max_page_pixels:
            raise PageRefused(
                f"页面图像过大 ({int(width_px)}×{int(height_px)} = {pixels / 1e6:.0f} MP, "
                f"the limit is {self.limits.max_page_pixels / 1e6:.0f} MP per page)"
            )
        if self.used + pixels > self.limits.max_document_pixels:
            raise PageRefused(
                f"文档图像总量过大 (the document's page images exceed {self.limits.max_document_pixels / 1e6:.0f} MP)"
            )
        self.used += pixels


def check_render(page: pymupdf.Page, dpi: float, budget: PixelBudget) -> None:
    """The pixels rendering `page` at `dpi` would take, checked before get_pixmap allocates them."""
    budget.take(page.rect.width / 72 * dpi, page.rect.height / 72 * dpi)


def check_form_draws(document: pymupdf.Document, page: pymupdf.Page, limits: ReadLimits) -> None:
    """PageRefused when the page's Form XObjects, nesting multiplied out, draw more than the limit."""
    children: dict[int, dict[str, int]] = {}
    for xref, name, invoker, _bbox in page.get_xobjects():
        children.setdefault(invoker, {})[name] = xref
    if not children:
        return
    memo: dict[int, int] = {}
    on_stack: set[int] = set()

    def uses(xref: int) -> Counter[bytes]:
        content = b"\n".join(document.xref_stream(x) or b"" for x in page.get_contents()) if xref == 0 else None
        if content is None:
            if document.xref_get_key(xref, "Subtype")[1] != "/Form":
                return Counter()
            content = document.xref_stream(xref) or b""
        return Counter(_DO.findall(content))

    def draws(xref: int, depth: int) -> int:
        if xref in memo:
            return memo[xref]
        if depth > limits.max_form_depth:
            raise PageRefused(f"页面内容嵌套过深 (Form XObjects nested deeper than {limits.max_form_depth})")
        if xref in on_stack:
            return 0  # a form that draws itself: MuPDF stops the cycle, it adds no work
        on_stack.add(xref)
        total = 1
        for name, count in uses(xref).items():
            child = children.get(xref, {}).get(name.decode("latin-1"))
            if child is not None:
                total += count * draws(child, depth + 1)
                if total > limits.max_form_draws:
                    break
        on_stack.discard(xref)
        memo[xref] = total
        return total

    total = draws(0, 0)
    if total > limits.max_form_draws:
        raise PageRefused(
            f"页面内容过于复杂 (its Form XObjects draw more than {limits.max_form_draws} times, nesting multiplied out)"
        )
