"""Bulk ingestion: files and directories into the store, in worker processes or on Ray."""

from extractor.ingest.discover import Discovery, discover
from extractor.ingest.run import IngestOptions, IngestSummary, ingest

__all__ = ["Discovery", "discover", "IngestOptions", "IngestSummary", "ingest"]
