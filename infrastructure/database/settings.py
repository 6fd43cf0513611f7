"""The database's settings: the URLs, the pool, pooler mode, timeouts and retries."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from infrastructure.database.urls import direct_url, is_pooler_host, parse

DEFAULT_DATABASE_URL = "sqlite:///./taskhex.db"


class DatabaseSettings(BaseSettings):
    """Every field maps to the upper-case environment variable of the same name.

    Both database URLs are secrets: they appear in no ``repr``, log line or
    validation error (``hide_input_in_errors``); ``safe_database_url`` is the
    printable form.
    """

    model_config = SettingsConfigDict(extra="ignore", frozen=True, hide_input_in_errors=True)

    database_url: SecretStr = Field(
        default=SecretStr(DEFAULT_DATABASE_URL),
        description="postgresql://user:password@host/db or sqlite:///path (the default).",
    )
    database_direct_url: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("database_direct_url", "database_url_unpooled"),
        description="The unpooled URL migrations use (Neon: DATABASE_URL_UNPOOLED).",
    )
    db_pooler: Literal["auto", "transaction", "none"] = Field(
        default="auto",
        description="transaction: behind a transaction-mode pooler (PgBouncer, Neon's "
        "-pooler endpoints); auto: detect it from the host name.",
    )
    db_runtime_password: SecretStr | None = Field(
        default=None,
        description="taskhex db upgrade: let the runtime role (taskhex_runtime, which "
        "row-level security binds) log in with this password, so that the service can use it "
        "in DATABASE_URL; unset, the role cannot log in and the service switches to it at the "
        "start of each transaction (PostgreSQL only).",
    )
    db_pool_size: int = Field(default=20, ge=1)
    db_max_overflow: int = Field(
        default=0,
        ge=0,
        description="connections beyond the pool under load; each is closed when returned",
    )
    db_pool_timeout: float = Field(
        default=30.0, gt=0, description="seconds to wait for a pooled connection"
    )
    db_pool_recycle: int = Field(
        default=1800, description="seconds after which a connection is replaced"
    )
    db_pool_pre_ping: bool = True
    db_pool_ping_after: float = Field(
        default=0.5,
        ge=0,
        description="seconds a pooled connection may sit idle and still be handed out "
        "without a ping (DB_POOL_PRE_PING); 0 pings every checkout",
    )
    db_connect_timeout: float = Field(default=10.0, gt=0, description="seconds")
    db_statement_timeout: float = Field(
        default=30.0, ge=0, description="seconds one statement may run; 0 for no limit"
    )
    db_connect_attempts: int = Field(
        default=5, ge=1, description="tries to open a connection, with exponential backoff"
    )
    db_retry_max_wait: float = Field(
        default=2.0, gt=0, description="the longest pause between two connection attempts"
    )
    db_request_attempts: int = Field(
        # After a failover a transaction-mode pooler may hand out one dead server
        # connection after another: each try uses one up.
        default=5,
        ge=1,
        description="tries of a read (or of a write with an Idempotency-Key) whose connection died",
    )
    db_echo: bool = False
    db_fast_reads: bool = Field(
        default=True,
        description="read tasks on asyncpg's own protocol on a direct PostgreSQL connection "
        "(the statements are the same); false: through SQLAlchemy's execution layer",
    )

    @property
    def safe_database_url(self) -> str:
        """The database URL with its password masked, for logs and messages."""
        return parse(self.database_url.get_secret_value()).render_as_string(hide_password=True)

    @property
    def uses_pooler(self) -> bool:
        """Whether connections go through a transaction-mode pooler."""
        if self.db_pooler != "auto":
            return self.db_pooler == "transaction"
        return is_pooler_host(parse(self.database_url.get_secret_value()).host)

    @property
    def migrations_database_url(self) -> SecretStr:
        """The URL for migrations: never a pooler when the direct one is known.

        ``DATABASE_DIRECT_URL`` when set; else, for a Neon pooler host, the same
        URL without ``-pooler``; else ``DATABASE_URL`` itself.
        """
        if self.database_direct_url is not None:
            return self.database_direct_url
        url = self.database_url.get_secret_value()
        if not is_pooler_host(parse(url).host):
            return self.database_url
        return SecretStr(direct_url(url).render_as_string(hide_password=False))
