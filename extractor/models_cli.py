"""`extractor models …`: commands about local model directories (the optional vision-language engine)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

models_app = typer.Typer(add_completion=False, no_args_is_help=True, help="Local model directories.")


def vl_settings(vl_model: Optional[Path]) -> dict[str, Any]:
    """ExtractOptions fields for `--vl-model DIR`: naming a model is asking for the `vl` table engine."""
    return {} if vl_model is None else {"vl_model": vl_model, "table_engine": "vl"}


@models_app.command("manifest")
def manifest(directory: Annotated[Path, typer.Argument(help="Model directory (config, weights, processor)")]) -> None:
    """Write DIR/manifest.json: the sha256 of every file, checked before each load of the model."""
    from extractor.vision.model_files import ModelFileError
    from extractor.vision.vl import write_manifest

    try:
        target = write_manifest(directory)
    except ModelFileError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(str(target))
