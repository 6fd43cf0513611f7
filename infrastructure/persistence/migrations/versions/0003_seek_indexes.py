"""Indexes on (sort key, id) so that every keyset page is an index seek.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEXES: dict[str, tuple[str, list[Any]]] = {
    "ix_task_updated_at_id": ("task", ["updated_at", "id"]),
    # Tasks without a due date come last in both directions: one index per direction.
    "ix_task_due_date_asc": (
        "task",
        [sa.text("(due_date IS NULL)"), sa.text("coalesce(due_date, '2000-01-01')"), "id"],
    ),
    "ix_task_due_date_desc": (
        "task",
        [sa.text("(due_date IS NOT NULL)"), sa.text("coalesce(due_date, '2000-01-01')"), "id"],
    ),
    "ix_task_priority_id": ("task", ["priority", "id"]),
    "ix_task_title_id": ("task", ["title", "id"]),
    "ix_app_user_name_id": ("app_user", ["name", "id"]),
    "ix_app_user_created_at_id": ("app_user", ["created_at", "id"]),
    "ix_project_name_id": ("project", ["name", "id"]),
    "ix_project_created_at_id": ("project", ["created_at", "id"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
