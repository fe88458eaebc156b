"""Token management over HTTP (admin tokens only); the CLI `extractor token` does the same."""

from __future__ import annotations

from typing import Any, Optional

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel

from extractor.review.auth import Admin
from extractor.review.tokens import Role, create_token, list_tokens, revoke_token
from extractor.store import session_scope
from models import ApiToken, as_utc

router = APIRouter(prefix="/api/tokens", tags=["tokens"])


class NewToken(BaseModel):
    role: Role
    name: str


class TokenInfo(BaseModel):
    id: int
    name: str
    role: str
    created_at: str
    revoked_at: Optional[str] = None
    token: Optional[str] = None
    """Only in the answer that creates it: the token is not stored and cannot be shown again."""


def token_info(row: ApiToken, token: Optional[str] = None) -> TokenInfo:
    created, revoked = as_utc(row.created_at), as_utc(row.revoked_at)
    return TokenInfo(
        id=row.id or 0,
        name=row.name,
        role=row.role,
        created_at=created.isoformat() if created else "",
        revoked_at=revoked.isoformat() if revoked else None,
        token=token,
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TokenInfo)
def post_token(request: Request, body: NewToken, caller: Admin) -> Any:
    with session_scope(request.app.state.engine) as session:
        row, token = create_token(session=session, role=body.role, name=body.name)
        return token_info(row, token)


@router.get("", response_model=list[TokenInfo])
def get_tokens(request: Request, caller: Admin) -> Any:
    with session_scope(request.app.state.engine) as session:
        return [token_info(row) for row in list_tokens(session=session)]


@router.delete("/{token_id}", response_model=TokenInfo)
def delete_token(request: Request, token_id: int, caller: Admin) -> Any:
    with session_scope(request.app.state.engine) as session:
        try:
            return token_info(revoke_token(session=session, token_id=token_id))
        except LookupError as error:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from error
