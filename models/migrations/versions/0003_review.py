"""Review workstation: a reviewer's acceptance of a flagged field (finding kept, marked accepted), and
who has a document open (a lease the page renews).

Revision ID: 0003_review
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_review"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "finding_acceptances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("finding_key", sa.String(length=64), nullable=False),
        sa.Column("ref", sa.String(), nullable=False),
        sa.Column("who", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_finding_acceptances_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_acceptances")),
    )
    op.create_index(op.f("ix_finding_acceptances_document_id"), "finding_acceptances", ["document_id"])
    op.create_table(
        "document_leases",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("who", sa.String(), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_document_leases_document_id_documents"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("document_id", "who", name=op.f("pk_document_leases")),
    )


def downgrade() -> None:
    op.drop_table("document_leases")
    op.drop_index(op.f("ix_finding_acceptances_document_id"), table_name="finding_acceptances")
    op.drop_table("finding_acceptances")
