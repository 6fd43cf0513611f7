"""A key's secret appears in the answer that created it and nowhere else: no log line (at
DEBUG, SQL echo on), no other answer, no error, whether it was made on the command line or
over HTTP, used, refused or revoked."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from typer.testing import CliRunner

from infrastructure.logging import configure_logging
from interfaces.cli.main import app as taskhex
from interfaces.container import Container, dispose
from tests.support.databases import POOLED_URLS, make_container
from tests.support.http import serving
from tests.support.keys import bearer

TASKHEX = str(Path(sys.executable).with_name("taskhex"))
SECRET = re.compile(r"thx_[a-z0-9]{8}_[A-Za-z0-9_-]{43}")


class Logs:
    def __init__(self, stream: io.StringIO, caplog: pytest.LogCaptureFixture) -> None:
        self.stream = stream
        self.caplog = caplog

    def everything(self) -> str:
        """The rendered lines, and every captured record with its arguments and fields."""
        records = [f"{r.getMessage()} {r.args!r} {r.__dict__!r}" for r in self.caplog.records]
        return "\n".join([self.stream.getvalue(), self.caplog.text, *records])


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[Logs]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging("DEBUG", "json", stream)
    caplog.set_level(logging.DEBUG)
    yield Logs(stream, caplog)
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


def assert_nowhere(secrets: list[str], *texts: str) -> None:
    assert secrets
    for secret in secrets:
        for text in texts:
            assert secret not in text, f"a key's secret leaked into: {text[:300]}"


def test_keys_made_on_the_command_line_are_in_no_log_line(
    container: Container, database_url: str, logs: Logs
) -> None:
    runner = CliRunner()

    def cli(*args: str) -> str:
        result = runner.invoke(
            taskhex, list(args), obj=lambda: make_container(database_url, db_echo=True)
        )
        assert result.exit_code in (0, 3, 4), result.output
        return result.stdout

    printed = [
        cli("workspaces", "create", "acme", "--json"),
        cli("workspaces", "create", "zeta"),
        cli("keys", "create", "--workspace", "acme", "--role", "writer", "--json"),
        cli("keys", "create", "--role", "admin"),
    ]
    secrets = [s for out in printed for s in SECRET.findall(out)]
    others = [
        cli("keys", "list", "--workspace", "acme", "--json"),
        cli("keys", "list"),
        cli("keys", "revoke", "--workspace", "acme", "1"),  # the last admin key: refused
        cli("workspaces", "list", "--json"),
    ]

    assert len(secrets) == 4
    assert "SELECT" in logs.everything()  # SQL echo was on: the logs were not empty
    assert_nowhere(secrets, logs.everything(), *others)


def test_a_command_at_debug_prints_the_secret_on_stdout_only(
    container: Container, database_url: str
) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "DEBUG"}
    if database_url in POOLED_URLS:
        env["DB_POOLER"] = "transaction"
    made = [
        subprocess.run(
            [TASKHEX, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        for args in (
            ("workspaces", "create", "acme", "--json"),
            ("keys", "create", "--workspace", "acme", "--role", "reader", "--json"),
        )
    ]

    assert [m.returncode for m in made] == [0, 0], [m.stderr for m in made]
    secrets = [json.loads(made[0].stdout)["key"]["secret"], json.loads(made[1].stdout)["secret"]]
    assert all("debug" in m.stderr.lower() for m in made)  # DEBUG lines were logged
    assert_nowhere(secrets, *(m.stderr for m in made))


def altered(secret: str) -> str:
    """``secret`` with its last character changed (to another one, whatever it was)."""
    return secret[:-1] + ("B" if secret.endswith("A") else "A")


async def test_keys_made_used_and_revoked_over_http_are_in_no_log_line_or_other_answer(
    container: Container, database_url: str, logs: Logs
) -> None:
    echoing = make_container(database_url, db_echo=True)
    try:
        async with serving(echoing) as http:
            created = [
                await http.post("/api/v1/keys", json={"name": "ci", "role": "writer"}),
                await http.post("/api/v1/keys", json={"name": "ops", "role": "admin"}),
            ]
            secrets = [c.json()["secret"] for c in created]
            writer = bearer(secrets[0])
            answers = [
                await http.get("/api/v1/keys"),
                await http.post("/api/v1/tasks", json={"title": "x"}, headers=writer),
                await http.get("/api/v1/keys", headers=writer),  # 403
                await http.post("/api/v1/keys", json={"name": secrets[0], "role": "x"}),  # 422
                await http.delete(f"/api/v1/keys/{created[0].json()['id']}"),
                await http.get("/api/v1/tasks", headers=bearer(altered(secrets[0]))),  # 401
                await http.get("/api/v1/tasks", headers=bearer(secrets[1] + "x")),  # malformed
            ]
    finally:
        await dispose(echoing)

    assert [c.status_code for c in created] == [201, 201]
    assert [a.status_code for a in answers] == [200, 201, 403, 422, 204, 401, 401]
    assert "SELECT" in logs.everything()
    texts = [f"{a.status_code} {dict(a.headers)!r} {a.text}" for a in answers]
    assert_nowhere(secrets, logs.everything(), *texts)
