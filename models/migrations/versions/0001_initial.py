"""Initial schema: documents, their records, corrections (append-only) and ingest jobs.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    """JSON on PostgreSQL (not JSONB: keeps key order); TEXT on SQLite, where a JSON-declared column
    has NUMERIC affinity and bare numbers in it get re-parsed inexactly (see models.types.JSONValue)."""
    return sa.JSON(none_as_null=True).with_variant(sa.Text(), "sqlite")


# Corrections are an audit trail: the database itself refuses to change or remove one.
_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER corrections_no_{action} BEFORE {action.upper()} ON corrections
        BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END"""
    for action in ("update", "delete")
]
_POSTGRES_TRIGGERS = [
    """CREATE FUNCTION corrections_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'corrections are append-only'; END $$""",
    """CREATE TRIGGER corrections_append_only BEFORE UPDATE OR DELETE ON corrections
        FOR EACH ROW EXECUTE FUNCTION corrections_append_only()""",
]


def _create_append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": _SQLITE_TRIGGERS, "postgresql": _POSTGRES_TRIGGERS}.get(dialect, []):
        op.execute(statement)


def _drop_append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS corrections_no_update")
        op.execute("DROP TRIGGER IF EXISTS corrections_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS corrections_append_only ON corrections")
        op.execute("DROP FUNCTION IF EXISTS corrections_append_only()")


def upgrade() -> None:
    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('mode', sa.String(), nullable=False),
    sa.Column('host', sa.String(), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('workers', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('files', sa.Integer(), nullable=False),
    sa.Column('ok', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('not_documents', sa.Integer(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('findings', _json(), nullable=False),
    sa.Column('options', _json(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    op.create_index(op.f('ix_jobs_status'), 'jobs', ['status'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('file', sa.String(), nullable=False),
    sa.Column('path', sa.String(), nullable=True),
    sa.Column('kind', sa.String(), nullable=True),
    sa.Column('pages', sa.Integer(), nullable=True),
    sa.Column('department', sa.String(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('self_score', sa.Float(), nullable=True),
    sa.Column('review_score', sa.Float(), nullable=True),
    sa.Column('schema_version', sa.String(), nullable=True),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('extra', _json(), nullable=True),
    sa.Column('result_extra', _json(), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_documents_job_id_jobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents'))
    )
    op.create_index(op.f('ix_documents_department'), 'documents', ['department'], unique=False)
    op.create_index(op.f('ix_documents_job_id'), 'documents', ['job_id'], unique=False)
    op.create_index(op.f('ix_documents_sha256'), 'documents', ['sha256'], unique=True)
    op.create_index(op.f('ix_documents_status'), 'documents', ['status'], unique=False)
    op.create_index(op.f('ix_documents_year'), 'documents', ['year'], unique=False)

    op.create_table('budget_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(), nullable=True),
    sa.Column('extra', _json(), nullable=True),
    sa.Column('source_page', sa.Integer(), nullable=True),
    sa.Column('source_bbox', _json(), nullable=True),
    sa.Column('source_table', sa.String(), nullable=True),
    sa.Column('source_row', sa.Integer(), nullable=True),
    sa.Column('section', sa.String(), nullable=True),
    sa.Column('item', sa.Text(), nullable=False),
    sa.Column('initial', sa.Float(), nullable=True),
    sa.Column('adjustment', sa.Float(), nullable=True),
    sa.Column('adjusted', sa.Float(), nullable=True),
    sa.Column('actual', sa.Float(), nullable=True),
    sa.Column('rate', sa.Float(), nullable=True),
    sa.Column('unit', sa.String(), nullable=True),
    sa.Column('weight', sa.Float(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('review_score', sa.Float(), nullable=True),
    sa.Column('confidence', _json(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_budget_lines_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_lines'))
    )
    op.create_index(op.f('ix_budget_lines_document_id'), 'budget_lines', ['document_id'], unique=False)

    op.create_table('corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('who', sa.String(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ref', sa.String(), nullable=False),
    sa.Column('before', _json(), nullable=True),
    sa.Column('after', _json(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_corrections_document_id_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_corrections'))
    )
    op.create_index(op.f('ix_corrections_document_id'), 'corrections', ['document_id'], unique=False)
    _create_append_only_triggers()

    op.create_table('doc_tables',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(), nullable=True),
    sa.Column('extra', _json(), nullable=True),
    sa.Column('section', sa.String(), nullable=True),
    sa.Column('role', sa.String(), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('pages', _json(), nullable=True),
    sa.Column('n_rows', sa.Integer(), nullable=True),
    sa.Column('n_cols', sa.Integer(), nullable=True),
    sa.Column('cells', _json(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_doc_tables_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_doc_tables'))
    )
    op.create_index(op.f('ix_doc_tables_document_id'), 'doc_tables', ['document_id'], unique=False)

    op.create_table('findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(), nullable=True),
    sa.Column('extra', _json(), nullable=True),
    sa.Column('rule', sa.String(), nullable=False),
    sa.Column('severity', sa.String(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('refs', _json(), nullable=False),
    sa.Column('expected', _json(), nullable=True),
    sa.Column('found', _json(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_findings_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_findings'))
    )
    op.create_index(op.f('ix_findings_document_id'), 'findings', ['document_id'], unique=False)
    op.create_index(op.f('ix_findings_rule'), 'findings', ['rule'], unique=False)

    op.create_table('indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(), nullable=True),
    sa.Column('extra', _json(), nullable=True),
    sa.Column('source_page', sa.Integer(), nullable=True),
    sa.Column('source_bbox', _json(), nullable=True),
    sa.Column('source_table', sa.String(), nullable=True),
    sa.Column('source_row', sa.Integer(), nullable=True),
    sa.Column('section', sa.String(), nullable=True),
    sa.Column('level1', sa.Text(), nullable=True),
    sa.Column('level2', sa.Text(), nullable=True),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('target_raw', sa.Text(), nullable=True),
    sa.Column('target_op', sa.String(), nullable=True),
    sa.Column('target_value', sa.Float(), nullable=True),
    sa.Column('target_unit', sa.String(), nullable=True),
    sa.Column('target_qualitative', sa.Boolean(), nullable=True),
    sa.Column('actual_raw', sa.Text(), nullable=True),
    sa.Column('actual_op', sa.String(), nullable=True),
    sa.Column('actual_value', sa.Float(), nullable=True),
    sa.Column('actual_unit', sa.String(), nullable=True),
    sa.Column('actual_qualitative', sa.Boolean(), nullable=True),
    sa.Column('weight', sa.Float(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('review_score', sa.Float(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('deviation_reason', sa.Text(), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.Column('confidence', _json(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_indicators_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators'))
    )
    op.create_index(op.f('ix_indicators_document_id'), 'indicators', ['document_id'], unique=False)

    op.create_table('paragraphs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(), nullable=True),
    sa.Column('extra', _json(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('page', sa.Integer(), nullable=True),
    sa.Column('bbox', _json(), nullable=True),
    sa.Column('section', sa.String(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_paragraphs_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paragraphs'))
    )
    op.create_index(op.f('ix_paragraphs_document_id'), 'paragraphs', ['document_id'], unique=False)

    op.create_table('problems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(), nullable=True),
    sa.Column('extra', _json(), nullable=True),
    sa.Column('stage', sa.String(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('page', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_problems_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problems'))
    )
    op.create_index(op.f('ix_problems_document_id'), 'problems', ['document_id'], unique=False)

    op.create_table('score_summaries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(), nullable=True),
    sa.Column('extra', _json(), nullable=True),
    sa.Column('source_page', sa.Integer(), nullable=True),
    sa.Column('source_bbox', _json(), nullable=True),
    sa.Column('source_table', sa.String(), nullable=True),
    sa.Column('source_row', sa.Integer(), nullable=True),
    sa.Column('section', sa.String(), nullable=True),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('weight', sa.Float(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('review_score', sa.Float(), nullable=True),
    sa.Column('confidence', _json(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_score_summaries_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score_summaries'))
    )
    op.create_index(op.f('ix_score_summaries_document_id'), 'score_summaries', ['document_id'], unique=False)

    op.create_table('sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(), nullable=True),
    sa.Column('extra', _json(), nullable=True),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('project_name', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_sections_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sections'))
    )
    op.create_index(op.f('ix_sections_document_id'), 'sections', ['document_id'], unique=False)



def downgrade() -> None:
    op.drop_index(op.f('ix_sections_document_id'), table_name='sections')

    op.drop_table('sections')
    op.drop_index(op.f('ix_score_summaries_document_id'), table_name='score_summaries')

    op.drop_table('score_summaries')
    op.drop_index(op.f('ix_problems_document_id'), table_name='problems')

    op.drop_table('problems')
    op.drop_index(op.f('ix_paragraphs_document_id'), table_name='paragraphs')

    op.drop_table('paragraphs')
    op.drop_index(op.f('ix_indicators_document_id'), table_name='indicators')

    op.drop_table('indicators')
    op.drop_index(op.f('ix_findings_rule'), table_name='findings')
    op.drop_index(op.f('ix_findings_document_id'), table_name='findings')

    op.drop_table('findings')
    op.drop_index(op.f('ix_doc_tables_document_id'), table_name='doc_tables')

    op.drop_table('doc_tables')
    _drop_append_only_triggers()
    op.drop_index(op.f('ix_corrections_document_id'), table_name='corrections')

    op.drop_table('corrections')
    op.drop_index(op.f('ix_budget_lines_document_id'), table_name='budget_lines')

    op.drop_table('budget_lines')
    op.drop_index(op.f('ix_documents_year'), table_name='documents')
    op.drop_index(op.f('ix_documents_status'), table_name='documents')
    op.drop_index(op.f('ix_documents_sha256'), table_name='documents')
    op.drop_index(op.f('ix_documents_job_id'), table_name='documents')
    op.drop_index(op.f('ix_documents_department'), table_name='documents')

    op.drop_table('documents')
    op.drop_index(op.f('ix_jobs_status'), table_name='jobs')

    op.drop_table('jobs')
