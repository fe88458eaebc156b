"""Write a result's JSON to a file piece by piece, without holding the whole text in memory.

`model.model_dump_json(indent=2)` of a 1000-page result builds the whole document twice over (the
serializer's bytes, then the str): as much as the result itself. `write_json` writes the same bytes
(tests/unit/test_output.py compares them) but serializes one list item at a time, so the largest
piece held is one record (or, for a table, one cell).

Every scalar is still serialized by its own model's serializer (`include=` of that one field), so
the writer knows nothing of the schema beyond "a model has fields and some of them are lists".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Optional, TextIO

from pydantic import BaseModel, TypeAdapter

WHOLE_BELOW = 1000
"""A result holding fewer list items (cells, records, pages …) than this is written in one piece: its text is
at most ~250 KB, and memory only matters for long documents."""
CHUNK = 256
"""Items serialized per call: a few hundred KB of text at most, and nearly the speed of one whole dump."""
STREAMED_LIST = 16
"""A list of models at least this long is written item by item; shorter ones in one piece (fewer calls)
unless an item holds such a list."""


def write_json(model: BaseModel, handle: TextIO, indent: Optional[int] = 2) -> None:
    """Write `model.model_dump_json(indent=indent)` to `handle`, byte for byte, in pieces when it is big."""
    if _items(model, WHOLE_BELOW) < WHOLE_BELOW:
        handle.write(model.model_dump_json(indent=indent))  # small: one call is twice as fast as pieces
        return
    _write_model(model, handle, indent, 0)


def _items(model: BaseModel, limit: int) -> int:
    """Models held in the lists of `model`, at any depth, counted up to `limit`."""
    count = 0
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, list):
            for item in value:
                if isinstance(item, BaseModel):
                    count += 1 + _items(item, limit - count)
                    if count >= limit:
                        return count
    return count


def _streamed(value: object) -> bool:
    """A list of models that is long, or holds a model with a long list (one table of 4,000 cells)."""
    if not isinstance(value, list) or not value or not all(isinstance(item, BaseModel) for item in value):
        return False
    return len(value) >= STREAMED_LIST or any(_has_streamed(item) for item in value)


def _has_streamed(model: BaseModel) -> bool:
    return any(_streamed(getattr(model, name)) for name in type(model).model_fields)


def _write_model(model: BaseModel, handle: TextIO, indent: Optional[int], depth: int) -> None:
    """A model whose big lists are written item by item; any other model in one piece."""
    if not _has_streamed(model):
        handle.write(_indented(model.model_dump_json(indent=indent), indent, depth))
        return
    names = list(type(model).model_fields)
    handle.write("{")
    for position, name in enumerate(names):
        handle.write(_newline(indent, depth + 1))
        value = getattr(model, name)
        if _streamed(value):
            handle.write(_field_name(name, indent))
            _write_list(value, type(model).model_fields[name].annotation, handle, indent, depth + 1)
        else:
            handle.write(_field_piece(model, name, indent, depth + 1))
        if position < len(names) - 1:
            handle.write(",")
    handle.write(_newline(indent, depth) + "}")


def _write_list(
    items: Sequence[BaseModel], annotation: object, handle: TextIO, indent: Optional[int], depth: int
) -> None:
    """Items holding a long list are written field by field; the others in runs of up to CHUNK items, each
    run serialized by the field's own type (one call per run: per-item calls cost 3× the whole dump)."""
    handle.write("[")
    run: list[BaseModel] = []
    for position, item in enumerate(items):
        if _has_streamed(item):
            _write_run(run, annotation, handle, indent, depth, last=False)
            run = []
            handle.write(_newline(indent, depth + 1))
            _write_model(item, handle, indent, depth + 1)
            if position < len(items) - 1:
                handle.write(",")
            continue
        run.append(item)
        if len(run) == CHUNK:
            _write_run(run, annotation, handle, indent, depth, last=position == len(items) - 1)
            run = []
    _write_run(run, annotation, handle, indent, depth, last=True)
    handle.write(_newline(indent, depth) + "]")


def _write_run(
    run: list[BaseModel], annotation: object, handle: TextIO, indent: Optional[int], depth: int, last: bool
) -> None:
    if not run:
        return
    text = _adapter(annotation).dump_json(run, indent=indent).decode()
    inner = text[1:-1].strip("\n")  # the items without the list's brackets, one level in
    if indent is not None:
        inner = inner[indent:]
    handle.write(_newline(indent, depth + 1) + _indented(inner, indent, depth))
    if not last:
        handle.write(",")


@lru_cache(maxsize=64)
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    """The serializer of one list field's type (list[Cell], list[BudgetLine] …), built once."""
    return TypeAdapter(annotation)


def _field_piece(model: BaseModel, name: str, indent: Optional[int], depth: int) -> str:
    """`"name": value` as the model's own serializer writes that field, indented for `depth`."""
    text = model.model_dump_json(include={name}, indent=indent)
    # `{` + newline + one indent … newline + `}`; compact: `{` … `}`
    inner = text[1:-1].strip("\n") if indent is not None else text[1:-1]
    if indent is not None:
        inner = inner[indent:]  # the one level of indent the field had inside its own braces
    return _indented(inner, indent, depth - 1)


def _field_name(name: str, indent: Optional[int]) -> str:
    """`"name": ` for a list field written item by item (the schema uses no aliases: the key is the name)."""
    return json.dumps(name, ensure_ascii=False) + (": " if indent is not None else ":")


def _indented(text: str, indent: Optional[int], depth: int) -> str:
    """A piece serialized at depth 0 moved to `depth`: every line after its first indented further.

    Strings in JSON escape their newlines, so every newline in the text is structural.
    """
    if indent is None or depth == 0:
        return text
    return text.replace("\n", "\n" + " " * (indent * depth))


def _newline(indent: Optional[int], depth: int) -> str:
    return "" if indent is None else "\n" + " " * (indent * depth)
