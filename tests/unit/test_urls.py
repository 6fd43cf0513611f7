"""One DATABASE_URL, translated for asyncpg, psycopg2 and psycopg 3: Neon's forms included."""

from __future__ import annotations

import ssl

import certifi
import pytest

from infrastructure.database.urls import (
    UnsupportedDatabase,
    async_url,
    direct_url,
    for_driver,
    is_pooler_host,
    sync_url,
)

PASSWORD = "npg_S3cr3tPw"
NEON_POOLED = (
    f"postgresql://neondb_owner:{PASSWORD}@ep-cool-darkness-a1b2c3d4-pooler"
    ".eu-central-1.aws.neon.tech/neondb?sslmode=require&channel_binding=require"
)
NEON_DIRECT = NEON_POOLED.replace("-pooler", "")


def test_a_neon_url_becomes_asyncpg_with_its_tls_demands_as_the_ssl_argument() -> None:
    target = async_url(NEON_POOLED)

    assert target.url.drivername == "postgresql+asyncpg"
    assert target.url.host == "ep-cool-darkness-a1b2c3d4-pooler.eu-central-1.aws.neon.tech"
    assert target.url.password == PASSWORD
    assert dict(target.url.query) == {}
    context = target.connect_args["ssl"]
    assert isinstance(context, ssl.SSLContext)
    # No channel binding in asyncpg: the server is authenticated by its certificate instead.
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2


def test_sslmode_alone_is_handed_to_asyncpg_as_the_mode_name() -> None:
    for mode in ("disable", "allow", "prefer", "require", "verify-ca", "verify-full"):
        target = async_url(f"postgresql://u:p@db.example/app?sslmode={mode}")
        assert target.connect_args == {"ssl": mode}
        assert dict(target.url.query) == {}


def test_a_neon_url_keeps_every_libpq_parameter_for_psycopg2_and_psycopg_3() -> None:
    for target, driver in (
        (sync_url(NEON_POOLED), "psycopg2"),
        (for_driver(NEON_POOLED, "psycopg"), "psycopg"),
    ):
        assert target.url.drivername == f"postgresql+{driver}"
        assert dict(target.url.query) == {"sslmode": "require", "channel_binding": "require"}
        assert target.url.password == PASSWORD
        assert target.connect_args == {}


def test_a_url_that_names_psycopg_runs_on_psycopg_3_both_async_and_blocking() -> None:
    url = NEON_DIRECT.replace("postgresql://", "postgresql+psycopg://")

    for target in (async_url(url), sync_url(url)):
        assert target.url.drivername == "postgresql+psycopg"
        assert target.driver == "psycopg"
        assert dict(target.url.query) == {"sslmode": "require", "channel_binding": "require"}


def test_other_drivers_and_the_short_scheme_fall_back_to_asyncpg_and_psycopg2() -> None:
    for url in (
        "postgres://u:p@h/db",
        "postgresql://u:p@h/db",
        "postgresql+asyncpg://u:p@h/db",
        "postgresql+psycopg2://u:p@h/db",
    ):
        assert async_url(url).url.drivername == "postgresql+asyncpg"
        assert sync_url(url).url.drivername == "postgresql+psycopg2"


def test_channel_binding_prefer_or_disable_needs_nothing_from_asyncpg() -> None:
    for binding in ("prefer", "disable"):
        target = async_url(f"postgresql://u:p@h/db?sslmode=require&channel_binding={binding}")
        assert target.connect_args == {"ssl": "require"}


def test_channel_binding_required_without_tls_is_refused() -> None:
    with pytest.raises(UnsupportedDatabase, match="channel_binding=require needs TLS"):
        async_url("postgresql://u:p@h/db?sslmode=disable&channel_binding=require")


def test_certificate_files_become_an_ssl_context_with_libpq_meaning() -> None:
    ca = certifi.where()
    full = async_url(f"postgresql://u:p@h/db?sslmode=verify-full&sslrootcert={ca}")
    ca_only = async_url(f"postgresql://u:p@h/db?sslmode=verify-ca&sslrootcert={ca}")
    # libpq: require with a root certificate verifies the chain.
    require = async_url(f"postgresql://u:p@h/db?sslmode=require&sslrootcert={ca}")
    system = async_url("postgresql://u:p@h/db?sslmode=verify-full&sslrootcert=system")

    for target, hostname in ((full, True), (ca_only, False), (require, False), (system, True)):
        context = target.connect_args["ssl"]
        assert isinstance(context, ssl.SSLContext)
        assert context.verify_mode == ssl.CERT_REQUIRED
        assert context.check_hostname is hostname
    assert full.connect_args["ssl"].get_ca_certs()  # the named file, loaded


def test_certificate_files_are_ignored_when_tls_is_disabled() -> None:
    target = async_url("postgresql://u:p@h/db?sslmode=disable&sslrootcert=/nowhere/root.crt")

    assert target.connect_args == {"ssl": "disable"}


def test_neon_endpoint_options_timeout_and_application_name_reach_asyncpg() -> None:
    target = async_url(
        "postgresql://u:p@ep-x.aws.neon.tech/db?sslmode=require&options=endpoint%3Dep-x"
        "&connect_timeout=15&application_name=taskhex&target_session_attrs=read-write"
        "&sslnegotiation=direct"
    )

    assert target.connect_args == {
        "ssl": "require",
        "timeout": 15.0,
        "server_settings": {"options": "endpoint=ep-x", "application_name": "taskhex"},
        "target_session_attrs": "read-write",
        "direct_tls": True,
    }
    libpq = sync_url(target.url.set(query={"options": "endpoint=ep-x"}))
    assert dict(libpq.url.query) == {"options": "endpoint=ep-x"}


def test_an_asyncpg_style_ssl_parameter_becomes_sslmode_for_libpq() -> None:
    assert dict(sync_url("postgresql://u:p@h/db?ssl=require").url.query) == {"sslmode": "require"}
    assert dict(sync_url("postgresql://u:p@h/db?ssl=true").url.query) == {"sslmode": "require"}
    assert dict(sync_url("postgresql://u:p@h/db?ssl=false").url.query) == {"sslmode": "disable"}
    assert async_url("postgresql://u:p@h/db?ssl=true").connect_args == {"ssl": "require"}


def test_parameters_asyncpg_cannot_take_are_named_not_dropped() -> None:
    with pytest.raises(UnsupportedDatabase, match="keepalives") as raised:
        async_url(f"postgresql://u:{PASSWORD}@h/db?keepalives=1")

    assert PASSWORD not in str(raised.value)
    assert dict(sync_url("postgresql://u:p@h/db?keepalives=1").url.query) == {"keepalives": "1"}


def test_invalid_modes_are_refused_before_any_connection() -> None:
    with pytest.raises(UnsupportedDatabase, match="sslmode"):
        async_url("postgresql://u:p@h/db?sslmode=always")
    with pytest.raises(UnsupportedDatabase, match="channel_binding"):
        sync_url("postgresql://u:p@h/db?channel_binding=maybe")


def test_a_repeated_parameter_counts_once_with_its_last_value() -> None:
    target = async_url("postgresql://u:p@h/db?sslmode=disable&sslmode=require")

    assert target.connect_args == {"ssl": "require"}


def test_sqlite_urls_get_aiosqlite_at_run_time_and_sqlite3_for_tools() -> None:
    assert async_url("sqlite:///./taskhex.db").url.drivername == "sqlite+aiosqlite"
    assert async_url("sqlite+aiosqlite:///x.db").is_sqlite
    assert sync_url("sqlite:///./taskhex.db").url.drivername == "sqlite"
    with pytest.raises(UnsupportedDatabase, match="not a PostgreSQL URL"):
        for_driver("sqlite:///x.db", "asyncpg")


def test_other_databases_drivers_and_garbage_are_refused_without_quoting_the_url() -> None:
    for url, says in (
        (f"mysql://u:{PASSWORD}@h/db", "unsupported database"),
        (f"postgresql+pg8000://u:{PASSWORD}@h/db", "unsupported PostgreSQL driver"),
        (f"::{PASSWORD}::", "cannot be parsed"),
    ):
        with pytest.raises(UnsupportedDatabase, match=says) as raised:
            async_url(url)
        assert PASSWORD not in str(raised.value)
        assert raised.value.__context__ is None or PASSWORD not in str(raised.value.__context__)


def test_neon_pooler_hosts_are_recognised_and_have_a_direct_twin() -> None:
    assert is_pooler_host("ep-cool-darkness-a1b2c3d4-pooler.eu-central-1.aws.neon.tech")
    assert is_pooler_host("db-pooler")
    assert not is_pooler_host("ep-cool-darkness-a1b2c3d4.eu-central-1.aws.neon.tech")
    assert not is_pooler_host("pooler.example.com")
    assert not is_pooler_host(None)

    direct = direct_url(NEON_POOLED)
    assert direct.host == "ep-cool-darkness-a1b2c3d4.eu-central-1.aws.neon.tech"
    assert direct.password == PASSWORD
    assert dict(direct.query) == {"sslmode": "require", "channel_binding": "require"}
    assert direct_url("postgresql://u:p@127.0.0.1/db").host == "127.0.0.1"


def test_a_translated_url_masks_its_password_in_its_repr() -> None:
    for target in (async_url(NEON_POOLED), sync_url(NEON_POOLED)):
        assert PASSWORD not in repr(target)
        assert PASSWORD not in str(target.url)
