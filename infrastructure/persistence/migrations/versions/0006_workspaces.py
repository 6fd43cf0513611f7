"""Workspaces and API keys; every row in a workspace; row-level security on PostgreSQL.

Rows that existed before move into a workspace named ``default``. Uniqueness
(user e-mail, project name per owner, tag name, idempotency key) becomes
per workspace, and the indexes that pages seek on lead with the workspace.
On PostgreSQL every table with a ``workspace_id`` gets row-level security,
enabled and forced, with a policy on the transaction-local setting
``taskhex.workspace_id``, and the runtime role the service switches to at the
start of each transaction is created (or kept) and granted what it needs.
Downgrading keeps every row; it fails, changing nothing, if two workspaces
hold rows that would then clash.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Migrations are frozen history: they do not import the application's names.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)
RUNTIME_ROLE = "taskhex_runtime"
SEARCH_ROLE = "taskhex_search"
IN_WORKSPACE = "workspace_id = nullif(current_setting('taskhex.workspace_id', true), '')::bigint"
KEY_LOOKED_UP = "key_hash = decode(nullif(current_setting('taskhex.key_hash', true), ''), 'hex')"

SCOPED = ("app_user", "project", "task", "tag", "task_tag", "idempotency_key")
# SQLite's batch mode rebuilds a table from what it reflects, which misses AUTOINCREMENT.
_NEVER_REUSE_IDS = {"app_user", "project", "task", "tag"}
_DUE = "coalesce(due_date, '2000-01-01')"

# Indexes that gain the workspace as their first column: name -> (table, columns before).
INDEXES: dict[str, tuple[str, list[Any]]] = {
    "ix_task_created_at_id": ("task", ["created_at", "id"]),
    "ix_task_updated_at_id": ("task", ["updated_at", "id"]),
    "ix_task_due_date_asc": ("task", [sa.text("(due_date IS NULL)"), sa.text(_DUE), "id"]),
    "ix_task_due_date_desc": ("task", [sa.text("(due_date IS NOT NULL)"), sa.text(_DUE), "id"]),
    "ix_task_priority_id": ("task", ["priority", "id"]),
    "ix_task_title_id": ("task", ["title", "id"]),
    "ix_task_status": ("task", ["status"]),
    "ix_app_user_name_id": ("app_user", ["name", "id"]),
    "ix_app_user_created_at_id": ("app_user", ["created_at", "id"]),
    "ux_app_user_email": ("app_user", [sa.text("lower(email)")]),
    "ix_project_name_id": ("project", ["name", "id"]),
    "ix_project_created_at_id": ("project", ["created_at", "id"]),
    "ux_project_owner_name": ("project", [sa.text("coalesce(owner_id, 0)"), "name"]),
}


# Row-level security keeps a non-leakproof expression (coalesce) out of an index
# condition: the due-date order reads a generated column instead.
DUE_SORT = {
    "ix_task_due_date_asc": ["workspace_id", sa.text("(due_date IS NULL)"), "due_sort", "id"],
    "ix_task_due_date_desc": ["workspace_id", sa.text("(due_date IS NOT NULL)"), "due_sort", "id"],
}


def _create_indexes(*, scoped: bool) -> None:
    for name, (table, columns) in INDEXES.items():
        if scoped:
            columns = DUE_SORT.get(name, ["workspace_id", *columns])
        op.create_index(name, table, columns, unique=name.startswith("ux_"))


# Unnamed constraints get these names on SQLite, so that batch mode can drop them.
_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s", "pk": "pk_%(table_name)s"}


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    workspace = op.create_table(
        "workspace",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sqlite_autoincrement=True,
    )
    assert workspace is not None
    default_id = bind.execute(
        sa.insert(workspace)
        .values(name="default", created_at=datetime.now(UTC))
        .returning(workspace.c.id)
    ).scalar_one()
    op.create_table(
        "api_key",
        sa.Column("id", BigId, primary_key=True),
        sa.Column(
            "workspace_id",
            BigId,
            sa.ForeignKey("workspace.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("prefix", sa.String(8), nullable=False),
        sa.Column("key_hash", sa.LargeBinary(32), nullable=False, unique=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("last_used_at", Timestamp),
        sa.CheckConstraint("role IN ('reader', 'writer', 'admin')", name="ck_api_key_role"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_api_key_workspace_id_created_at_id", "api_key", ["workspace_id", "created_at", "id"]
    )

    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
    for table in SCOPED:
        with _batch(table) as batch:
            # Every existing row moves into the default workspace; new rows name theirs.
            batch.add_column(
                sa.Column("workspace_id", BigId, nullable=False, server_default=str(default_id))
            )
        with _batch(table) as batch:
            batch.alter_column("workspace_id", server_default=None, existing_type=BigId)
            batch.create_foreign_key(
                f"fk_{table}_workspace_id",
                "workspace",
                ["workspace_id"],
                ["id"],
                ondelete="CASCADE",
            )
            if table == "task":
                batch.add_column(
                    sa.Column("due_sort", sa.Date(), sa.Computed(_DUE, persisted=True))
                )
            if table == "tag":
                batch.drop_constraint("tag_name_key" if postgres else "uq_tag_name", "unique")
                batch.create_index(
                    "ux_tag_workspace_id_name", ["workspace_id", "name"], unique=True
                )
            if table == "idempotency_key":
                batch.drop_constraint(
                    "idempotency_key_pkey" if postgres else "pk_idempotency_key", "primary"
                )
                batch.create_primary_key("idempotency_key_pkey", ["workspace_id", "scope", "key"])
    _create_indexes(scoped=True)
    if postgres:
        _isolate()


def _batch(table: str) -> Any:
    return op.batch_alter_table(
        table,
        naming_convention=_NAMES,
        table_kwargs={"sqlite_autoincrement": table in _NEVER_REUSE_IDS},
    )


def _role(name: str) -> None:
    """Create the role ``name`` unless it exists (roles belong to the cluster), make the
    migrating role a member (to switch to it, or to give it objects; a superuser always
    may), and let it use this schema."""
    op.execute(
        f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{name}') THEN
                CREATE ROLE {name} NOLOGIN NOSUPERUSER NOBYPASSRLS;
            END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- another database's migration made it at the same moment
        END
        $$;
        DO $$
        BEGIN
            IF current_user <> '{name}' AND NOT pg_has_role('{name}', 'MEMBER') THEN
                EXECUTE format('GRANT {name} TO %I', current_user);
            END IF;
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO {name}', current_schema());
        END
        $$;
        """
    )


def _isolate() -> None:
    """The runtime role, its grants, and row-level security on every scoped table."""
    _role(RUNTIME_ROLE)
    op.execute(
        f"""
        DO $$
        BEGIN
            EXECUTE format(
                'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO {RUNTIME_ROLE}',
                current_schema()
            );
        END
        $$;
        """
    )
    tables = ", ".join(("workspace", "api_key", *SCOPED))
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {tables} TO {RUNTIME_ROLE}")
    for table in ("api_key", *SCOPED):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY workspace_isolation ON {table} USING ({IN_WORKSPACE})")
    op.execute(f"CREATE POLICY key_lookup ON api_key FOR SELECT USING ({KEY_LOOKED_UP})")
    _search()


def _search() -> None:
    """``q`` through the trigram indexes, which row-level security would keep ILIKE from.

    The planner lets no non-leakproof condition (ILIKE) into an index scan ahead of a
    policy's, so under the policy ``q`` would read every task of the workspace. The
    function runs as ``taskhex_search``, a role nobody logs in as, which a policy of its
    own lets read tasks, and it applies the workspace itself.
    """
    _role(SEARCH_ROLE)
    op.execute(
        f"""
        DO $$
        BEGIN
            EXECUTE format(
                'CREATE FUNCTION task_search(pattern text) RETURNS SETOF bigint'
                ' LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, %I'
                ' AS $body$ SELECT id FROM task WHERE {IN_WORKSPACE.replace("'", "''")}'
                ' AND (title ILIKE pattern ESCAPE ''\\'' OR description ILIKE pattern'
                ' ESCAPE ''\\'') $body$',
                current_schema()
            );
        END
        $$;
        GRANT SELECT ON task TO {SEARCH_ROLE};
        CREATE POLICY task_search ON task FOR SELECT TO {SEARCH_ROLE} USING (true);
        ALTER FUNCTION task_search(text) OWNER TO {SEARCH_ROLE};
        REVOKE ALL ON FUNCTION task_search(text) FROM PUBLIC;
        GRANT EXECUTE ON FUNCTION task_search(text) TO {RUNTIME_ROLE};
        """
    )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        for table in ("api_key", *SCOPED):
            op.execute(f"DROP POLICY IF EXISTS workspace_isolation ON {table}")
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
        op.execute("DROP POLICY IF EXISTS key_lookup ON api_key")
        op.execute("DROP POLICY IF EXISTS task_search ON task")
        op.execute("DROP FUNCTION IF EXISTS task_search(text)")
        op.execute(f"REVOKE ALL ON task FROM {SEARCH_ROLE}")
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
    for table in SCOPED:
        with _batch(table) as batch:
            if table == "tag":
                batch.drop_index("ux_tag_workspace_id_name")
                batch.create_unique_constraint(
                    "tag_name_key" if postgres else "uq_tag_name", ["name"]
                )
            if table == "idempotency_key":
                batch.drop_constraint("idempotency_key_pkey", "primary")
                # The name a fresh 0004 has on each dialect, which upgrading drops.
                pk = "idempotency_key_pkey" if postgres else "pk_idempotency_key"
                batch.create_primary_key(pk, ["scope", "key"])
            if table == "task":
                batch.drop_column("due_sort")
            batch.drop_constraint(f"fk_{table}_workspace_id", "foreignkey")
            batch.drop_column("workspace_id")
    _create_indexes(scoped=False)
    op.drop_table("api_key")
    op.drop_table("workspace")
    # The runtime role stays: it belongs to the cluster, and other databases may use it.
