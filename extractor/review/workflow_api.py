"""Workflow routes of the review page: undo a correction, accept a flagged field, retry a failed document."""

from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from extractor.review.api import _document, _engine, _etag, _if_match, document_payload
from extractor.review.auth import Admin, AnyCaller, Reviewer
from extractor.review.records import NotCorrectable, StaleVersion, document_version
from extractor.review.workflow import (
    NotAccepted,
    NotRetryable,
    NotUndoable,
    accept_field,
    hold_lease,
    retry_document,
    undo_correction,
)
from extractor.store import session_scope

router = APIRouter(prefix="/api")


class Acceptance(BaseModel):
    ref: str
    """The flagged field that is right as printed (`i7.actual`)."""
    reason: Optional[str] = None


def _answer(session: Any, document_id: int, result: Any = None) -> JSONResponse:
    document = _document(session, document_id)
    version = document_version(session=session, document=document)
    return JSONResponse(document_payload(session, document, result), headers={"ETag": _etag(version)})


@router.post(
    "/documents/{id}/corrections/{correction_id}/undo",
    responses={404: {"description": "No such correction"}, 412: {"description": "Stale If-Match"}},
)
def post_undo(request: Request, id: int, correction_id: int, caller: Reviewer) -> JSONResponse:
    """Undo a correction: its `before` is written back as a new correction (the audit is never rewritten)."""
    with session_scope(_engine(request)) as session:
        _document(session, id)
        try:
            undone = undo_correction(
                session=session,
                document_id=id,
                correction_id=correction_id,
                who=caller.name,
                expected_version=_if_match(request),
            )
        except NotUndoable as error:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error
        except StaleVersion as error:
            raise HTTPException(
                status.HTTP_412_PRECONDITION_FAILED, str(error), headers={"ETag": _etag(error.current)}
            ) from error
        except NotCorrectable as error:
            raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
        return _answer(session, id, undone.result)


@router.post("/documents/{id}/accept", responses={422: {"description": "No finding cites the field"}})
def post_accept(request: Request, id: int, body: Acceptance, caller: Reviewer) -> JSONResponse:
    """Accept a flagged field as correct: recorded with who and why; its findings stay, marked accepted."""
    with session_scope(_engine(request)) as session:
        _document(session, id)
        try:
            accept_field(session=session, document_id=id, ref=body.ref, who=caller.name, reason=body.reason)
        except NotCorrectable as error:
            raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
        except NotAccepted as error:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(error)) from error
        return _answer(session, id)


@router.post("/documents/{id}/lease")
def post_lease(request: Request, id: int, caller: AnyCaller) -> dict[str, list[str]]:
    """The page has the document open (renewed every 30 s): answers who else has it open now."""
    with session_scope(_engine(request)) as session:
        _document(session, id)
        return {"others": hold_lease(session=session, document_id=id, who=caller.name)}


@router.post("/documents/{id}/retry", status_code=status.HTTP_202_ACCEPTED)
def post_retry(request: Request, id: int, caller: Admin) -> dict[str, Any]:
    """Admin: read a failed document again (it goes back to the queue)."""
    with session_scope(_engine(request)) as session:
        _document(session, id)
        try:
            task = retry_document(session=session, document_id=id)
        except NotRetryable as error:
            raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
    request.app.state.processor.submit(task)
    return {"id": id, "status": "queued"}
