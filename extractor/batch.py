"""`extractor extract` over many files in one process: which files, and one file's work.

Kept free of typer and rich so that a sandboxed child process (issue 9) can import `extract_file`
cheaply and run exactly what the command runs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Union

from pydantic import BaseModel, ConfigDict

from extractor.errors import InputError
from schemas import ExtractionResult, ExtractOptions

if TYPE_CHECKING:
    from extractor.sandbox import Limits


class InputProblem(BaseModel):
    """A named input that yields no file to read (missing path, directory without documents)."""

    model_config = ConfigDict(frozen=True)

    path: Path
    reason: str

    def line(self) -> str:
        return f"{self.path}: {self.reason}"


def expand_inputs(paths: Sequence[Path]) -> Iterator[Union[Path, InputProblem]]:
    """Files in the order given; a directory contributes its documents (recursively, by content or name).

    A file named directly is always read, so an unsupported one fails with its reason; a missing path or
    a directory holding no document is reported, and the other inputs go on.
    """
    from extractor.ingest.discover import discover

    seen: set[Path] = set()
    for given in paths:
        if not given.exists():
            yield InputProblem(path=given, reason="文件不存在 (no such file or directory)")
            continue
        found = discover([given]).documents if given.is_dir() else [given]
        if not found:
            yield InputProblem(path=given, reason="目录中没有文档 (no documents found in this directory)")
        for path in found:
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                yield path


def extract_file(path: Path, options: ExtractOptions, limits: Optional[Limits] = None) -> ExtractionResult:
    """One file's work: its SPEC result, or InputError (SandboxFailure under `limits`) whose text is the one
    line `<file>: <reason>`. With `limits` the file is read in a bounded child (extractor.sandbox)."""
    from extractor.pipeline import extract
    from extractor.vision.model_files import ModelFileError

    if limits is not None:
        from extractor.sandbox import extract_limited

        return extract_limited(path, options, limits)
    try:
        return extract(path, options)
    except (InputError, ModelFileError):  # ModelFileError: a configured model is missing or not the one pinned
        raise
    except Exception as error:  # an unexpected failure still names the file in one line
        raise InputError(path, f"处理失败 (internal error: {type(error).__name__}: {error})") from error


def output_name(path: Path, taken: set[str]) -> str:
    """`<file>.json` in --out; a second input of the same name (another folder) gets its parent's name too."""
    name = f"{path.name}.json"
    if name in taken:
        name = f"{path.parent.name}__{path.name}.json"
    counter = 2
    base = name
    while name in taken:
        name = base.replace(".json", f".{counter}.json")
        counter += 1
    taken.add(name)
    return name
