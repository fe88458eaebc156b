"""`python -m extractor …` runs the CLI of this checkout (the console script may point elsewhere)."""

from extractor.cli import app

app()
