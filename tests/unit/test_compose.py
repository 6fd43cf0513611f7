"""docker-compose.yml, the Dockerfile and the README agree with each other and with the settings.

There is no Docker engine here: the files are read as data and checked against
what the app reads (``Settings``, whatever fields it has when the test runs).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from pydantic import AliasChoices, SecretStr
from sqlalchemy.engine import URL, make_url

from infrastructure.persistence.workspaces import isolation
from infrastructure.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def setting_names() -> set[str]:
    """Every environment variable ``Settings`` reads (field names and their aliases)."""
    names: set[str] = set()
    for name, field in Settings.model_fields.items():
        names.add(name.upper())
        alias = field.validation_alias
        if isinstance(alias, str):
            names.add(alias.upper())
        elif isinstance(alias, AliasChoices):
            names |= {str(choice).upper() for choice in alias.choices}
    return names


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = compose["services"]
    return found


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text()


def settings_of(service: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The settings the app builds from this service's environment, and from nothing else."""
    for name in setting_names():
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    for name, value in service["environment"].items():
        monkeypatch.setenv(name, str(value))
    return Settings()


def url(secret: Any) -> URL:
    return make_url(secret.get_secret_value())


def test_the_stack_is_postgres_pgbouncer_redis_a_migration_and_the_app(
    services: dict[str, Any],
) -> None:
    assert set(services) == {"postgres", "pgbouncer", "redis", "migrate", "app"}


def test_the_workers_count_rate_limits_in_the_stacks_redis(
    services: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_of(services["app"], monkeypatch)
    assert settings.rate_limits
    assert settings.redis_url is not None
    target = urlsplit(settings.redis_url.get_secret_value())
    assert (target.hostname, target.port) == ("redis", 6379)
    assert "ping" in " ".join(services["redis"]["healthcheck"]["test"])


def test_every_variable_given_to_the_app_or_the_migration_is_a_setting(
    services: dict[str, Any],
) -> None:
    known = setting_names()
    for name in ("app", "migrate"):
        unknown = set(services[name]["environment"]) - known
        assert not unknown, f"{name} sets variables the app does not read: {unknown}"


def test_the_settings_accept_the_environment_of_both_services(
    services: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert settings_of(services["app"], monkeypatch).log_format == "json"
    assert settings_of(services["migrate"], monkeypatch).log_format == "json"


def test_postgres_is_checked_with_its_own_user_and_database(services: dict[str, Any]) -> None:
    postgres = services["postgres"]
    check = " ".join(postgres["healthcheck"]["test"])
    env = postgres["environment"]
    assert "pg_isready" in check
    assert f"-U {env['POSTGRES_USER']}" in check
    assert f"-d {env['POSTGRES_DB']}" in check


def test_pgbouncer_pools_transactions_in_front_of_postgres(services: dict[str, Any]) -> None:
    bouncer, postgres = services["pgbouncer"]["environment"], services["postgres"]["environment"]
    assert bouncer["POOL_MODE"] == "transaction"
    assert (bouncer["DB_HOST"], bouncer["DB_PORT"]) == ("postgres", "5432")
    # It logs the app in as the runtime role, whose login the migration gives it.
    assert (bouncer["DB_USER"], bouncer["DB_PASSWORD"], bouncer["DB_NAME"]) == (
        isolation.RUNTIME_ROLE,
        services["migrate"]["environment"]["DB_RUNTIME_PASSWORD"],
        postgres["POSTGRES_DB"],
    )
    check = " ".join(services["pgbouncer"]["healthcheck"]["test"])
    assert f"-p {bouncer['LISTEN_PORT']}" in check


def test_the_app_talks_to_pgbouncer_in_pooler_mode(
    services: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_of(services["app"], monkeypatch)
    target = url(settings.database_url)
    assert target.host == "pgbouncer"
    assert target.port == int(services["pgbouncer"]["environment"]["LISTEN_PORT"])
    assert settings.uses_pooler
    assert_same_database(target, services, as_runtime_role=True)


def test_migrations_run_on_the_direct_connection_and_only_once(
    services: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate = services["migrate"]
    assert migrate["command"] == ["taskhex", "db", "upgrade"]
    assert migrate["restart"] == "no"
    for name in ("migrate", "app"):
        direct = url(settings_of(services[name], monkeypatch).migrations_database_url)
        assert (direct.host, direct.port) == ("postgres", 5432), name
        assert_same_database(direct, services, as_runtime_role=name == "app")
    # The owner migrates, and lets the runtime role log in.
    assert settings_of(migrate, monkeypatch).db_runtime_password is not None


def assert_same_database(
    target: URL, services: dict[str, Any], *, as_runtime_role: bool = False
) -> None:
    """``target`` is the stack's database, logged in as its owner or as the runtime role."""
    postgres = services["postgres"]["environment"]
    login = (postgres["POSTGRES_USER"], postgres["POSTGRES_PASSWORD"])
    if as_runtime_role:
        login = (isolation.RUNTIME_ROLE, services["migrate"]["environment"]["DB_RUNTIME_PASSWORD"])
    assert (target.username, target.password, target.database) == (
        *login,
        postgres["POSTGRES_DB"],
    )


def test_services_start_in_order_and_only_after_what_they_need_is_healthy(
    services: dict[str, Any],
) -> None:
    assert services["pgbouncer"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["app"]["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"},
        "pgbouncer": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    for service in services.values():
        for needed, how in service.get("depends_on", {}).items():
            if how["condition"] == "service_healthy":
                assert "healthcheck" in services[needed], needed


def serve_port(command: list[str]) -> int:
    assert command[:2] == ["taskhex", "serve"]
    return int(command[command.index("--port") + 1])


def test_the_app_listens_where_its_port_and_health_checks_point(
    services: dict[str, Any], dockerfile: str
) -> None:
    app = services["app"]
    port = serve_port(app["command"])
    assert [int(p.split(":")[-1]) for p in app["ports"]] == [port]
    assert f"127.0.0.1:{port}/health/ready" in " ".join(app["healthcheck"]["test"])
    assert re.search(rf"^EXPOSE {port}$", dockerfile, re.MULTILINE)
    assert f"127.0.0.1:{port}/health/live" in dockerfile


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined."""
    text = re.sub(r"\\\n", " ", dockerfile)
    lines = [line.strip() for line in text.splitlines()]
    found = [line.split(None, 1) for line in lines if line and not line.startswith("#")]
    return [(parts[0].upper(), parts[1] if len(parts) > 1 else "") for parts in found]


def test_the_image_is_built_in_stages_and_runs_unprivileged_with_a_health_check(
    dockerfile: str,
) -> None:
    steps = instructions(dockerfile)
    stages = [i for i, (name, _) in enumerate(steps) if name == "FROM"]
    assert len(stages) >= 2
    final = steps[stages[-1] :]
    assert any(name == "COPY" and args.startswith("--from=") for name, args in final)
    users = [args for name, args in final if name == "USER"]
    assert users
    assert users[-1] not in {"root", "0"}
    assert any(name == "HEALTHCHECK" for name, _ in final)
    [cmd] = [args for name, args in final if name == "CMD"]
    assert serve_port(json.loads(cmd)) == 8000


def shown(default: Any) -> str:
    """A default as the README writes it."""
    if isinstance(default, SecretStr):
        return default.get_secret_value()
    if default is None:
        return "unset"
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, list | tuple):
        return ",".join(str(item) for item in default) or "none"
    if isinstance(default, float) and default.is_integer():
        return str(int(default))
    return str(default)


def test_the_readme_documents_every_setting_with_its_default() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = dict(re.findall(r"^\| `([A-Z_]+)` \| `?([^|`]+)`? \|", section, re.MULTILINE))
    expected = {name.upper(): shown(f.default) for name, f in Settings.model_fields.items()}
    assert {k: v.strip() for k, v in documented.items()} == expected
