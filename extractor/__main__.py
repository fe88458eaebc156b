"""`python -m extractor …`: the same app as the `extractor` console script."""

from extractor.cli import app

app()
