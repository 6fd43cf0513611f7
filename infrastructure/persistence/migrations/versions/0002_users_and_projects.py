"""Users and projects; tasks reference them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ux_app_user_email", "app_user", [sa.text("lower(email)")], unique=True)
    op.create_table(
        "project",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("description", sa.String(2000)),
        sa.Column("owner_id", BigId, sa.ForeignKey("app_user.id", ondelete="SET NULL")),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_project_owner_id", "project", ["owner_id"])
    op.create_index(
        "ux_project_owner_name",
        "project",
        [sa.text("coalesce(owner_id, 0)"), "name"],
        unique=True,
    )
    with op.batch_alter_table("task", table_kwargs={"sqlite_autoincrement": True}) as task:
        task.create_foreign_key(
            "fk_task_project_id", "project", ["project_id"], ["id"], ondelete="CASCADE"
        )
        task.create_foreign_key(
            "fk_task_assignee_id", "app_user", ["assignee_id"], ["id"], ondelete="SET NULL"
        )
        task.create_index("ix_task_project_id_status", ["project_id", "status"])
        task.create_index("ix_task_assignee_id", ["assignee_id"])


def downgrade() -> None:
    with op.batch_alter_table("task", table_kwargs={"sqlite_autoincrement": True}) as task:
        task.drop_index("ix_task_assignee_id")
        task.drop_index("ix_task_project_id_status")
        task.drop_constraint("fk_task_assignee_id", type_="foreignkey")
        task.drop_constraint("fk_task_project_id", type_="foreignkey")
    op.drop_table("project")
    op.drop_table("app_user")
