"""Constraint naming shared by every table, so migrations can name what they alter.

Alembic recommends a naming convention on the metadata: without it SQLite batch migrations and
PostgreSQL constraint drops cannot find unnamed constraints. It must be set before any table class
is defined, hence this module is imported first by models/.
"""

from sqlmodel import SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
