"""The service's limits on what a client may send, and the headers every answer carries.

- Bodies: an upload past its size limit is answered 413 while it arrives (not after it has been
  spooled to disk); any other request body past `max_body_kb` likewise.
- Time: an upload that stalls (nothing for `upload_idle_s`) or drags on past `upload_total_s` is
  answered 408 and closed, so stalled connections cannot pile up.
- Values: a correction's value and reason have a length limit, numbers must be finite and within
  what the store's columns hold (`CorrectionValue`); a number too large for the database anywhere
  else (a path id of 2^63) is a 422, never a 500.
- Headers: a content security policy (same-origin scripts, no framing), nosniff and no referrer on
  every answer; `Cache-Control: no-store` on the answer that carries a new token.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from typing import Annotated, Any, Optional, Union

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, StringConstraints
from sqlalchemy.exc import DataError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from extractor.review.pages import PageImageRefused

MULTIPART_SLACK = 64 * 1024
"""Room for the multipart boundaries and part headers around the file itself."""
MAX_VALUE_CHARS = 2000
MAX_REASON_CHARS = 2000
MAX_NUMBER = 1e15
"""Largest magnitude a corrected number may have: well above any amount in 元, and exact in a double."""

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; "
        b"form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
_DOCS_PATHS = ("/docs", "/redoc")
"""FastAPI's API docs load their script from a CDN: no CSP there (they hold no data)."""


def _bounded_number(value: float) -> float:
    if not math.isfinite(value) or abs(value) > MAX_NUMBER:
        raise ValueError(f"数值超出范围 (a number must be finite and at most {MAX_NUMBER:g} in magnitude)")
    return value


CorrectionValue = Optional[
    Union[
        Annotated[str, StringConstraints(max_length=MAX_VALUE_CHARS)],
        Annotated[float, AfterValidator(_bounded_number)],
    ]
]
"""A corrected value: text as printed (re-parsed) or a number, both bounded."""
CorrectionReason = Optional[Annotated[str, StringConstraints(max_length=MAX_REASON_CHARS)]]


class _TooLarge(Exception):
    pass


class _Stalled(Exception):
    pass


class RequestLimits:
    """ASGI middleware: body size and upload time limits, security headers, no-store on tokens."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        upload_path: str,
        upload_limit: int,
        body_limit: int,
        idle_s: float,
        total_s: float,
        no_store_paths: tuple[str, ...] = ("/api/tokens",),
    ) -> None:
        self.app = app
        self.upload_path = upload_path
        self.upload_limit = upload_limit
        self.body_limit = body_limit
        self.idle_s = idle_s
        self.total_s = total_s
        self.no_store_paths = no_store_paths

    def _ceiling(self, scope: Scope) -> tuple[int, bool]:
        upload = scope["method"] == "POST" and scope["path"] == self.upload_path
        return (self.upload_limit + MULTIPART_SLACK if upload else self.body_limit), upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ceiling, upload = self._ceiling(scope)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > ceiling:
            await _reject(send, 413, self._too_large(upload))
            return
        received = 0
        started = False
        deadline = time.monotonic() + self.total_s

        async def limited_receive() -> Message:
            nonlocal received
            if upload:
                remaining = deadline - time.monotonic()
                try:
                    message = await asyncio.wait_for(receive(), timeout=max(0.0, min(self.idle_s, remaining)))
                except asyncio.TimeoutError as error:
                    raise _Stalled() from error
            else:
                message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > ceiling:
                    raise _TooLarge()
            return message

        async def headed_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                extra = [] if scope["path"].startswith(_DOCS_PATHS) else SECURITY_HEADERS
                if scope["method"] == "POST" and scope["path"] in self.no_store_paths:
                    extra = [*extra, (b"cache-control", b"no-store"), (b"pragma", b"no-cache")]
                names = {name for name, _ in extra}
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": kept + extra}
            await send(message)

        try:
            await self.app(scope, limited_receive, headed_send)
        except _TooLarge:
            if not started:
                await _reject(send, 413, self._too_large(upload))
        except _Stalled:
            if not started:
                await _reject(
                    send, 408, f"上传超时 (upload idle for {self.idle_s:g} s or longer than {self.total_s:g} s)"
                )

    def _too_large(self, upload: bool) -> str:
        if upload:
            limit = self.upload_limit
            return f"文件超过上传上限 {limit / 1024 / 1024:g} MB (upload larger than {limit} bytes)"
        return f"请求过大 (request body larger than {self.body_limit} bytes)"


async def _reject(send: Send, code: int, detail: str) -> None:
    body: Any = json.dumps({"detail": detail}, ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": code,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close"), *SECURITY_HEADERS],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _out_of_range(_request: Request, error: Exception) -> JSONResponse:
    """A number the database cannot hold (a path id of 2^63, a year past int4): the client's mistake."""
    return JSONResponse({"detail": f"数值超出范围 (number out of range: {type(error).__name__})"}, status_code=422)


async def _invalid_request(_request: Request, error: Exception) -> JSONResponse:
    """FastAPI's 422, without echoing the input: a NaN or Infinity in it made the error answer itself
    fail to render (JSON has no such numbers), which turned a client's mistake into a 500."""
    assert isinstance(error, RequestValidationError)
    details = [
        {key: value for key, value in item.items() if key not in ("input", "ctx", "url")} for item in error.errors()
    ]
    return JSONResponse({"detail": jsonable_encoder(details)}, status_code=422)


def _refused_page(_request: Request, error: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(error)}, status_code=422)


def install_limits(app: FastAPI, settings: Any) -> None:
    """The middleware and error answers above, with the service's settings."""
    app.add_middleware(
        RequestLimits,
        upload_path="/api/documents",
        upload_limit=settings.max_upload_bytes,
        body_limit=settings.max_body_kb * 1024,
        idle_s=settings.upload_idle_s,
        total_s=settings.upload_total_s,
    )
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(PageImageRefused, _refused_page)
    app.add_exception_handler(OverflowError, _out_of_range)
    app.add_exception_handler(DataError, _out_of_range)
