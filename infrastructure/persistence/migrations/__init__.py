"""Alembic, driven from code through the synchronous engine (psycopg2 / sqlite3)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from infrastructure.database.urls import sync_url

_HERE = Path(__file__).parent


def on_dialect(dialect: str) -> Callable[..., bool]:
    """Alembic's ``include_object``: what the models declare for ``dialect`` only (an index
    with ``ddl_if(dialect=...)``) is compared on that dialect alone."""

    def include(item: Any, name: Any, kind: str, reflected: bool, compare_to: Any) -> bool:
        condition = getattr(item, "_ddl_if", None)
        wanted = None if condition is None else condition.dialect
        return wanted is None or dialect in ((wanted,) if isinstance(wanted, str) else wanted)

    return include


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_HERE))
    config.attributes["url"] = sync_url(database_url).url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def current(database_url: str) -> str:
    """The database's revision(s), ``(head)`` marking the latest; empty at base."""
    config = alembic_config(database_url)
    heads = set(ScriptDirectory.from_config(config).get_heads())
    engine = create_engine(config.attributes["url"], poolclass=NullPool)
    try:
        with engine.connect() as connection:
            found = MigrationContext.configure(connection).get_current_heads()
    finally:
        engine.dispose()
    return " ".join(f"{rev} (head)" if rev in heads else rev for rev in found)
