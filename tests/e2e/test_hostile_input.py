"""Hostile input: every kind the service must refuse, and the answer each one gets.

``CASES`` is the specification: one row a request, with the status it must be
answered with. Every 4xx is a problem+json document (RFC 9457) that carries
the request id; nothing is ever a 5xx; and after each request the data seeded
before it (a user, a project, a task with tags) is exactly as it was, with no
row more or less. The few rows answered 200 are SQL carried by free-text
filters: they must match nothing (the seeded task would match an injected
``OR 1=1``) and drop nothing.

The rows run on SQLite and on PostgreSQL; not a third time through PgBouncer,
since none of them is answered by anything a pooler could change.
Related, not repeated here: ``test_tasks_api.py`` (each invalid field of a
task), ``test_idempotency.py`` (what a valid key does), ``test_cursors.py``.
"""

# ruff: noqa: E501  (the table of cases keeps one request a line)
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from infrastructure.settings import Settings
from interfaces.api.middleware.body_limit import BodyLimit
from interfaces.api.problems.answers import BodyTooLarge
from interfaces.container import Container
from tests.support.databases import empty_tables, make_container
from tests.support.http import serving

TASKS, USERS, PROJECTS, TAGS = "/api/v1/tasks", "/api/v1/users", "/api/v1/projects", "/api/v1/tags"
TASK, USER, PROJECT = f"{TASKS}/{{task}}", f"{USERS}/{{user}}", f"{PROJECTS}/{{project}}"
JSON = {"content-type": "application/json"}
PROBLEM = "application/problem+json"
MAX_ID = 2**63 - 1
LIMIT: int = Settings.model_fields["max_body_bytes"].default
SQL = "x'; DROP TABLE task; --"


@dataclass(frozen=True)
class Case:
    """One hostile request: ``content`` is sent as is (``streamed``: chunked, no length)."""

    method: str
    path: str
    status: int
    json: Any = None
    content: bytes | None = None
    streamed: bool = False
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str | bytes] = field(default_factory=dict)
    finds_nothing: bool = False  # a 200 for a search that must match no row


def case(name: str, *args: Any, **kwargs: Any) -> Any:
    return pytest.param(Case(*args, **kwargs), id=name)


def raw(body: bytes, **kwargs: Any) -> dict[str, Any]:
    return {"content": body, "headers": JSON, **kwargs}


def padded(size: int) -> bytes:
    """A JSON task of exactly ``size`` bytes."""
    shell = b'{"title": "x", "description": ""}'
    return shell[:-2] + b"d" * (size - len(shell)) + shell[-2:]


def nested(depth: int) -> bytes:
    return b'{"title": "x", "tags": ' + b"[" * depth + b"]" * depth + b"}"


TOO_LARGE = padded(LIMIT + 1)
HUGE_NUMBER = b"1" + b"0" * 5000  # past Python's 4300-digit limit for int()

# fmt: off
CASES = [
    # Bodies over MAX_BODY_BYTES: by their Content-Length, or counted while they stream.
    case("body over the limit", "POST", TASKS, 413, **raw(TOO_LARGE)),
    case("body over the limit on patch", "PATCH", TASK, 413, **raw(TOO_LARGE)),
    case("body over the limit on bulk", "POST", f"{TASKS}/bulk", 413, **raw(TOO_LARGE)),
    case("body over the limit on a user", "POST", USERS, 413, **raw(TOO_LARGE)),
    case("chunked body over the limit", "POST", TASKS, 413, **raw(TOO_LARGE, streamed=True)),
    case("chunked body over the limit on patch", "PATCH", TASK, 413, **raw(TOO_LARGE, streamed=True)),
    case("chunked body over the limit on a read", "GET", TASKS, 413, **raw(TOO_LARGE, streamed=True)),
    case(
        "chunked body over the limit with an idempotency key", "POST", TASKS, 413,
        content=TOO_LARGE, streamed=True, headers={**JSON, "Idempotency-Key": "big-1"},
    ),
    # A body that is not declared as JSON.
    case("text/plain", "POST", TASKS, 415, content=b'{"title": "x"}', headers={"content-type": "text/plain"}),
    case("form", "POST", TASKS, 415, content=b"title=x", headers={"content-type": "application/x-www-form-urlencoded"}),
    case("xml on patch", "PATCH", TASK, 415, content=b"<title/>", headers={"content-type": "application/xml"}),
    case("text/plain on a user", "POST", USERS, 415, content=b"{}", headers={"content-type": "text/plain"}),
    case("text/plain on a project", "PATCH", PROJECT, 415, content=b"{}", headers={"content-type": "text/plain"}),
    case("text/plain on bulk", "POST", f"{TASKS}/bulk", 415, content=b"{}", headers={"content-type": "text/plain"}),
    case("10k content type", "POST", TASKS, 415, content=b"{}", headers={"content-type": "application/" + "x" * 10_000}),
    # Malformed JSON.
    case("truncated json", "POST", TASKS, 422, **raw(b'{"title": ')),
    case("single quotes", "POST", TASKS, 422, **raw(b"{'title': 'x'}")),
    case("trailing garbage", "PATCH", TASK, 422, **raw(b'{"title": "x"} trailing')),
    case("empty body", "POST", TASKS, 422, **raw(b"")),
    case("an array, not an object", "POST", USERS, 422, **raw(b"[]")),
    case("raw control character in a string", "POST", TASKS, 422, **raw(b'{"title": "a\x01b"}')),
    case("integer past 4300 digits", "POST", TASKS, 422, **raw(b'{"title": "x", "project_id": ' + HUGE_NUMBER + b"}")),
    case("integer past 4300 digits on patch", "PATCH", TASK, 422, **raw(b'{"project_id": ' + HUGE_NUMBER + b"}")),
    case("number overflowing to infinity", "POST", TASKS, 422, **raw(b'{"title": "x", "project_id": 1e400}')),
    # Not UTF-8.
    case("latin-1 body", "POST", TASKS, 422, **raw(b'{"title": "caf\xe9"}')),
    case("latin-1 body on patch", "PATCH", TASK, 422, **raw(b'{"title": "caf\xe9"}')),
    case("byte order mark of UTF-16", "POST", USERS, 422, **raw(b"\xff\xfe{}")),
    case("overlong UTF-8 encoding", "POST", PROJECTS, 422, **raw(b'{"name": "\xc0\xaf"}')),
    case("escaped lone surrogate", "POST", TASKS, 422, **raw(b'{"title": "a\\ud800b"}')),
    case("escaped lone surrogate on patch", "PATCH", TASK, 422, **raw(b'{"title": "a\\ud800b"}')),
    case("escaped lone surrogate in a name", "POST", USERS, 422, **raw(b'{"email": "a@b.org", "name": "\\udfff"}')),
    # Deeply nested JSON.
    case("100k open brackets", "POST", TASKS, 422, **raw(b"[" * 100_000)),
    case("100k nested arrays", "POST", TASKS, 422, **raw(nested(100_000))),
    case("100k nested arrays on patch", "PATCH", TASK, 422, **raw(nested(100_000))),
    case("5k nested objects", "POST", PROJECTS, 422, **raw(b'{"a": ' * 5000 + b"1" + b"}" * 5000)),
    case("100k nested arrays on bulk", "POST", f"{TASKS}/bulk", 422, **raw(b'{"items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")),
    # Ids past 64 bits, in paths, bodies and queries.
    case("path id 2^63", "GET", f"{TASKS}/{MAX_ID + 1}", 422),
    case("path id 2^64 on patch", "PATCH", f"{TASKS}/{2**64}", 422, json={"title": "x"}),
    case("path id of 30 digits on delete", "DELETE", f"{TASKS}/{'9' * 30}", 422),
    case("user id 2^63", "GET", f"{USERS}/{MAX_ID + 1}", 422),
    case("project id 2^64 on delete", "DELETE", f"{PROJECTS}/{2**64}", 422),
    case("path id with a NUL", "GET", f"{TASKS}/1%00", 422),
    case("body project_id 2^63", "POST", TASKS, 422, json={"title": "x", "project_id": MAX_ID + 1}),
    case("body assignee_id 10^30 on patch", "PATCH", TASK, 422, json={"assignee_id": 10**30}),
    case("body owner_id 2^64", "POST", PROJECTS, 422, json={"name": "p", "owner_id": 2**64}),
    case("bulk-delete id 2^63", "POST", f"{TASKS}/bulk-delete", 422, json={"ids": [MAX_ID + 1]}),
    case("bulk-update id 2^64", "POST", f"{TASKS}/bulk-update", 422, json={"ids": [2**64], "changes": {"status": "done"}}),
    case("query project_id 2^64", "GET", TASKS, 422, params={"project_id": str(2**64)}),
    case("query assignee_id 2^63 on stats", "GET", f"{TASKS}/stats", 422, params={"assignee_id": str(MAX_ID + 1)}),
    case("offset 2^63", "GET", TASKS, 422, params={"offset": str(MAX_ID + 1)}),
    # Limits out of range.
    case("limit=1e100", "GET", TASKS, 422, params={"limit": "1e100"}),
    case("limit of 100 digits", "GET", TASKS, 422, params={"limit": "9" * 100}),
    case("limit=NaN", "GET", TASKS, 422, params={"limit": "NaN"}),
    case("limit=inf", "GET", TASKS, 422, params={"limit": "inf"}),
    case("limit=-1", "GET", TASKS, 422, params={"limit": "-1"}),
    case("limit=101", "GET", TASKS, 422, params={"limit": "101"}),
    case("limit=1e100 on users", "GET", USERS, 422, params={"limit": "1e100"}),
    case("limit=1e100 on projects", "GET", PROJECTS, 422, params={"limit": "1e100"}),
    case("limit=1e100 on tags", "GET", TAGS, 422, params={"limit": "1e100"}),
    case("offset=1e100", "GET", TASKS, 422, params={"offset": "1e100"}),
    # SQL in sort and filter values: refused where the value is an enum, a number or a
    # date; matched literally (nothing) where it is free text.
    case("sort with SQL", "GET", TASKS, 422, params={"sort": "title;drop table task"}),
    case("sort with a SQL comment", "GET", TASKS, 422, params={"sort": "title -- x"}),
    case("sort with SQL on users", "GET", USERS, 422, params={"sort": "name;drop table app_user"}),
    case("sort with SQL on projects", "GET", PROJECTS, 422, params={"sort": "-name;drop table project"}),
    case("status with SQL", "GET", TASKS, 422, params={"status": SQL}),
    case("priority with SQL on stats", "GET", f"{TASKS}/stats", 422, params={"priority": SQL}),
    case("project_id with SQL", "GET", TASKS, 422, params={"project_id": "1 OR 1=1"}),
    case("due_before with SQL", "GET", TASKS, 422, params={"due_before": "2020-01-01' OR '1'='1"}),
    case("due_after as a number", "GET", f"{TASKS}/stats", 422, params={"due_after": "0"}),
    case("cursor with SQL", "GET", TASKS, 400, params={"cursor": "' OR 1=1; --"}),
    case("q with SQL", "GET", TASKS, 200, params={"q": "%' OR 1=1; --"}, finds_nothing=True),
    case("tag with SQL", "GET", TASKS, 200, params={"tag": SQL}, finds_nothing=True),
    case("tag with SQL on stats", "GET", f"{TASKS}/stats", 200, params={"tag": SQL}, finds_nothing=True),
    # NUL characters, which PostgreSQL refuses in text: refused before they reach it.
    case("NUL in a title", "POST", TASKS, 422, json={"title": "a\x00b"}),
    case("NUL in a description on patch", "PATCH", TASK, 422, json={"description": "a\x00b"}),
    case("NUL in a tag", "POST", TASKS, 422, json={"title": "x", "tags": ["a\x00"]}),
    case("NUL in a bulk item", "POST", f"{TASKS}/bulk", 422, json={"items": [{"title": "\x00"}]}),
    case("NUL in an email", "POST", USERS, 422, json={"email": "a\x00@b.org", "name": "A"}),
    case("NUL in a user name on patch", "PATCH", USER, 422, json={"name": "a\x00"}),
    case("NUL in a project name", "POST", PROJECTS, 422, json={"name": "\x00"}),
    case("NUL in a project description on patch", "PATCH", PROJECT, 422, json={"description": "\x00"}),
    case("NUL in q", "GET", TASKS, 422, params={"q": "a\x00"}),
    case("NUL in tag on stats", "GET", f"{TASKS}/stats", 422, params={"tag": "a\x00"}),
    case("NUL in sort", "GET", USERS, 422, params={"sort": "name\x00"}),
    case("NUL in a cursor", "GET", PROJECTS, 400, params={"cursor": "\x00"}),
    # Over-long and malformed headers.
    case("idempotency key of 256 characters", "POST", TASKS, 422, json={"title": "x"}, headers={"Idempotency-Key": "k" * 256}),
    case("idempotency key of 10k characters on bulk", "POST", f"{TASKS}/bulk", 422, json={"items": [{"title": "x"}]}, headers={"Idempotency-Key": "k" * 10_000}),
    case("empty idempotency key", "POST", TASKS, 422, json={"title": "x"}, headers={"Idempotency-Key": ""}),
    case("idempotency key with a space", "POST", TASKS, 422, json={"title": "x"}, headers={"Idempotency-Key": "a b"}),
    case("idempotency key not ASCII", "POST", TASKS, 422, json={"title": "x"}, headers={"Idempotency-Key": "caf\xe9".encode("latin-1")}),
    case("if-match of 10k characters", "PATCH", TASK, 422, json={"title": "new"}, headers={"If-Match": '"' + "1" * 10_000 + '"'}),
    case("if-match of 10k characters on a user", "PATCH", USER, 422, json={"name": "B"}, headers={"If-Match": "x" * 10_000}),
    case("if-match of 10k characters on a project", "PATCH", PROJECT, 422, json={"name": "q"}, headers={"If-Match": "W/" * 5_000}),
    case("if-match past 64 bits", "PATCH", TASK, 412, json={"title": "new"}, headers={"If-Match": f'"{2**64}"'}),
    case("request id of 100k characters", "GET", TASK, 200, headers={"X-Request-ID": "r" * 100_000}),
    case("request id with a line of log", "GET", TASK, 200, headers={"X-Request-ID": "a\tlevel=error"}),
    case("an unknown header of 64 KiB", "GET", TASKS, 200, headers={"X-Junk": "j" * 65_536}),
    # Routes and methods that do not exist.
    case("unknown route", "GET", "/api/v1/nowhere", 404),
    case("wrong method", "PUT", TASK, 405, json={"title": "x"}),
]
# fmt: on


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@dataclass
class Seed:
    ids: dict[str, int]
    snapshot: dict[str, Any]


async def snapshot(client: httpx.AsyncClient, ids: dict[str, int], container: Container) -> Any:
    """What a hostile request must leave as it was: the seeded rows and every table's count."""
    rows = {
        name: (await client.get(f"/api/v1/{name}s/{identifier}")).json()
        for name, identifier in ids.items()
    }
    async with container.engine().connect() as connection:
        counts = {
            table: await connection.scalar(text(f"SELECT count(*) FROM {table}"))
            for table in ("task", "app_user", "project", "tag", "task_tag")
        }
    return rows, counts


@pytest.fixture
async def seed(client: httpx.AsyncClient, container: Container) -> Seed:
    user = (await client.post(USERS, json={"email": "ada@example.org", "name": "Ada"})).json()
    project = (await client.post(PROJECTS, json={"name": "p", "owner_id": user["id"]})).json()
    task = await client.post(
        TASKS,
        json={
            "title": "x",
            "tags": ["a", "b"],
            "project_id": project["id"],
            "assignee_id": user["id"],
        },
    )
    assert task.status_code == 201, task.text
    ids = {"task": task.json()["id"], "user": user["id"], "project": project["id"]}
    return Seed(ids, await snapshot(client, ids, container))


async def chunks(body: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def send(client: httpx.AsyncClient, hostile: Case, ids: dict[str, int]) -> httpx.Response:
    content: Any = hostile.content
    if hostile.streamed:
        assert content is not None
        content = chunks(content)
    return await client.request(
        hostile.method,
        hostile.path.format(**ids),
        json=hostile.json,
        content=content,
        params=hostile.params,
        headers=hostile.headers,
    )


@pytest.mark.parametrize("hostile", CASES)
async def test_hostile_input_gets_its_status_as_problem_json_and_changes_nothing(
    client: httpx.AsyncClient, container: Container, seed: Seed, hostile: Case
) -> None:
    response = await send(client, hostile, seed.ids)

    assert response.status_code == hostile.status, response.text[:500]
    assert 1 <= len(response.headers["x-request-id"]) <= 128  # never a huge value echoed
    if hostile.status >= 400:
        assert response.headers["content-type"] == PROBLEM
        problem = response.json()
        assert problem["status"] == hostile.status
        assert all(
            isinstance(problem[key], str) and problem[key] for key in ("type", "title", "detail")
        )
        if hostile.status == 422:
            assert problem["errors"]
    elif hostile.finds_nothing:
        assert response.json()["total"] == 0
    assert await snapshot(client, seed.ids, container) == seed.snapshot


# --- the body limit ------------------------------------------------------------------------------


@pytest.fixture
async def limited(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app with MAX_BODY_BYTES set to 1024."""
    services = make_container(database_url, max_body_bytes=1024)
    await empty_tables(services.engine())
    async with serving(services) as http:
        yield http


async def test_the_default_body_limit_is_2_mib() -> None:
    assert LIMIT == 2 * 1024 * 1024
    assert len(TOO_LARGE) == LIMIT + 1


async def test_max_body_bytes_is_the_largest_body_accepted_declared_or_streamed(
    limited: httpx.AsyncClient,
) -> None:
    for streamed in (False, True):
        at_limit = await limited.post(
            TASKS, content=chunks(padded(1024), 100) if streamed else padded(1024), headers=JSON
        )
        over = await limited.post(
            TASKS, content=chunks(padded(1025), 100) if streamed else padded(1025), headers=JSON
        )

        assert at_limit.status_code == 201, at_limit.text
        assert over.status_code == 413
        assert over.headers["content-type"] == PROBLEM
        assert "1024 bytes" in over.json()["detail"]
    assert (await limited.get(TASKS)).json()["total"] == 2


async def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(
    limited: httpx.AsyncClient,
) -> None:
    reads: list[bytes] = []

    async def watched() -> AsyncIterator[bytes]:
        reads.append(b"{}")
        yield b"{}"

    response = await limited.post(
        TASKS, content=watched(), headers={**JSON, "Content-Length": "1025"}
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM
    assert reads == []


async def test_a_bulk_create_of_1000_ordinary_tasks_fits_under_the_default_limit(
    client: httpx.AsyncClient,
) -> None:
    item = {
        "title": "t" * 120,
        "description": "d" * 1000,
        "priority": "high",
        "due_date": "2026-12-01",
        "tags": ["docs", "q4", "team-a", "customer_x"],
    }
    response = await client.post(f"{TASKS}/bulk", json={"items": [item] * 1000})

    assert len(response.request.content) > LIMIT // 2
    assert response.status_code == 201, response.text[:500]
    assert len(response.json()["items"]) == 1000


async def test_the_body_limit_leaves_other_scopes_alone() -> None:
    seen: list[dict[str, Any]] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope)

    await BodyLimit(inner, limit=lambda: 1)({"type": "lifespan"}, None, None)  # type: ignore[arg-type]

    assert seen == [{"type": "lifespan"}]


async def test_a_body_found_too_large_after_the_answer_began_is_raised_not_answered_twice() -> None:
    """An app that starts its answer before it reads the body: a second answer is impossible."""
    sent: list[dict[str, Any]] = []

    async def streaming(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await receive()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"xx", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    with pytest.raises(BodyTooLarge):
        await BodyLimit(streaming, limit=lambda: 1)(
            {"type": "http", "headers": []},
            receive,  # type: ignore[arg-type]
            send,  # type: ignore[arg-type]
        )

    assert [m["type"] for m in sent] == ["http.response.start"]
