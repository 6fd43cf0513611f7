import asyncio
import contextlib
import re
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

# Transaction control, and the start of each transaction in the caller's workspace.
_NOT_COUNTED = ("PRAGMA", "BEGIN", "COMMIT", "ROLLBACK", "SELECT SET_CONFIG('ROLE'")
# asyncpg's own look-up of a type it meets for the first time on a connection.
_INTROSPECTION = ("typeinfo_tree", "current_setting('jit')", "set_config('jit'")


_WRITE = re.compile(
    r"\s*(INSERT|UPDATE|DELETE|WITH\b.*\b(INSERT INTO|UPDATE \S+ SET|DELETE FROM)\b)", re.I | re.S
)

# An API key's look-up: once its trust from memory has run out (4 s), whatever the request.
_KEY_LOOKUP = re.compile(r"FROM api_key\s+WHERE api_key\.key_hash =")


class StatementLog(list[str]):
    @property
    def beyond_authentication(self) -> "StatementLog":
        """The statements apart from a look-up of the request's key, which comes whenever
        the key's trust has run out, however slow the machine."""
        return StatementLog(s for s in self if not _KEY_LOOKUP.search(s))

    @property
    def writes(self) -> list[str]:
        """The statements that write: INSERT, UPDATE, DELETE, or a WITH holding one."""
        return [s for s in self if _WRITE.match(s)]

    def record(self, statement: str) -> None:
        if not statement.lstrip().upper().startswith(_NOT_COUNTED):
            self.append(statement)


@contextlib.asynccontextmanager
async def count_statements(engine: AsyncEngine) -> AsyncIterator[StatementLog]:
    """Record the SQL statements sent through ``engine`` (one per executemany).

    Statements that SQLAlchemy executes are seen by its ``before_cursor_execute``
    event; those that an adapter sends to asyncpg itself, by asyncpg's query
    logger on every connection checked out meanwhile. asyncpg does not log the
    prepared statements SQLAlchemy runs, but it does log SQLAlchemy's
    executemany, which is then counted once. asyncpg calls its loggers soon
    after a statement, not during it: leaving the block waits for them.
    """
    log = StatementLog()
    watched: list[Any] = []
    seen_by_sqlalchemy: Counter[str] = Counter()

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen_by_sqlalchemy[statement] += 1
        log.record(statement)

    def logged(query: Any) -> None:
        # The logger runs after the statement, so SQLAlchemy's event came first.
        if seen_by_sqlalchemy[query.query] > 0:
            seen_by_sqlalchemy[query.query] -= 1
        elif not any(marker in query.query for marker in _INTROSPECTION):
            log.record(query.query)

    def watch(dbapi_connection: Any, *_: Any) -> None:
        driver = getattr(dbapi_connection, "driver_connection", None)
        if hasattr(driver, "add_query_logger"):
            driver.add_query_logger(logged)
            watched.append(driver)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    event.listen(engine.sync_engine.pool, "checkout", watch)
    try:
        yield log
        await asyncio.sleep(0)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
        event.remove(engine.sync_engine.pool, "checkout", watch)
        for driver in watched:
            driver.remove_query_logger(logged)
