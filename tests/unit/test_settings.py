"""Settings from the environment: defaults, pooler detection, the migrations URL, secrets."""

from __future__ import annotations

import logging

import pytest
from pydantic import ValidationError

from infrastructure.database.engine import create_engine, postgres_connect_args
from infrastructure.database.pooler import unique_statement_name
from infrastructure.database.urls import async_url
from infrastructure.settings import Settings

PASSWORD = "npg_S3cr3tPw"
NEON = (
    f"postgresql://owner:{PASSWORD}@ep-a1b2-pooler.eu-central-1.aws.neon.tech/neondb"
    "?sslmode=require&channel_binding=require"
)
PLAIN = f"postgresql://app:{PASSWORD}@db.internal:5432/taskhex"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "DATABASE_DIRECT_URL", "DATABASE_URL_UNPOOLED", "DB_POOLER"):
        monkeypatch.delenv(name, raising=False)


def test_a_direct_connection_keeps_the_seed_pool_defaults() -> None:
    settings = Settings(database_url=PLAIN)  # type: ignore[arg-type]

    assert settings.uses_pooler is False
    assert (settings.db_pool_size, settings.db_max_overflow) == (20, 0)
    assert settings.db_pool_pre_ping is True
    assert (settings.db_pool_timeout, settings.db_pool_recycle) == (30.0, 1800)
    assert (settings.db_connect_timeout, settings.db_statement_timeout) == (10.0, 30.0)
    assert (settings.db_connect_attempts, settings.db_request_attempts) == (5, 5)


def test_every_setting_comes_from_its_environment_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in {
        "DATABASE_URL": PLAIN,
        "DB_POOLER": "transaction",
        "DB_POOL_SIZE": "7",
        "DB_MAX_OVERFLOW": "0",
        "DB_POOL_TIMEOUT": "5",
        "DB_POOL_RECYCLE": "300",
        "DB_POOL_PRE_PING": "false",
        "DB_CONNECT_TIMEOUT": "3",
        "DB_STATEMENT_TIMEOUT": "0",
        "DB_CONNECT_ATTEMPTS": "2",
        "DB_RETRY_MAX_WAIT": "0.5",
        "DB_REQUEST_ATTEMPTS": "1",
    }.items():
        monkeypatch.setenv(name, value)

    settings = Settings()

    assert settings.uses_pooler is True
    assert (settings.db_pool_size, settings.db_max_overflow, settings.db_pool_recycle) == (
        7,
        0,
        300,
    )
    assert (settings.db_pool_timeout, settings.db_connect_timeout) == (5.0, 3.0)
    assert settings.db_pool_pre_ping is False
    assert settings.db_statement_timeout == 0
    assert (settings.db_connect_attempts, settings.db_retry_max_wait) == (2, 0.5)
    assert settings.db_request_attempts == 1


def test_a_neon_pooler_host_turns_pooler_mode_on_and_an_explicit_setting_wins() -> None:
    assert Settings(database_url=NEON).uses_pooler is True  # type: ignore[arg-type]
    assert Settings(database_url=NEON, db_pooler="none").uses_pooler is False  # type: ignore[arg-type]
    assert Settings(database_url=PLAIN, db_pooler="transaction").uses_pooler is True  # type: ignore[arg-type]
    assert Settings().uses_pooler is False


def test_migrations_use_the_direct_url_and_never_neons_pooler() -> None:
    derived = Settings(database_url=NEON).migrations_database_url.get_secret_value()  # type: ignore[arg-type]
    assert "ep-a1b2.eu-central-1.aws.neon.tech" in derived
    assert "-pooler" not in derived
    assert f":{PASSWORD}@" in derived
    assert "channel_binding=require" in derived

    direct = "postgresql://owner:other@ep-a1b2.eu-central-1.aws.neon.tech/neondb"
    given = Settings(database_url=NEON, database_direct_url=direct)  # type: ignore[arg-type]
    assert given.migrations_database_url.get_secret_value() == direct
    plain = Settings(database_url=PLAIN)  # type: ignore[arg-type]
    assert plain.migrations_database_url.get_secret_value() == PLAIN


def test_neons_unpooled_variable_names_the_direct_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", NEON)
    monkeypatch.setenv("DATABASE_URL_UNPOOLED", PLAIN)

    assert Settings().migrations_database_url.get_secret_value() == PLAIN


def test_passwords_appear_in_no_repr_and_no_validation_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = Settings(database_url=NEON, database_direct_url=PLAIN)  # type: ignore[arg-type]

    for shown in (
        repr(settings),
        str(settings),
        settings.safe_database_url,
        str(settings.model_dump()),
    ):
        assert PASSWORD not in shown
    assert "ep-a1b2-pooler" in settings.safe_database_url

    monkeypatch.setenv("DATABASE_URL", NEON)
    monkeypatch.setenv("DB_POOL_SIZE", PASSWORD)
    with pytest.raises(ValidationError) as raised:
        Settings()
    assert PASSWORD not in str(raised.value)


def test_pooler_mode_asks_asyncpg_for_no_statement_cache_and_unique_names() -> None:
    settings = Settings(database_url=NEON)  # type: ignore[arg-type]
    args = postgres_connect_args(async_url(NEON), settings)

    assert args["statement_cache_size"] == 0
    assert args["prepared_statement_cache_size"] == 0
    assert args["prepared_statement_name_func"] is unique_statement_name
    assert unique_statement_name() != unique_statement_name()
    assert args["timeout"] == 10.0


def test_pooler_mode_asks_psycopg_never_to_prepare() -> None:
    url = NEON.replace("postgresql://", "postgresql+psycopg://")
    args = postgres_connect_args(async_url(url), Settings(database_url=url))  # type: ignore[arg-type]

    assert args["prepare_threshold"] is None
    assert args["connect_timeout"] == 10


def test_a_direct_connection_keeps_the_drivers_statement_cache() -> None:
    args = postgres_connect_args(async_url(PLAIN), Settings(database_url=PLAIN))  # type: ignore[arg-type]

    assert "statement_cache_size" not in args
    assert "prepared_statement_name_func" not in args


def test_the_engine_takes_its_pool_from_the_settings_and_logs_no_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = Settings(  # type: ignore[call-arg]
        database_url=PLAIN, db_pool_size=3, db_max_overflow=2, db_pool_timeout=4, db_echo=True
    )

    engine = create_engine(settings)

    pool = engine.sync_engine.pool
    assert (pool.size(), pool._max_overflow, pool._timeout) == (3, 2, 4)  # type: ignore[attr-defined]
    assert PASSWORD not in repr(engine)
    assert PASSWORD not in caplog.text


def test_an_in_memory_sqlite_database_is_refused() -> None:
    with pytest.raises(ValueError, match="in-memory"):
        create_engine(Settings(database_url="sqlite://"))  # type: ignore[arg-type]


def test_cors_origins_are_a_comma_separated_or_json_list_of_exact_origins() -> None:
    listed = Settings(cors_origins="http://a.test:8080, https://b.test,http://a.test:8080")  # type: ignore[arg-type]
    assert listed.cors_origins == ("http://a.test:8080", "https://b.test")
    assert Settings(cors_origins='["https://b.test"]').cors_origins == ("https://b.test",)  # type: ignore[arg-type]
    assert Settings().cors_origins == ()
    for refused in ("*", "https://*.b.test", "https://b.test/", "b.test", "null", "ftp://b.test"):
        with pytest.raises(ValidationError, match="CORS_ORIGINS"):
            Settings(cors_origins=refused)  # type: ignore[arg-type]


def test_redis_url_must_name_redis() -> None:
    assert Settings(redis_url="redis://127.0.0.1:6379/0").redis_url is not None  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="REDIS_URL"):
        Settings(redis_url="http://127.0.0.1:6379")  # type: ignore[arg-type]
