"""Tasks, tags and the link between them.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Migrations are frozen history: they do not import the application's types.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "tag",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False, unique=True),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "task",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("description", sa.String(2000)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("due_date", sa.Date()),
        sa.Column("project_id", BigId),
        sa.Column("assignee_id", BigId),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.Column("completed_at", Timestamp),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('todo', 'in_progress', 'done')", name="ck_task_status"),
        sa.CheckConstraint("priority BETWEEN 1 AND 3", name="ck_task_priority"),
        sa.CheckConstraint("version >= 1", name="ck_task_version"),
        sa.CheckConstraint(
            "(status = 'done') = (completed_at IS NOT NULL)", name="ck_task_completed_at"
        ),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_task_created_at_id", "task", ["created_at", "id"])
    op.create_index("ix_task_status", "task", ["status"])
    op.create_table(
        "task_tag",
        sa.Column("task_id", BigId, sa.ForeignKey("task.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("tag_id", BigId, sa.ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_task_tag_tag_id", "task_tag", ["tag_id"])


def downgrade() -> None:
    op.drop_table("task_tag")
    op.drop_table("task")
    op.drop_table("tag")
