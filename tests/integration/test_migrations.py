"""The migration chain: from empty to head and back, and head matches the models."""

import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

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
    finally:
        engine.dispose()
