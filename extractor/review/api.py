"""The /api routes: documents, uploads, corrections, page images, exports."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal, Optional

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile

from extractor.confidence import doubts_by_record
from extractor.review.audit import AuditEntry, audit_entries
from extractor.review.auth import AnyCaller, Reviewer, Uploader
from extractor.review.boxes import field_boxes, finding_keys
from extractor.review.corrections import CorrectionError
from extractor.review.limits import CorrectionReason, CorrectionValue
from extractor.review.pages import NoPageImage, PageSize, page_png, page_sizes
from extractor.review.queries import DocumentFilter, Order, Page, list_documents
from extractor.review.records import NotCorrectable, StaleVersion, correct_field, document_version
from extractor.review.summary import mark_reviewed, review_state
from extractor.review.uploads import NotADocument, TooLarge, accept_upload
from extractor.review.workflow import acceptances
from extractor.store import document_result, list_corrections, session_scope
from models import Document, DocumentReview, DocumentStatus
from schemas import ExtractionResult, PageInfo

router = APIRouter(prefix="/api")

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "PDF, DOCX, XLSX, XLS or image; the type is read from the bytes",
                        }
                    },
                }
            }
        },
    }
}


class Accepted(BaseModel):
    id: int
    sha256: str
    status: str
    file: str
    duplicate: bool = False
    """True when these bytes were stored before: the existing document is returned."""


class FieldCorrection(BaseModel):
    ref: str = Field(examples=["i7.actual"], description="`<record id>.<field>`, `document.<field>` or `t1.r5c2`")
    value: CorrectionValue = Field(examples=["5期"], description="The value as printed; re-parsed")
    reason: CorrectionReason = None


class ReviewMark(BaseModel):
    reviewed: bool = True


def _engine(request: Request) -> Any:
    return request.app.state.engine


def _document(session: Any, document_id: int) -> Document:
    document = session.get(Document, document_id)
    if document is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"没有编号为 {document_id} 的文档 (no document {document_id})")
    return document


def document_payload(session: Any, document: Document, result: Optional[ExtractionResult] = None) -> dict[str, Any]:
    """The SPEC JSON of a done document plus `id`, `status`, `error`, the review state, `boxes` (where
    each field is printed: ref → page, bbox and cell), `finding_keys` (finding id → stable key),
    `accepted` (stable key → who accepted the flagged field as correct) and `doubts` (record id → field →
    why its confidence is lowered, extractor.confidence), for the review page."""
    assert document.id is not None
    review = review_state(session.get(DocumentReview, document.id))
    extra = {"id": document.id, "status": document.status, "error": document.error, "review": review}
    if document.status == DocumentStatus.done.value:
        result = result or document_result(session=session, document_id=document.id)
        review_extra = {
            "boxes": field_boxes(result),
            "finding_keys": finding_keys(result),
            "accepted": acceptances(session=session, document_id=document.id),
            "doubts": doubts_by_record(result),
        }
        return {**result.model_dump(mode="json"), **extra, **review_extra}
    info = {"file": document.file, "sha256": document.sha256, "kind": document.kind, "pages": document.pages}
    return {"document": info, **extra}


@router.get("/me")
def get_me(caller: AnyCaller) -> dict[str, str]:
    """Who the token belongs to (the review page shows it after login)."""
    return {"name": caller.name, "role": caller.role.value}


@router.post(
    "/documents",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    openapi_extra=_UPLOAD_BODY,
    responses={
        200: {"description": "Already stored: the existing document"},
        413: {"description": "Over the size limit"},
        415: {"description": "Not a document"},
    },
)
async def upload_document(request: Request, caller: Uploader) -> Any:
    """Upload one file (multipart field `file`); it is extracted in a worker process."""
    settings = request.app.state.settings
    form = await request.form(max_files=1, max_fields=5)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "缺少文件字段 file (multipart field `file` missing)")
    try:
        accepted = await run_in_threadpool(
            accept_upload,
            engine=_engine(request),
            uploads_dir=settings.uploads_dir,
            stream=upload.file,
            filename=upload.filename,
            limit=settings.max_upload_bytes,
        )
    except TooLarge as error:
        raise HTTPException(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, str(error)) from error
    except NotADocument as error:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, f"{error} — 只接受 PDF、DOCX、XLSX、XLS 或图片"
        ) from error
    finally:
        await form.close()
    if accepted.task is not None:
        request.app.state.processor.submit(accepted.task)
    document = accepted.document
    body = Accepted(
        id=document.id or 0,
        sha256=document.sha256,
        status=document.status,
        file=document.file,
        duplicate=not accepted.created,
    )
    code = status.HTTP_202_ACCEPTED if accepted.created else status.HTTP_200_OK
    return JSONResponse(body.model_dump(), status_code=code)


@router.get("/documents", response_model=Page)
def get_documents(
    request: Request,
    caller: AnyCaller,
    status_: Annotated[
        Optional[DocumentStatus], Query(alias="status", description="queued, running, done, failed")
    ] = None,
    department: Optional[str] = None,
    year: Optional[int] = None,
    rule: Annotated[Optional[str], Query(description="documents with a finding of this rule")] = None,
    min_confidence: Annotated[Optional[float], Query(ge=0, le=1, description="every field at least this")] = None,
    below_confidence: Annotated[Optional[float], Query(ge=0, le=1, description="a field under this")] = None,
    reviewed: Optional[bool] = None,
    order: Annotated[Order, Query(description="`id`, or `queue`: what needs a person first")] = "id",
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Page:
    """Stored documents with their review counts, filtered and paged."""
    filters = DocumentFilter(
        status=status_.value if status_ is not None else None,
        department=department,
        year=year,
        rule=rule,
        min_confidence=min_confidence,
        below_confidence=below_confidence,
        reviewed=reviewed,
    )
    with session_scope(_engine(request)) as session:
        return list_documents(session=session, filters=filters, offset=offset, limit=limit, order=order)


def _etag(version: str) -> str:
    return f'"{version}"'


def _if_match(request: Request) -> Optional[str]:
    """The version the caller last read (If-Match), or None when it sent none (`*` matches any)."""
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return None
    return header.strip().removeprefix("W/").strip('"')


@router.get("/documents/{id}", responses={200: {"headers": {"ETag": {"description": "the document's version"}}}})
def get_document(request: Request, id: int, caller: AnyCaller) -> JSONResponse:
    """The SPEC JSON of one document, with its status, error and review state.

    The ETag names this version of the document; send it back as If-Match when correcting."""
    with session_scope(_engine(request)) as session:
        document = _document(session, id)
        version = document_version(session=session, document=document)
        return JSONResponse(document_payload(session, document), headers={"ETag": _etag(version)})


@router.patch(
    "/documents/{id}/fields",
    responses={
        409: {"description": "The document has no records yet"},
        412: {"description": "If-Match names an older version: someone corrected the document since"},
        422: {"description": "Unknown ref or unreadable value"},
    },
)
def patch_field(request: Request, id: int, body: FieldCorrection, caller: Reviewer) -> JSONResponse:
    """Correct one field: re-parsed, confidence 1.0, re-validated, audited. Answers the updated SPEC JSON.

    Send the ETag of the version you corrected as If-Match: a stale one is refused with 412."""
    return _correct(request, id, body, caller.name)


def _correct(request: Request, id: int, body: FieldCorrection, who: str) -> JSONResponse:
    with session_scope(_engine(request)) as session:
        _document(session, id)
        try:
            corrected = correct_field(
                session=session,
                document_id=id,
                ref=body.ref,
                value=body.value,
                who=who,
                reason=body.reason,
                expected_version=_if_match(request),
            )
        except StaleVersion as error:
            raise HTTPException(
                status.HTTP_412_PRECONDITION_FAILED, str(error), headers={"ETag": _etag(error.current)}
            ) from error
        except NotCorrectable as error:
            raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from error
        except CorrectionError as error:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(error)) from error
        document = _document(session, id)
        version = document_version(session=session, document=document)
        return JSONResponse(document_payload(session, document, corrected.result), headers={"ETag": _etag(version)})


@router.get("/documents/{id}/corrections")
def get_corrections(request: Request, id: int, caller: AnyCaller) -> list[AuditEntry]:
    """The audit: every correction of the document, oldest first (never changed or deleted), with its
    anchor and the ref it applies to now."""
    with session_scope(_engine(request)) as session:
        document = _document(session, id)
        done = document.status == DocumentStatus.done.value
        result = document_result(session=session, document_id=id) if done else None
        return audit_entries(result, list_corrections(session=session, document_id=id))


@router.post("/documents/{id}/review")
def post_review(request: Request, id: int, body: ReviewMark, caller: Reviewer) -> dict[str, Any]:
    """Mark the document reviewed (or not reviewed again)."""
    with session_scope(_engine(request)) as session:
        document = _document(session, id)
        if document.status != DocumentStatus.done.value:
            raise HTTPException(
                status.HTTP_409_CONFLICT, f"{document.file} 尚未处理完成 (document is {document.status})"
            )
        return review_state(mark_reviewed(session=session, document_id=id, who=caller.name, reviewed=body.reviewed))


def recorded_pages(document: Document) -> list[PageInfo]:
    """The reader's page record (sizes, scan turns), kept with the result's top-level extras."""
    return [PageInfo.model_validate(page) for page in (document.result_extra or {}).get("pages") or []]


def _source(request: Request, document_id: int) -> Document:
    with session_scope(_engine(request)) as session:
        document = _document(session, document_id)
    if not document.path:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"{document.file}: 不知道原文件在哪里 (no source path)")
    return document


@router.get("/documents/{id}/pages", response_model=list[PageSize])
def get_pages(request: Request, id: int, caller: AnyCaller) -> list[PageSize]:
    """Each page's size in PDF points, the unit of every bbox."""
    document = _source(request, id)
    try:
        return page_sizes(Path(document.path or ""), document.kind, recorded_pages(document))
    except NoPageImage as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error


@router.get(
    "/documents/{id}/pages/{n}.png", response_class=FileResponse, responses={200: {"content": {"image/png": {}}}}
)
def get_page_image(request: Request, id: int, n: int, caller: AnyCaller) -> FileResponse:
    """Page `n` (1-based) as PNG, rendered once and cached in the data dir."""
    document = _source(request, id)
    settings = request.app.state.settings
    turn = next((page for page in recorded_pages(document) if page.n == n), None)
    try:
        path = page_png(
            source=Path(document.path or ""),
            kind=document.kind,
            sha256=document.sha256,
            page=n,
            dpi=settings.page_dpi,
            cache_dir=settings.pages_dir,
            timeout_s=settings.render_timeout_s,
            memory_mb=settings.render_memory_mb,
            turn=turn,
        )
    except NoPageImage as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


_MEDIA = {
    "csv": "text/csv",
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/export", response_class=FileResponse)
def get_export(
    request: Request,
    caller: AnyCaller,
    format: Literal["csv", "xlsx", "parquet", "jsonl"] = "csv",
    kind: Annotated[
        Optional[list[Literal["indicators", "budget_lines", "scores", "findings"]]],
        Query(description="repeatable; one kind gives that file, several a ZIP"),
    ] = None,
    department: Optional[str] = None,
    year: Optional[int] = None,
    status_: Annotated[Optional[str], Query(alias="status")] = None,
    rule: Optional[str] = None,
    min_confidence: Annotated[Optional[float], Query(ge=0, le=1)] = None,
    reviewed_only: Annotated[bool, Query(description="only documents marked reviewed")] = False,
    since: Annotated[
        Optional[datetime], Query(description="only documents changed or reviewed since (ISO 8601)")
    ] = None,
) -> FileResponse:
    """The CLI's `extractor export`: SPEC field names as columns, same filters."""
    from extractor.export import RECORD_KINDS, ExportFilter, export

    kinds = tuple(kind or RECORD_KINDS)
    out = Path(tempfile.mkdtemp(prefix="export-"))
    cleanup = BackgroundTask(shutil.rmtree, out, ignore_errors=True)
    filters = ExportFilter(
        department=department,
        year=year,
        status=status_,
        rule=rule,
        min_confidence=min_confidence,
        reviewed_only=reviewed_only,
        since=since,
    )
    try:
        written = export(
            engine=_engine(request), out_dir=out / "files", kinds=kinds, formats=(format,), filters=filters
        )
    except Exception:
        shutil.rmtree(out, ignore_errors=True)
        raise
    if len(kinds) == 1:
        return FileResponse(written[0], media_type=_MEDIA[format], filename=written[0].name, background=cleanup)
    archive = out / f"export-{format}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in written:
            bundle.write(path, path.name)
    return FileResponse(archive, media_type="application/zip", filename=archive.name, background=cleanup)
