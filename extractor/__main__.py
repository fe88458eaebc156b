"""`python -m extractor …`: the CLI of this checkout (the console script may point at another install)."""

from extractor.cli import app

app()
