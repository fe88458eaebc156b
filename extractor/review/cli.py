"""`extractor serve` and `extractor token create|list|revoke`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from extractor.cli_common import DatabaseOption, DataDirOption, fail, open_engine

if TYPE_CHECKING:
    from extractor.review.settings import ServiceSettings


def _settings(database_url: Optional[str], data_dir: Optional[Path], **overrides: object) -> ServiceSettings:
    from extractor.review.settings import ServiceSettings

    given: dict[str, Any] = {name: value for name, value in overrides.items() if value is not None}
    if database_url:
        given["database_url"] = database_url
    if data_dir is not None:
        given["data_dir"] = data_dir
    return ServiceSettings(**given)


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    workers: Annotated[
        Optional[int],
        typer.Option("--workers", "-j", min=1, help="Worker processes extracting uploads (default: one per core)"),
    ] = None,
    max_upload_mb: Annotated[Optional[float], typer.Option(min=0.001, help="Upload size limit (default 100)")] = None,
    timeout: Annotated[Optional[float], typer.Option(min=0.1, help="Seconds per uploaded document")] = None,
    memory_limit: Annotated[Optional[int], typer.Option(min=256, help="MB per worker")] = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Run the review service: the API (docs at /docs) and the review page at /review."""
    import uvicorn

    from extractor.review.app import create_app

    settings = _settings(
        database_url, data_dir, workers=workers, max_upload_mb=max_upload_mb, timeout_s=timeout, memory_mb=memory_limit
    )
    open_engine(settings).dispose()  # a store that cannot be opened is one error line, before the server starts
    typer.echo(f"review page: http://{host}:{port}/review   API docs: http://{host}:{port}/docs", err=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


token_app = typer.Typer(add_completion=False, no_args_is_help=True, help="API tokens of the review service.")


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option(help="reviewer (corrects), ingest (uploads) or admin (both, manages tokens)")],
    name: Annotated[Optional[str], typer.Option(help="Who holds it (recorded with each correction)")] = None,
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Print a new token (only its salted hash is stored: keep the printed text)."""
    from extractor.review.tokens import Role, create_token
    from extractor.store import session_scope

    try:
        chosen = Role(role)
    except ValueError:
        fail("--role", f"{role!r} is not one of {', '.join(r.value for r in Role)}")
    engine = open_engine(_settings(database_url, data_dir))
    try:
        with session_scope(engine) as session:
            row, token = create_token(session=session, role=chosen, name=name or chosen.value)
    finally:
        engine.dispose()
    typer.echo(f"token {row.id} ({chosen.value}, {row.name}) created:", err=True)
    typer.echo(token)


@token_app.command("list")
def token_list(database_url: DatabaseOption = None, data_dir: DataDirOption = None) -> None:
    """List tokens (never their secrets)."""
    from extractor.review.tokens import list_tokens
    from extractor.store import session_scope

    engine = open_engine(_settings(database_url, data_dir))
    try:
        with session_scope(engine) as session:
            for row in list_tokens(session=session):
                state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
                typer.echo(f"{row.id}\t{row.role}\t{row.name}\t{state}")
    finally:
        engine.dispose()


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(help="Token id (see `token list`)")],
    database_url: DatabaseOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Revoke a token: it stops working at once."""
    from extractor.review.tokens import revoke_token
    from extractor.store import session_scope

    engine = open_engine(_settings(database_url, data_dir))
    try:
        with session_scope(engine) as session:
            revoke_token(session=session, token_id=token_id)
    except LookupError as error:
        fail(f"token {token_id}", str(error))
    finally:
        engine.dispose()
    typer.echo(f"token {token_id} revoked")


def register(app: typer.Typer) -> None:
    """Add `serve` and `token` to the main `extractor` app."""
    app.command("serve")(serve_command)
    app.add_typer(token_app, name="token")
