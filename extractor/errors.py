"""Errors that end the reading of one file, with a reason a person can act on."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """A file cannot be read: missing, unsupported, encrypted, corrupt, empty.

    `str()` is one line naming the file and the reason, for the CLI and the store.
    """

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")
