"""The store: documents and their SPEC records in SQLite (default) or any SQLAlchemy database.

Every function takes the session (or engine) explicitly and is keyword-only:

    engine = open_store(StoreSettings())          # migrates to the newest schema
    with session_scope(engine) as session:
        save_result(session=session, result=result, path=path)
        result = document_result(session=session, document_id=doc.id)
"""

from extractor.store.documents import (
    add_correction,
    count_by_status,
    document_result,
    find_document,
    get_document,
    list_corrections,
    list_documents,
    mark_failed,
    one_line,
    register_file,
    replace_records,
    save_result,
)
from extractor.store.engine import make_engine, open_store, session_scope
from extractor.store.migrate import current_revision, head_revision, upgrade
from extractor.store.settings import StoreSettings

__all__ = [
    "add_correction",
    "count_by_status",
    "document_result",
    "find_document",
    "get_document",
    "list_corrections",
    "list_documents",
    "mark_failed",
    "one_line",
    "register_file",
    "replace_records",
    "save_result",
    "make_engine",
    "open_store",
    "session_scope",
    "current_revision",
    "head_revision",
    "upgrade",
    "StoreSettings",
]
