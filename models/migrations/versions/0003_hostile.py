"""The corrections audit append-only for real, and each document's failed attempts kept for retries.

SQLite: `INSERT OR REPLACE` / `REPLACE INTO` rewrote a correction (the conflicting row is deleted
without firing the DELETE trigger); a BEFORE INSERT trigger now refuses an insert whose id exists.
PostgreSQL: the row triggers never see `TRUNCATE`, and the table's owner can `DISABLE TRIGGER`; a
statement-level BEFORE TRUNCATE trigger closes the first, and the application role `extractor_app`
(created here when the migrating role may create roles) closes the second: it may read and insert
corrections, nothing else, and as a non-owner it cannot alter the table or its triggers. Deploy the
service and `ingest` with that role, migrations with the owner (README: Audit).

documents.failures: every failed attempt ({at, job_id, reason, transient}); documents.retry: whether
an ordinary run may try the document again (a transient failure under the attempt limit).

Revision ID: 0003_hostile
Revises: 0003_review
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_hostile"
down_revision = "0003_review"  # main already holds 0003_review: chained after it here
branch_labels = None
depends_on = None

APP_ROLE = "extractor_app"

_SQLITE_NO_REPLACE = """CREATE TRIGGER corrections_no_replace BEFORE INSERT ON corrections
    WHEN EXISTS (SELECT 1 FROM corrections WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END"""

_POSTGRES_UP = [
    """CREATE TRIGGER corrections_no_truncate BEFORE TRUNCATE ON corrections
        FOR EACH STATEMENT EXECUTE FUNCTION corrections_append_only()""",
    # Created only where the migrating role may; a deployment without CREATEROLE creates it once by hand.
    f"""DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
            CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
        END IF;
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'role {APP_ROLE} not created: the migrating role lacks CREATEROLE';
    END $$""",
    f"""DO $$
    DECLARE tbl text;
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN RETURN; END IF;
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO {APP_ROLE}', current_schema());
        FOR tbl IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'corrections'
        LOOP
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO {APP_ROLE}', tbl);
        END LOOP;
        GRANT SELECT, INSERT ON corrections TO {APP_ROLE};
        EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO {APP_ROLE}', current_schema());
        -- Tables later migrations add (run by the owner) are the application's to use as well.
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}',
                       current_schema());
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO {APP_ROLE}',
                       current_schema());
    END $$""",
]

_POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS corrections_no_truncate ON corrections",
    f"""DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
            EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON TABLES FROM {APP_ROLE}', current_schema());
            EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I REVOKE ALL ON SEQUENCES FROM {APP_ROLE}',
                           current_schema());
            EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM {APP_ROLE}', current_schema());
            EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA %I FROM {APP_ROLE}', current_schema());
            EXECUTE format('REVOKE ALL ON SCHEMA %I FROM {APP_ROLE}', current_schema());
        END IF;
    END $$""",
]


def _json() -> sa.types.TypeEngine:
    """As in 0001: JSON on PostgreSQL, TEXT on SQLite (models.types.JSONValue reads both)."""
    return sa.JSON(none_as_null=True).with_variant(sa.Text(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("failures", _json(), nullable=True))
        batch.add_column(sa.Column("retry", sa.Boolean(), nullable=False, server_default=sa.true()))
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(_SQLITE_NO_REPLACE)
    elif dialect == "postgresql":
        for statement in _POSTGRES_UP:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS corrections_no_replace")
    elif dialect == "postgresql":
        for statement in _POSTGRES_DOWN:
            op.execute(statement)
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("retry")
        batch.drop_column("failures")
