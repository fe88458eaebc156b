"""What every `extractor` command shares: one error line, one set of store options, one worker default.

The convention (README "Command line"): a user error — a bad option value, a missing file, an unreachable
database, an unwritable directory — ends with exit code 1 and ONE line on stderr, `error: <what>: <reason>`;
never a usage box or a traceback. Output directories are always `--out`; every store command takes
`--data-dir` and `--database-url`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional

import typer

# Typer (≥ 0.29) vendors click as typer._click: its usage errors are these classes, not the `click` package's.
from typer._click import exceptions as cli_errors
from typer.core import TyperGroup

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from extractor.store import StoreSettings

DEFAULT_WORKERS = os.cpu_count() or 1
"""Worker processes of `ingest` and `serve` when --workers is not given: one per core."""

DatabaseOption = Annotated[
    Optional[str],
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL (default: EXTRACTOR_DATABASE_URL, else SQLite in the data dir)",
        show_default=False,
    ),
]
DataDirOption = Annotated[
    Optional[Path],
    typer.Option("--data-dir", help="Data directory (default: EXTRACTOR_DATA_DIR, else ./data)", show_default=False),
]
WorkersOption = Annotated[int, typer.Option("--workers", "-j", min=1, help="Worker processes (default: one per core)")]


class UserError(Exception):
    """A problem the user can fix; the CLI prints `error: <what>: <reason>` and exits 1."""

    def __init__(self, what: object, reason: str) -> None:
        self.what = str(what)
        self.reason = " ".join(str(reason).split())
        super().__init__(f"{self.what}: {self.reason}")


def fail(what: object, reason: str) -> NoReturn:
    """End the command with the one error line (exit 1)."""
    raise UserError(what, reason)


def error_line(error: UserError) -> str:
    return f"error: {error.what}: {error.reason}"


def usage_error_line(error: cli_errors.UsageError) -> str:
    """A click usage error (bad value, unknown option, missing argument) in the one-line form."""
    if isinstance(error, cli_errors.NoSuchOption):
        return f"error: {error.option_name}: no such option"
    if isinstance(error, cli_errors.BadParameter) and error.param is not None:
        param = error.param
        what = " / ".join(param.opts) if param.param_type_name == "option" else (param.name or "argument").upper()
        if isinstance(error, cli_errors.MissingParameter):
            return f"error: {what}: missing"
        return f"error: {what}: {' '.join(error.message.split())}"
    where = error.ctx.command_path if error.ctx is not None else "extractor"
    return f"error: {where}: {' '.join(error.format_message().split())}"


class OneLineErrors(TyperGroup):
    """The root group: click's usage errors (exit 2, a boxed usage text) become the one line and exit 1."""

    def main(  # type: ignore[override]  # same call as click's, narrowed to what the CLI passes
        self,
        args: Optional[Sequence[str]] = None,
        prog_name: Optional[str] = None,
        complete_var: Optional[str] = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            outcome = super().main(
                args=args, prog_name=prog_name, complete_var=complete_var, standalone_mode=False, **extra
            )
        except cli_errors.NoArgsIsHelpError as error:
            # `extractor` or `extractor token` alone asks what there is to do: the help, not an error.
            typer.echo(error.ctx.get_help() if error.ctx is not None else error.format_message())
            outcome = 0
        except cli_errors.UsageError as error:
            typer.echo(usage_error_line(error), err=True)
            outcome = 1
        except UserError as error:
            typer.echo(error_line(error), err=True)
            outcome = 1
        except typer.Abort:
            typer.echo("error: interrupted", err=True)
            outcome = 130
        if not standalone_mode:
            return outcome
        sys.exit(outcome if isinstance(outcome, int) else 0)


def out_dir(path: Path) -> Path:
    """`--out` as a directory that exists and can be written (created when missing)."""
    if path.exists() and not path.is_dir():
        fail(f"--out {path}", "exists and is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        fail(f"--out {path}", error.strerror or str(error))
    if not os.access(path, os.W_OK | os.X_OK):
        fail(f"--out {path}", "not writable")
    return path


def store_settings(database_url: Optional[str], data_dir: Optional[Path]) -> StoreSettings:
    """The store the options name; the environment (EXTRACTOR_*) fills what they leave out."""
    from extractor.store import StoreSettings

    given: dict[str, Any] = {}
    if database_url:
        given["database_url"] = database_url
    if data_dir is not None:
        given["data_dir"] = data_dir
    return StoreSettings(**given)


def _shown_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not even a URL: show what was given
        return url


@contextmanager
def store_errors(settings: StoreSettings) -> Iterator[None]:
    """Configuration errors of the store (no server, no driver, bad URL, unwritable directory) as one line."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    where = (
        f"database {_shown_url(settings.database_url)}" if settings.database_url else f"data dir {settings.data_dir}"
    )
    try:
        yield
    except NoSuchModuleError as error:
        fail(where, f"unknown database dialect ({error})")
    except ModuleNotFoundError as error:
        fail(where, f"database driver {error.name} is not installed")
    except ArgumentError as error:
        fail(where, f"not a database URL ({error})")
    except OperationalError as error:
        reason = str(error.orig) if error.orig is not None else str(error)
        fail(where, reason.strip().splitlines()[0] if reason.strip() else type(error).__name__)
    except PermissionError as error:
        fail(where, error.strerror or "permission denied")
    except OSError as error:
        fail(where, error.strerror or str(error))


def open_engine(settings: StoreSettings) -> Engine:
    """The migrated store engine, or the one error line when it cannot be opened."""
    from extractor.store import open_store

    with store_errors(settings):
        if not settings.database_url:
            _check_data_dir(settings.data_dir)
        return open_store(settings)
    raise AssertionError("unreachable: store_errors re-raises as UserError")  # for mypy's flow analysis


def _check_data_dir(data_dir: Path) -> None:
    if data_dir.exists() and not data_dir.is_dir():
        fail(f"data dir {data_dir}", "exists and is not a directory")
    data_dir.mkdir(parents=True, exist_ok=True)
    if not os.access(data_dir, os.W_OK | os.X_OK):
        fail(f"data dir {data_dir}", "not writable")
