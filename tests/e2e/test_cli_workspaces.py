"""``taskhex workspaces``, ``taskhex keys`` and ``--workspace``, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

from infrastructure.auth.api_keys import hash_key_from, hash_of
from infrastructure.persistence.workspaces.keys import SqlKeyStore
from interfaces.cli.main import app as taskhex
from interfaces.container import Container, dispose
from tests.support.databases import POOLED_URLS, make_container

TASKHEX = str(Path(sys.executable).with_name("taskhex"))
SECRET = re.compile(r"thx_[a-z0-9]{8}_[A-Za-z0-9_-]{43}")
Invoke = Callable[..., Result]
OUTSIDE_EVERY_WORKSPACE = {"serve", "db", "openapi", "workspaces"}


@pytest.fixture
def cli(container: Container, database_url: str) -> Invoke:
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(taskhex, list(args), obj=lambda: make_container(database_url), env=env)

    return invoke


def ok(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def stored_workspace_of(database_url: str, secret: str) -> int | None:
    """The workspace of the key whose secret is ``secret``, as the authenticator finds it."""

    async def find() -> int | None:
        container = make_container(database_url)
        try:
            found = await SqlKeyStore(container.engine()).find(
                hash_of(secret, hash_key_from(container.settings()))
            )
        finally:
            await dispose(container)
        return None if found is None else found.workspace_id

    return asyncio.run(find())


def test_a_workspace_is_created_with_an_admin_key_that_authenticates_in_it(
    cli: Invoke, database_url: str
) -> None:
    created = ok(cli("workspaces", "create", "acme", "--json"))

    assert list(created) == ["workspace", "key"]
    assert created["workspace"]["name"] == "acme"
    key = created["key"]
    assert list(key) == ["id", "name", "role", "prefix", "secret"]
    assert key["role"] == "admin"
    assert SECRET.fullmatch(key["secret"])
    assert key["secret"].startswith(f"thx_{key['prefix']}_")
    assert stored_workspace_of(database_url, key["secret"]) == created["workspace"]["id"]

    listed = ok(cli("workspaces", "list", "--json"))["items"]
    assert [w["name"] for w in listed] == ["acme", "default"]


def test_a_taken_workspace_name_is_exit_code_4_with_a_clear_error(cli: Invoke) -> None:
    ok(cli("workspaces", "create", "acme", "--json"))
    taken = cli("workspaces", "create", " acme ")
    assert taken.exit_code == 4
    assert taken.stderr == "error: a workspace named 'acme' already exists\n"
    assert taken.stdout == ""
    assert cli("workspaces", "create", " ").exit_code == 2


def test_without_json_the_secret_is_shown_once_with_a_warning(
    cli: Invoke, database_url: str
) -> None:
    result = cli("workspaces", "create", "acme")

    assert result.exit_code == 0, result.output
    secrets = SECRET.findall(result.stdout)
    assert len(secrets) == 1
    assert f"\n{secrets[0]}\n" in result.stdout  # alone on its line, for copying
    assert "created workspace acme" in result.stdout
    assert "shown only this once" in result.stderr
    assert stored_workspace_of(database_url, secrets[0]) is not None
    human = cli("keys", "create", "--workspace", "acme", "--role", "reader")
    assert len(SECRET.findall(human.stdout)) == 1
    assert "shown only this once" in human.stderr


def test_keys_are_created_listed_and_revoked_in_the_named_workspace(
    cli: Invoke, database_url: str
) -> None:
    acme = ok(cli("workspaces", "create", "acme", "--json"))
    key = ok(
        cli("keys", "create", "--workspace", "acme", "--role", "writer", "--name", "ci", "--json")
    )

    assert list(key) == ["id", "name", "role", "prefix", "secret"]
    assert (key["name"], key["role"]) == ("ci", "writer")
    assert stored_workspace_of(database_url, key["secret"]) == acme["workspace"]["id"]
    listed = ok(cli("keys", "list", "--workspace", "acme", "--json"))["items"]
    assert [k["id"] for k in listed] == [acme["key"]["id"], key["id"]]
    assert all("secret" not in k for k in listed)
    table = cli("keys", "list", "--workspace", "acme")
    assert "ci" in table.stdout
    assert not SECRET.search(table.stdout)
    assert ok(cli("keys", "list", "--json"))["items"] == []  # default has none

    assert cli("keys", "revoke", "--workspace", "acme", str(key["id"])).exit_code == 0
    assert stored_workspace_of(database_url, key["secret"]) is None
    gone = cli("keys", "revoke", "--workspace", "acme", str(key["id"]))
    assert (gone.exit_code, gone.stderr) == (3, f"error: API key {key['id']} does not exist\n")
    elsewhere = cli("keys", "revoke", str(acme["key"]["id"]))  # from default
    assert elsewhere.exit_code == 3
    last = cli("keys", "revoke", "--workspace", "acme", str(acme["key"]["id"]))
    assert last.exit_code == 4
    assert "last admin key" in last.stderr


def test_a_bad_role_or_name_is_exit_code_2(cli: Invoke) -> None:
    assert cli("keys", "create", "--role", "owner").exit_code == 2
    assert cli("keys", "create").exit_code == 2
    invalid = cli("keys", "create", "--role", "reader", "--name", "n" * 121)
    assert invalid.exit_code == 2
    assert invalid.stderr.startswith("error: invalid input: name:")


def test_data_commands_act_in_the_workspace_named_by_option_or_environment(
    cli: Invoke,
) -> None:
    ok(cli("workspaces", "create", "acme", "--json"))
    mine = ok(cli("tasks", "add", "in acme", "--workspace", "acme", "--json"))
    ok(cli("tasks", "add", "in default", "--json"))

    def titles(*args: str, env: dict[str, str] | None = None) -> list[str]:
        page = ok(cli("tasks", "list", "--json", *args, env=env))
        return [t["title"] for t in page["items"]]

    assert titles("--workspace", "acme") == ["in acme"]
    assert titles(env={"TASKHEX_WORKSPACE": "acme"}) == ["in acme"]
    assert titles() == ["in default"]
    assert titles("--workspace", "default", env={"TASKHEX_WORKSPACE": "acme"}) == ["in default"]
    assert cli("tasks", "show", str(mine["id"])).exit_code == 3  # not in default


def test_an_unknown_workspace_is_exit_code_3_naming_it(cli: Invoke) -> None:
    for args in (
        ("tasks", "list", "--workspace", "nope"),
        ("keys", "list", "--workspace", "nope"),
        ("seed", "--tasks", "1", "--workspace", "nope"),
    ):
        refused = cli(*args)
        assert refused.exit_code == 3, args
        assert refused.stderr == (
            "error: no workspace is named 'nope' (taskhex workspaces list shows them)\n"
        )
    assert cli("tasks", "list", env={"TASKHEX_WORKSPACE": "nope"}).exit_code == 3


def commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    found = []
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found += commands(command, (*path, name))
        else:
            found.append(((*path, name), command))
    return found


def test_every_data_command_takes_the_workspace_option() -> None:
    every = commands(typer.main.get_group(taskhex))
    assert len(every) > 10
    for path, command in every:
        options = {o for p in command.params for o in getattr(p, "opts", ())}
        outside = path[0] in OUTSIDE_EVERY_WORKSPACE
        assert ("--workspace" in options) is not outside, path


# On PostgreSQL only, where row-level security holds each process to its workspace: five
# processes cost about 12 s, and the commands meet each database in process above.
@pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_the_installed_command_makes_a_workspace_and_works_in_it(
    container: Container, database_url: str
) -> None:
    """Processes, which no test establishes a caller for: each command finds its own."""
    env = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    if database_url in POOLED_URLS:
        env["DB_POOLER"] = "transaction"

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [TASKHEX, *args],
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    created = run("workspaces", "create", "acme", "--json")
    assert created.returncode == 0, created.stderr
    added = run("tasks", "add", "from a shell", "--json", TASKHEX_WORKSPACE="acme")
    assert added.returncode == 0, added.stderr
    listed = run("tasks", "list", "--workspace", "acme", "--json")
    assert [t["title"] for t in json.loads(listed.stdout)["items"]] == ["from a shell"]
    assert json.loads(run("tasks", "list", "--json").stdout)["items"] == []
    key = run("keys", "create", "--workspace", "acme", "--role", "reader", "--json")
    assert key.returncode == 0, key.stderr
    assert stored_workspace_of(database_url, json.loads(key.stdout)["secret"])


def test_an_import_stopped_in_one_workspace_is_not_resumed_in_another(
    cli: Invoke, tmp_path: Path
) -> None:
    ok(cli("workspaces", "create", "acme", "--json"))
    source = tmp_path / "tasks.jsonl"
    source.write_text('{"title": "a"}\n{"title": ""}\n', encoding="utf-8")
    into_acme = ("import", str(source), "--quiet", "--batch-size", "1", "--workspace", "acme")
    assert cli(*into_acme).exit_code == 2
    source.write_text('{"title": "a"}\n{"title": "b"}\n', encoding="utf-8")

    into_default = cli("import", str(source), "--quiet", "--resume")
    assert into_default.exit_code == 4
    assert "into the workspace 'acme' stopped after line 1" in into_default.stderr
    assert ok(cli(*into_acme, "--resume", "--json"))["imported"] == 1
    assert ok(cli("import", str(source), "--quiet", "--json"))["imported"] == 2
    assert len(ok(cli("tasks", "list", "--json"))["items"]) == 2
    assert len(ok(cli("tasks", "list", "--workspace", "acme", "--json"))["items"]) == 2
