"""The migration chain: from empty to head and back, and head matches the models."""

import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, create_engine, inspect, text

from infrastructure.database.urls import sync_url
from infrastructure.persistence import migrations
from infrastructure.persistence.schema import metadata
from tests.support.postgres import fresh_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('migrations') / 'empty.db'}"
        return
    admin = request.getfixturevalue("postgres_admin_url")
    with fresh_database(admin, f"taskhex_migrations_{uuid.uuid4().hex[:12]}") as url:
        yield url


def tables(url: str) -> set[str]:
    engine = create_engine(sync_url(url).url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_the_chain_upgrades_from_empty_and_downgrades_back_to_empty(empty_database: str) -> None:
    assert tables(empty_database) == set()
    migrations.upgrade(empty_database)
    assert tables(empty_database) == {
        "task", "tag", "task_tag", "app_user", "project", "idempotency_key", "workspace",
        "api_key",
    }  # fmt: skip
    assert migrations.current(empty_database).endswith("(head)")
    migrations.downgrade(empty_database, "base")
    assert tables(empty_database) == set()
    assert migrations.current(empty_database) == ""


def test_the_migrated_schema_matches_the_models(empty_database: str) -> None:
    migrations.upgrade(empty_database)
    engine = create_engine(sync_url(empty_database).url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={
                    "compare_type": False,
                    "include_object": migrations.on_dialect(connection.dialect.name),
                },
            )
            assert compare_metadata(context, metadata) == []
            if connection.dialect.name == "postgresql":  # which autogenerate does not compare
                assert storage_parameters(connection) == modelled_storage_parameters()
    finally:
        engine.dispose()


def modelled_storage_parameters() -> dict[str, list[str]]:
    return {
        index.name: [f"{k}={v}" for k, v in index.dialect_options["postgresql"]["with"].items()]
        for table in metadata.tables.values()
        for index in table.indexes
        if index.name and index.dialect_options["postgresql"]["with"]
    }


def storage_parameters(connection: Connection) -> dict[str, list[str]]:
    rows = connection.execute(
        text("SELECT relname, reloptions FROM pg_class WHERE relkind = 'i' AND reloptions <> '{}'")
    )
    return {name: list(options) for name, options in rows}


_BEFORE_WORKSPACES = (
    "INSERT INTO app_user (email, name, created_at, updated_at, version)"
    " VALUES ('ada@example.org', 'Ada', '2026-11-01 10:00:00', '2026-11-01 10:00:00', 1)",
    "INSERT INTO project (name, owner_id, created_at, updated_at, version)"
    " VALUES ('Launch', 1, '2026-11-01 10:00:00', '2026-11-01 10:00:00', 1)",
    "INSERT INTO tag (name) VALUES ('docs')",
    "INSERT INTO task (title, status, priority, due_date, project_id, assignee_id,"
    " created_at, updated_at, version) VALUES ('Write', 'todo', 2, '2026-12-24', 1, 1,"
    " '2026-11-01 10:00:00', '2026-11-01 10:00:00', 1)",
    "INSERT INTO task_tag (task_id, tag_id) VALUES (1, 1)",
    "INSERT INTO idempotency_key (scope, key, fingerprint, created_at, expires_at)"
    " VALUES ('POST /api/v1/tasks', 'k1', 'f', '2026-11-01 10:00:00', '2999-01-01 00:00:00')",
)
_SCOPED = ("app_user", "project", "tag", "task", "task_tag", "idempotency_key")


def test_data_from_before_workspaces_moves_into_default_and_back(empty_database: str) -> None:
    """Upgrading from 0005 with data in it, and downgrading back, keep every row."""
    migrations.upgrade(empty_database, "0005")
    engine = create_engine(sync_url(empty_database).url)
    try:
        with engine.begin() as connection:
            for statement in _BEFORE_WORKSPACES:
                connection.execute(text(statement))
        migrations.upgrade(empty_database)
        with engine.begin() as connection:
            default = connection.execute(text("SELECT id, name FROM workspace")).all()
            assert [tuple(row) for row in default] == [(1, "default")]
            for table in _SCOPED:
                found = connection.execute(text(f"SELECT workspace_id FROM {table}")).scalars()
                assert list(found) == [1], table
            due_sort = connection.scalar(text("SELECT due_sort FROM task"))
            assert str(due_sort) == "2026-12-24"
            # Uniqueness is per workspace now: the same e-mail in another one is free.
            connection.execute(
                text("INSERT INTO workspace (name, created_at) VALUES ('other', CURRENT_TIMESTAMP)")
            )
            connection.execute(
                text(
                    "INSERT INTO app_user (email, name, created_at, updated_at, version,"
                    " workspace_id) VALUES ('ada@example.org', 'Ada', CURRENT_TIMESTAMP,"
                    " CURRENT_TIMESTAMP, 1, 2)"
                )
            )
            connection.execute(text("DELETE FROM app_user WHERE workspace_id = 2"))
            connection.execute(text("DELETE FROM workspace WHERE name = 'other'"))
        migrations.downgrade(empty_database, "0005")
        assert "workspace" not in tables(empty_database)
        with engine.connect() as connection:
            for table in _SCOPED:
                assert connection.scalar(text(f"SELECT count(*) FROM {table}")) == 1, table
            columns = {c["name"] for c in inspect(connection).get_columns("task")}
        assert "workspace_id" not in columns
        assert "due_sort" not in columns
        # And up again, as a deploy that was rolled back and then retried would.
        migrations.upgrade(empty_database)
    finally:
        engine.dispose()
