"""Which files an ingest run reads: by content (sniff), not by extension alone."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from extractor.errors import InputError
from extractor.sniff import sniff_kind

DOCUMENT_SUFFIXES = frozenset(
    {".pdf", ".docx", ".xlsx", ".xls", ".doc", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}
)
"""A file in a directory that claims one of these is a document even when its bytes disagree: it is then
ingested and ends `failed` with the reason (empty, text renamed .pdf, legacy .doc), not silently skipped."""


@dataclass
class Discovery:
    documents: list[Path] = field(default_factory=list)
    not_documents: int = 0
    """Files inside the given directories that are neither documents by content nor by name."""


def is_document(path: Path) -> bool:
    if path.suffix.lower() in DOCUMENT_SUFFIXES:
        return True
    try:
        sniff_kind(path)
    except InputError:
        return False
    return True


def _walk(directory: Path) -> Iterable[Path]:
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        for name in sorted(files):
            yield Path(root) / name


def discover(paths: Iterable[Path]) -> Discovery:
    """Files given by name are always documents (a bad one fails with its reason);
    directories are searched recursively and keep only what is a document by content or name."""
    found = Discovery()
    seen: set[Path] = set()
    for given in paths:
        if given.is_dir():
            for path in _walk(given):
                if not path.is_file():
                    continue
                if is_document(path):
                    _add(found, seen, path)
                else:
                    found.not_documents += 1
        else:
            _add(found, seen, given)
    return found


def _add(found: Discovery, seen: set[Path], path: Path) -> None:
    resolved = path.resolve()
    if resolved not in seen:
        seen.add(resolved)
        found.documents.append(resolved)
