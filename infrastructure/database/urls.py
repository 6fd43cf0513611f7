"""One DATABASE_URL, translated for each driver that needs it.

psycopg2 and psycopg 3 sit on libpq and take the URL's connection parameters
as they are; asyncpg takes none of them, so they are translated into its own
arguments, never dropped (``_for_asyncpg``). No message raised here quotes the
URL: it holds the password.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.engine import URL, make_url

Driver = Literal["asyncpg", "psycopg", "psycopg2"]

_POSTGRES_NAMES = {"postgres", "postgresql"}
_POSTGRES_DRIVERS = {"asyncpg", "psycopg", "psycopg2"}
_SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
_SSL_FILES = ("sslrootcert", "sslcert", "sslkey", "sslcrl")
_BINDINGS = ("disable", "prefer", "require")
# Query parameters that SQLAlchemy itself reads for asyncpg (host lists, ports).
_ASYNCPG_KEPT = {"host", "port", "prepared_statement_cache_size"}
_POOLER_SUFFIX = "-pooler"


class UnsupportedDatabase(ValueError):
    pass


@dataclass(frozen=True)
class DriverUrl:
    """A URL for one driver, and the connect arguments that go with it.

    Its ``repr`` masks the password, as ``sqlalchemy.engine.URL`` does.
    """

    url: URL
    connect_args: dict[str, Any] = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def driver(self) -> str:
        return self.url.get_driver_name()


def parse(url: str | URL) -> URL:
    """A PostgreSQL or SQLite URL with a canonical backend name, driver kept."""
    try:
        parsed = make_url(url)
    except Exception:
        # The parser's own message quotes the whole URL, password included.
        raise UnsupportedDatabase(
            "the database URL cannot be parsed: use postgresql://… or sqlite:///…"
        ) from None
    backend = parsed.get_backend_name()
    driver = parsed.drivername.partition("+")[2]
    if backend in _POSTGRES_NAMES:
        if driver and driver not in _POSTGRES_DRIVERS:
            raise UnsupportedDatabase(
                f"unsupported PostgreSQL driver {driver!r}: use asyncpg, psycopg or psycopg2"
            )
        return parsed.set(drivername=f"postgresql+{driver}" if driver else "postgresql")
    if backend == "sqlite":
        return parsed.set(drivername="sqlite")
    raise UnsupportedDatabase(
        f"unsupported database {backend!r}: use a postgresql:// or sqlite:/// URL"
    )


def named_driver(url: str | URL) -> str | None:
    """The driver the URL asks for (``postgresql+psycopg://``), if any."""
    return parse(url).drivername.partition("+")[2] or None


def async_url(url: str | URL) -> DriverUrl:
    """The URL for the async runtime: asyncpg (psycopg 3 when the URL names it), aiosqlite."""
    base = parse(url)
    if base.get_backend_name() == "sqlite":
        return DriverUrl(base.set(drivername="sqlite+aiosqlite"))
    return for_driver(base, "psycopg" if named_driver(base) == "psycopg" else "asyncpg")


def sync_url(url: str | URL) -> DriverUrl:
    """The URL for blocking tools (Alembic): psycopg2 (psycopg 3 when named), sqlite3."""
    base = parse(url)
    if base.get_backend_name() == "sqlite":
        return DriverUrl(base)
    return for_driver(base, "psycopg" if named_driver(base) == "psycopg" else "psycopg2")


def for_driver(url: str | URL, driver: Driver) -> DriverUrl:
    """A PostgreSQL URL translated for ``driver``, whatever driver it named."""
    base = parse(url)
    if base.get_backend_name() != "postgresql":
        raise UnsupportedDatabase(f"{driver} is a PostgreSQL driver; this is not a PostgreSQL URL")
    params = _libpq_params(base.query)
    if driver == "asyncpg":
        return _for_asyncpg(base, params)
    return DriverUrl(base.set(drivername=f"postgresql+{driver}", query=params))


def is_pooler_host(host: str | None) -> bool:
    """Whether ``host`` names a pooled endpoint by Neon's convention (``ep-…-pooler.…``)."""
    return bool(host) and str(host).split(".", 1)[0].endswith(_POOLER_SUFFIX)


def direct_url(url: str | URL) -> URL:
    """The direct (unpooled) twin of a Neon pooler URL; any other URL unchanged."""
    base = parse(url)
    if not is_pooler_host(base.host):
        return base
    assert base.host is not None
    first, dot, rest = base.host.partition(".")
    return base.set(host=first.removesuffix(_POOLER_SUFFIX) + dot + rest)


def _last(value: str | tuple[str, ...]) -> str:
    return value if isinstance(value, str) else value[-1]


def _libpq_params(query: Mapping[str, str | tuple[str, ...]]) -> dict[str, str]:
    params = {name: _last(value) for name, value in query.items()}
    if "ssl" in params:
        asyncpg_style = params.pop("ssl").lower()
        params.setdefault(
            "sslmode",
            {"true": "require", "1": "require", "false": "disable", "0": "disable"}.get(
                asyncpg_style, asyncpg_style
            ),
        )
    if (mode := params.get("sslmode")) is not None and mode not in _SSL_MODES:
        raise UnsupportedDatabase(f"sslmode must be one of {', '.join(_SSL_MODES)}")
    if (binding := params.get("channel_binding")) is not None and binding not in _BINDINGS:
        raise UnsupportedDatabase(f"channel_binding must be one of {', '.join(_BINDINGS)}")
    return params


def _for_asyncpg(base: URL, libpq: dict[str, str]) -> DriverUrl:
    """libpq's parameters as asyncpg's arguments.

    - ``sslmode`` becomes ``ssl`` (the mode name, which asyncpg reads as libpq
      does); with ``sslrootcert``, ``sslcert``, ``sslkey``, ``sslpassword`` or
      ``sslcrl``, ``ssl`` is an ``SSLContext`` built from those files.
    - ``channel_binding=require``: asyncpg has no channel binding, so its
      guarantee (credentials are not handed to a man in the middle) is had by
      verifying the server instead: ``verify-full`` against ``sslrootcert`` or
      the system's CAs. ``postgresql+psycopg://`` has real channel binding.
    - ``connect_timeout`` becomes ``timeout``; ``application_name`` and
      ``options`` (Neon's ``endpoint=…``) go to ``server_settings``;
      ``target_session_attrs`` stays; ``sslnegotiation=direct`` is ``direct_tls``.
    - An asyncpg-style ``ssl=`` is read as libpq's ``sslmode`` (``_libpq_params``).
    """
    params = dict(libpq)
    args: dict[str, Any] = {}
    server_settings: dict[str, str] = {}

    mode = params.pop("sslmode", None)
    files = {name: params.pop(name) for name in _SSL_FILES if name in params}
    password = params.pop("sslpassword", None)
    if params.pop("channel_binding", None) == "require":
        if mode == "disable":
            raise UnsupportedDatabase("channel_binding=require needs TLS, and sslmode=disable")
        mode = "verify-full"
        files.setdefault("sslrootcert", "system")
    if files and mode != "disable":
        args["ssl"] = _ssl_context(mode or "prefer", files, password)
    elif mode is not None:
        args["ssl"] = mode

    if (timeout := params.pop("connect_timeout", None)) is not None and float(timeout) > 0:
        args["timeout"] = float(timeout)
    for name in ("application_name", "options"):
        if name in params:
            server_settings[name] = params.pop(name)
    if server_settings:
        args["server_settings"] = server_settings
    if "target_session_attrs" in params:
        args["target_session_attrs"] = params.pop("target_session_attrs")
    if (negotiation := params.pop("sslnegotiation", None)) is not None:
        args["direct_tls"] = negotiation == "direct"

    unknown = sorted(set(params) - _ASYNCPG_KEPT)
    if unknown:
        raise UnsupportedDatabase(
            f"asyncpg takes no URL parameter {', '.join(unknown)}: remove it, "
            "or use postgresql+psycopg:// to hand it to libpq"
        )
    return DriverUrl(base.set(drivername="postgresql+asyncpg", query=params), args)


def _ssl_context(mode: str, files: Mapping[str, str], password: str | None) -> ssl.SSLContext:
    """An ``SSLContext`` with libpq's meaning of ``mode`` and the certificate files.

    ``sslrootcert=system`` (or none, for the modes that verify) means the
    system's trusted CAs. As with libpq, ``require`` with a root certificate
    verifies the chain (``verify-ca``).
    """
    rootcert = files.get("sslrootcert")
    verify = mode in ("verify-ca", "verify-full") or (mode == "require" and rootcert is not None)
    if verify:
        context = ssl.create_default_context(
            cafile=None if rootcert in (None, "system") else rootcert
        )
        context.check_hostname = mode == "verify-full"
    else:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if crl := files.get("sslcrl"):
        context.load_verify_locations(cafile=crl)
        context.verify_flags |= ssl.VERIFY_CRL_CHECK_CHAIN
    if cert := files.get("sslcert"):
        context.load_cert_chain(cert, keyfile=files.get("sslkey"), password=password)
    return context
