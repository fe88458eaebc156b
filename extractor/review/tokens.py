"""API tokens: created by `extractor token create` or an admin, kept as salted sha256 only.

A token reads `jx_<key>.<secret>`. The key (public, indexed) finds the row; the secret is never
stored, only sha256(salt ‖ secret). Checking costs one indexed SELECT and one hash.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Optional

from sqlmodel import Session, col, select

from models import ApiToken, utc_now

PREFIX = "jx_"


class Role(str, Enum):
    reviewer = "reviewer"
    """Reads everything, corrects fields, marks documents reviewed."""
    ingest = "ingest"
    """Reads everything, uploads documents."""
    admin = "admin"
    """Everything, including managing tokens."""


@dataclass(frozen=True)
class Caller:
    """Who a valid token belongs to."""

    token_id: int
    name: str
    role: Role


def _hash(salt: str, secret: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode("utf-8")).hexdigest()


def create_token(*, session: Session, role: Role, name: str) -> tuple[ApiToken, str]:
    """A new token row and the token text to hand to its holder (shown once, never stored)."""
    key = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    row = ApiToken(key=key, name=name, role=role.value, salt=salt, secret_hash=_hash(salt, secret))
    session.add(row)
    session.flush()
    return row, f"{PREFIX}{key}.{secret}"


def verify_token(*, session: Session, token: str) -> Optional[Caller]:
    """The caller for a valid, unrevoked token; None for anything else."""
    if not token.startswith(PREFIX) or "." not in token:
        return None
    key, _, secret = token[len(PREFIX) :].partition(".")
    row = session.exec(select(ApiToken).where(ApiToken.key == key)).first()
    if row is None or row.revoked_at is not None or row.id is None:
        return None
    if not hmac.compare_digest(row.secret_hash, _hash(row.salt, secret)):
        return None
    try:
        role = Role(row.role)
    except ValueError:
        return None
    return Caller(token_id=row.id, name=row.name, role=role)


def list_tokens(*, session: Session) -> Sequence[ApiToken]:
    return session.exec(select(ApiToken).order_by(col(ApiToken.id))).all()


def revoke_token(*, session: Session, token_id: int) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise LookupError(f"no token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = utc_now()
        session.add(row)
    return row
