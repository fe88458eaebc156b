"""SQLModel tables for the store, and their conversion to and from the schemas/ models.

Import direction: schemas ← models ← extractor. The schema itself is created and upgraded by the
Alembic migrations in models/migrations (extractor.store.migrate), never by `create_all`.
"""

import models.base  # noqa: F401  (naming convention before any table)
from models.convert import RECORD_TABLES, document_values, result_to_rows, rows_to_result
from models.documents import Correction, Document, DocumentStatus, Job, JobStatus, as_utc, utc_now
from models.records import (
    BudgetLineRow,
    FindingRow,
    IndicatorRow,
    ParagraphRow,
    ProblemRow,
    ScoreSummaryRow,
    SectionRow,
    TableRow,
)
from models.review import ApiToken, DocumentLease, DocumentReview, FindingAcceptance

__all__ = [
    "RECORD_TABLES",
    "document_values",
    "result_to_rows",
    "rows_to_result",
    "Correction",
    "Document",
    "DocumentStatus",
    "Job",
    "JobStatus",
    "as_utc",
    "utc_now",
    "BudgetLineRow",
    "FindingRow",
    "IndicatorRow",
    "ParagraphRow",
    "ProblemRow",
    "ScoreSummaryRow",
    "SectionRow",
    "TableRow",
    "ApiToken",
    "DocumentReview",
    "FindingAcceptance",
    "DocumentLease",
]
