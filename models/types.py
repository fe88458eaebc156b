"""Column types that hold every value of the schema exactly, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
from typing import Any, Optional

from pydantic_core import to_json
from sqlalchemy import JSON as _JSON
from sqlalchemy import Dialect, Text, TypeDecorator
from sqlalchemy.types import TypeEngine


class EncodedJSON(str):
    """JSON text encoded ahead of the insert (by an ingest worker, in parallel with the others): stored as
    it is, not encoded again. extractor.store.engine passes it through PostgreSQL's JSON serializer too."""


_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
"""What json.dumps(value, ensure_ascii=False, allow_nan=False) builds on every call, built once (it keeps
no state between calls)."""


def encode_json(value: Any) -> EncodedJSON:
    """Compact JSON text of a column value. pydantic-core's encoder (3x the standard one: an ingest worker
    encodes every JSON cell of every record) writes the same numbers and strings; it writes a non-finite
    float as a bare NaN/Infinity, which is not JSON — such text (or a string that merely contains those
    words) goes through the standard encoder, which refuses the value as the store always has."""
    text = to_json(value, inf_nan_mode="constants").decode()
    if "NaN" in text or "Infinity" in text:
        text = _ENCODER.encode(value)
    return EncodedJSON(text)


class JSONValue(TypeDecorator[Any]):
    """JSON that round-trips exactly; None is SQL NULL.

    PostgreSQL: type JSON, not JSONB — JSON keeps the text as written, so dict key order survives.
    SQLite: declared TEXT. A column declared JSON gets NUMERIC affinity there, and SQLite then turns
    the text of a bare number into a number with its own (inexact) parser: `-0.0` came back `0`,
    `2.221135180582804e-297` came back one unit off. TEXT affinity stores the JSON text untouched.
    """

    impl = _JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(_JSON(none_as_null=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if dialect.name == "sqlite" and value is not None:
            return str(value) if isinstance(value, EncodedJSON) else encode_json(value)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if dialect.name == "sqlite" and value is not None:
            return json.loads(value)
        return value


def migration_json() -> TypeEngine[Any]:
    """What JSONValue is in the database, spelled with SQLAlchemy types only (for migrations)."""
    return _JSON(none_as_null=True).with_variant(Text(), "sqlite")


def exact_in_column(value: Optional[Any]) -> bool:
    """False for values a plain SQL column would change: SQLite stores -0.0 in a REAL column as 0.

    Such values are kept in the row's `extra` JSON as well (models.convert), which wins on reading.
    """
    return not (isinstance(value, float) and value == 0.0 and str(value).startswith("-"))
