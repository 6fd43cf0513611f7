"""Search stays fast while tasks are written: a short pending list for the trigram indexes.

A GIN index gathers new entries in a pending list (4 MB by default) that every
search reads in full until a vacuum or an overflow merges it into the index.
Under a steady stream of new tasks `q` slowed from 704 to 124 req/s in one
bench run; with 256 kB a search reads at most 32 pages of it, and writing the
tasks cost no more (bench/RESULTS.md). PostgreSQL only.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

INDEXES = ("ix_task_title_trgm", "ix_task_description_trgm")
PENDING_LIST_KB = 256


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"ALTER INDEX {name} SET (gin_pending_list_limit = {PENDING_LIST_KB})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"ALTER INDEX {name} RESET (gin_pending_list_limit)")
