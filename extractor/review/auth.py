"""Bearer-token checks for the API: 401 without a valid token, 403 for the wrong role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Optional

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from extractor.review.tokens import Caller, Role, verify_token
from extractor.store import session_scope

_bearer = HTTPBearer(auto_error=False, description="`extractor token create --role reviewer|ingest|admin`")

UNAUTHORIZED = "需要有效的令牌 (missing or invalid bearer token: Authorization: Bearer <token>)"


def current_caller(
    request: Request, credentials: Annotated[Optional[HTTPAuthorizationCredentials], Depends(_bearer)]
) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
    with session_scope(request.app.state.engine) as session:
        caller = verify_token(session=session, token=credentials.credentials)
    if caller is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
    return caller


def require(*roles: Role) -> Callable[..., Caller]:
    """A dependency that admits only callers with one of `roles` (admin always passes)."""
    allowed = {*roles, Role.admin}

    def check(caller: Annotated[Caller, Depends(current_caller)]) -> Caller:
        if caller.role not in allowed:
            names = "、".join(sorted(role.value for role in allowed))
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"令牌角色 {caller.role.value} 无权执行此操作 (requires role: {names})"
            )
        return caller

    return check


AnyCaller = Annotated[Caller, Depends(current_caller)]
Reviewer = Annotated[Caller, Depends(require(Role.reviewer))]
Uploader = Annotated[Caller, Depends(require(Role.ingest))]
Admin = Annotated[Caller, Depends(require(Role.admin))]
