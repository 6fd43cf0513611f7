"""Alembic, driven from code through the synchronous engine (psycopg2 / sqlite3)."""

from __future__ import annotations

import io
from pathlib import Path

from alembic import command
from alembic.config import Config

from infrastructure.persistence.urls import sync_url

_HERE = Path(__file__).parent


def alembic_config(database_url: str, output: io.StringIO | None = None) -> Config:
    config = Config(output_buffer=output) if output is not None else Config()
    config.set_main_option("script_location", str(_HERE))
    config.attributes["url"] = sync_url(database_url).url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def current(database_url: str) -> str:
    output = io.StringIO()
    command.current(alembic_config(database_url, output))
    return output.getvalue().strip()
