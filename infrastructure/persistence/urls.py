"""One DATABASE_URL, translated for each driver that needs it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import URL, make_url

_POSTGRES_NAMES = {"postgres", "postgresql"}


class UnsupportedDatabase(ValueError):
    pass


@dataclass(frozen=True)
class DriverUrl:
    url: URL
    connect_args: dict[str, Any] = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"


def _parse(url: str | URL) -> URL:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend in _POSTGRES_NAMES:
        return parsed.set(drivername="postgresql")
    if backend == "sqlite":
        return parsed.set(drivername="sqlite")
    raise UnsupportedDatabase(
        f"unsupported database {backend!r}: use a postgresql:// or sqlite:/// URL"
    )


def async_url(url: str | URL) -> DriverUrl:
    """The URL for the async runtime: asyncpg for PostgreSQL, aiosqlite for SQLite."""
    base = _parse(url)
    if base.get_backend_name() == "sqlite":
        return DriverUrl(base.set(drivername="sqlite+aiosqlite"))
    query = dict(base.query)
    connect_args: dict[str, Any] = {}
    sslmode = query.pop("sslmode", None)
    if sslmode is not None:
        # asyncpg takes the libpq modes through its ``ssl`` argument.
        connect_args["ssl"] = sslmode if isinstance(sslmode, str) else sslmode[0]
    return DriverUrl(base.set(drivername="postgresql+asyncpg", query=query), connect_args)


def sync_url(url: str | URL) -> DriverUrl:
    """The URL for blocking tools (Alembic): psycopg2 for PostgreSQL, sqlite3 for SQLite."""
    base = _parse(url)
    if base.get_backend_name() == "sqlite":
        return DriverUrl(base)
    return DriverUrl(base.set(drivername="postgresql+psycopg2"))
