"""Trigram indexes for `q`: substring search over titles and descriptions (PostgreSQL).

`q` is a case-insensitive substring match (ILIKE with its wildcards escaped);
a B-tree cannot serve a pattern with a leading wildcard, a pg_trgm GIN index
can. SQLite gets no index: there `q` scans, as before.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXES = {"ix_task_title_trgm": "title", "ix_task_description_trgm": "description"}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # A trusted extension since PostgreSQL 13: the database's owner may create it (Neon too).
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        op.create_index(
            name,
            "task",
            [column],
            postgresql_using="gin",
            postgresql_ops={column: "gin_trgm_ops"},
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.drop_index(name, table_name="task")
    # The extension stays: other objects may use it, and it holds no data.
