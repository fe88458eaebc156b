"""Corrections anchored to their printed cells: `corrections.anchor` holds the table cells the
corrected field was read from and their printed text, so that a re-extraction that renumbers
records (b31 → b1) still applies the correction to the same cell, or reports it cannot.

Plain ADD COLUMN (not a batch copy): on SQLite a table copy would drop the append-only triggers.

Revision ID: 0004_anchors
Revises: 0003_hostile
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_anchors"
down_revision = "0003_hostile"
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine:
    """As in 0001: JSON on PostgreSQL, TEXT on SQLite (models.types.JSONValue reads both)."""
    return sa.JSON(none_as_null=True).with_variant(sa.Text(), "sqlite")


def upgrade() -> None:
    op.add_column("corrections", sa.Column("anchor", _json(), nullable=True))


def downgrade() -> None:
    # SQLite ≥ 3.35 drops a column in place, keeping the table's triggers.
    op.drop_column("corrections", "anchor")
