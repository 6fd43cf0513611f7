"""Who may call: every ``/api/v1`` operation needs a bearer key, and its role decides.

The operations are read from the app itself (its OpenAPI document and the routes it
declares), so that a route added later is checked without anyone listing it here;
``/api/v1/keys`` and ``/api/v1/webhooks`` are administration when they come.

- No key, a malformed one, an unknown one, another scheme: 401 problem+json with a
  ``Bearer`` challenge, before anything else (a bad body, a huge one, another
  content type, a bad id, an unknown route or method are not looked at).
- A reader may read everything and write nothing (403); a writer writes data.
- ``/health/*``, ``/docs`` and ``/openapi.json`` need no key.
- A new key costs one statement (its lookup), then none while it is trusted.
- A key whose row is deleted is refused within 5 s; one never trusted at once.
- No secret (nor its stored hash) is logged or answered; ``last_used_at`` is kept,
  written by the authenticator's flush, never by a read.
"""

from __future__ import annotations

import base64
import io
import logging
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import httpx
import pytest
import structlog
from fastapi import FastAPI
from fastapi.routing import APIRoute

from domain.workspaces import Role
from infrastructure.auth.api_keys import ApiKeyAuthenticator
from infrastructure.logging import configure_logging
from interfaces.api.app import create_app
from interfaces.container import Container, dispose
from tests.support.databases import empty_tables, make_container
from tests.support.http import serving
from tests.support.key_rows import last_used_at, revoke, stored_hash, within
from tests.support.keys import bearer, issue_key, unknown_key
from tests.support.statements import StatementLog, count_statements

PROTECTED: Final = "/api/v1"
ADMINISTRATION: Final = ("/api/v1/keys", "/api/v1/webhooks")
"""Paths that only an admin key may use, read or write (the contract's table)."""
PUBLIC: Final = ("/health/live", "/health/ready", "/docs", "/openapi.json")
PROBLEM: Final = "application/problem+json"
READS: Final = frozenset({"GET", "HEAD"})
BODIES: Final = frozenset({"POST", "PUT", "PATCH"})
PARAMETER: Final = re.compile(r"\{([^}/]+)\}")
MISSING_ID: Final = 2**62
CONTRACT: Final = {
    ("POST", "/api/v1/tasks"),
    ("GET", "/api/v1/tasks"),
    ("GET", "/api/v1/tasks/{task_id}"),
    ("PATCH", "/api/v1/tasks/{task_id}"),
    ("DELETE", "/api/v1/tasks/{task_id}"),
    ("POST", "/api/v1/tasks/bulk"),
    ("POST", "/api/v1/tasks/bulk-update"),
    ("POST", "/api/v1/tasks/bulk-delete"),
    ("GET", "/api/v1/tasks/stats"),
    ("POST", "/api/v1/users"),
    ("GET", "/api/v1/users"),
    ("GET", "/api/v1/users/{user_id}"),
    ("PATCH", "/api/v1/users/{user_id}"),
    ("DELETE", "/api/v1/users/{user_id}"),
    ("POST", "/api/v1/projects"),
    ("GET", "/api/v1/projects"),
    ("GET", "/api/v1/projects/{project_id}"),
    ("PATCH", "/api/v1/projects/{project_id}"),
    ("DELETE", "/api/v1/projects/{project_id}"),
    ("GET", "/api/v1/tags"),
}
"""What the contract lists today: the enumeration must find at least these."""


@dataclass(frozen=True, order=True)
class Operation:
    method: str
    path: str

    @property
    def administration(self) -> bool:
        return any(self.path == p or self.path.startswith(f"{p}/") for p in ADMINISTRATION)

    def url(self, ids: dict[str, int] | None = None, default: object = 1) -> str:
        known = ids or {}
        return PARAMETER.sub(lambda m: str(known.get(m.group(1), default)), self.path)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def operations(app: FastAPI) -> list[Operation]:
    """Every method and path under ``/api/v1``: those the OpenAPI document names and those
    the app routes (a route left out of the document included), ``HEAD`` beside ``GET``."""
    found: set[Operation] = set()
    for path, item in app.openapi()["paths"].items():
        for method in item:
            if method.upper() in {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"}:
                found.add(Operation(method.upper(), path))
    declared = getattr(getattr(app.state, "paths", None), "routes", [])
    for route in [*declared, *app.routes]:
        if isinstance(route, APIRoute):
            found |= {Operation(m, route.path) for m in route.methods or ()}
    found |= {Operation("HEAD", o.path) for o in found if o.method == "GET"}
    return sorted(o for o in found if o.path == PROTECTED or o.path.startswith(f"{PROTECTED}/"))


@pytest.fixture
def app_operations(container: Container) -> list[Operation]:
    found = operations(create_app(container))
    assert {(o.method, o.path) for o in found} >= CONTRACT, "the enumeration missed some"
    return found


def is_refusal(response: httpx.Response, status: int) -> str | None:
    """What is wrong with ``response`` as a refusal of ``status``; ``None`` if nothing."""
    if response.status_code != status:
        return f"{response.status_code} {response.text[:200]}"
    if status == 401 and not response.headers.get("www-authenticate", "").startswith("Bearer"):
        return f"WWW-Authenticate is {response.headers.get('www-authenticate')!r}"
    if response.request.method == "HEAD":
        return None
    if response.headers.get("content-type", "").split(";")[0] != PROBLEM:
        return f"content-type {response.headers.get('content-type')!r}"
    body = response.json()
    if body.get("status") != status or not {"type", "title", "detail"} <= body.keys():
        return f"not a {status} problem: {body}"
    return None


async def sent_with(
    http: httpx.AsyncClient, method: str, url: str, headers: dict[str, str], **body: Any
) -> httpx.Response:
    """``http``'s request with exactly the ``Authorization`` of ``headers``, none if absent
    (``serving`` sends a good key otherwise)."""
    request = http.build_request(method, url, headers=headers, **body)
    if not any(name.lower() == "authorization" for name in headers):
        del request.headers["Authorization"]
    return await http.send(request)


def credentials_refused(good: str) -> dict[str, dict[str, str]]:
    """Authorization headers that must all be refused; ``good`` is a key that works."""
    basic = base64.b64encode(b"admin:admin").decode()
    changed = good[:-1] + ("A" if good[-1] != "A" else "B")
    return {
        "no header": {},
        "empty header": {"Authorization": ""},
        "scheme alone": {"Authorization": "Bearer"},
        "scheme and blanks": {"Authorization": "Bearer    "},
        "not a key": {"Authorization": "Bearer not-a-key"},
        "a key's scheme alone": {"Authorization": "Bearer thx_"},
        "a key too long": {"Authorization": f"Bearer {good}x"},
        "a key cut short": {"Authorization": f"Bearer {good[:-1]}"},
        "a key with one character changed": bearer(changed),
        "two keys": {"Authorization": f"Bearer {good} {good}"},
        "an unknown well-formed key": bearer(unknown_key()),
        "Basic": {"Authorization": f"Basic {basic}"},
        "a good key under Basic": {"Authorization": f"Basic {good}"},
        "a good key under Token": {"Authorization": f"Token {good}"},
        "a good key with no scheme": {"Authorization": good},
    }


def bad_bodies(limit: int) -> dict[str, dict[str, Any]]:
    """Bodies the app would refuse (422, 413, 415) had the caller been let in."""
    return {
        "malformed JSON": {
            "content": b'{"title": ',
            "headers": {"Content-Type": "application/json"},
        },
        "unknown fields": {"json": {"nothing": "known", "id": 0}},
        "a huge body": {
            "content": b'{"title": "' + b"x" * limit + b'"}',
            "headers": {"Content-Type": "application/json"},
        },
        "another content type": {"content": b"title=x", "headers": {"Content-Type": "text/plain"}},
    }


async def test_every_operation_refuses_a_missing_malformed_unknown_or_foreign_key_first(
    container: Container, app_operations: list[Operation]
) -> None:
    good = await issue_key(container, Role.ADMIN)
    failures: list[str] = []
    limit = container.settings().max_body_bytes
    unexpected = [
        Operation("GET", "/api/v1/no-such-route"),
        Operation("PUT", "/api/v1/tasks"),  # no such method: a 405 to a known caller
        Operation("POST", "/api/v1/tasks/stats"),
        Operation("GET", "/api/v1"),
    ]
    async with serving(container, key=good) as http:
        assert (await http.get("/api/v1/tasks")).status_code == 200  # the key works
        for operation in [*app_operations, *unexpected]:
            for path_id in ("1", "abc", "0"):
                url = operation.url(default=path_id)
                refused = credentials_refused(good)
                if path_id != "1":  # a bad id: the key is looked at before it
                    refused = {n: refused[n] for n in ("no header", "an unknown well-formed key")}
                for name, headers in refused.items():
                    answer = await sent_with(http, operation.method, url, headers)
                    wrong = is_refusal(answer, 401)
                    if wrong:
                        failures.append(f"{operation.method} {url} with {name}: {wrong}")
                if path_id != "1" or operation.method not in BODIES:
                    continue
                for body, sent in bad_bodies(limit).items():
                    for name, headers in (
                        ("no key", {}),
                        ("an unknown key", bearer(unknown_key())),
                    ):
                        answer = await sent_with(
                            http,
                            operation.method,
                            url,
                            {**sent.get("headers", {}), **headers},
                            **{k: v for k, v in sent.items() if k != "headers"},
                        )
                        wrong = is_refusal(answer, 401)
                        if wrong:
                            failures.append(f"{operation.method} {url}, {body}, {name}: {wrong}")
        # Nothing got through: no write of any of these requests was done.
        for collection in ("tasks", "users", "projects", "tags"):
            page = (await http.get(f"/api/v1/{collection}")).json()
            assert page["total"] == 0, (collection, page)
    assert not failures, "\n".join(failures)


async def test_no_refusal_quotes_the_credentials_it_refused(container: Container) -> None:
    good = await issue_key(container, Role.READER)
    async with serving(container, key=good) as http:
        for name, headers in credentials_refused(good).items():
            answer = await sent_with(http, "GET", "/api/v1/tasks", headers)
            sent = headers.get("Authorization", "").partition(" ")[2] or "no such text"
            assert answer.status_code == 401, name
            assert sent not in answer.text, name
            assert sent not in str(answer.headers), name
            assert good not in answer.text


async def seed(http: httpx.AsyncClient) -> dict[str, int]:
    user = await http.post("/api/v1/users", json={"email": "seed@example.com", "name": "Seed"})
    assert user.status_code == 201, user.text
    owner = user.json()["id"]
    project = await http.post("/api/v1/projects", json={"name": "Seed", "owner_id": owner})
    assert project.status_code == 201, project.text
    task = await http.post(
        "/api/v1/tasks",
        json={
            "title": "seeded",
            "tags": ["seed"],
            "project_id": project.json()["id"],
            "assignee_id": user.json()["id"],
        },
    )
    assert task.status_code == 201, task.text
    return {
        "task_id": task.json()["id"],
        "user_id": user.json()["id"],
        "project_id": project.json()["id"],
    }


async def snapshot(http: httpx.AsyncClient, ids: dict[str, int]) -> list[Any]:
    """What the seeded data looks like now (to show that refused writes changed nothing)."""
    found = []
    for name, resource in (("task_id", "tasks"), ("user_id", "users"), ("project_id", "projects")):
        found.append((await http.get(f"/api/v1/{resource}/{ids[name]}")).json())
    for collection in ("tasks", "users", "projects", "tags"):
        found.append((await http.get(f"/api/v1/{collection}")).json())
    found.append((await http.get("/api/v1/tasks/stats")).json())
    return found


async def test_a_reader_reads_everything_writes_nothing_and_a_writer_writes_data(
    container: Container, app_operations: list[Operation]
) -> None:
    reader = await issue_key(container, Role.READER)
    writer = await issue_key(container, Role.WRITER)
    failures: list[str] = []
    async with serving(container) as admin:
        ids = await seed(admin)
        before = await snapshot(admin, ids)
        for operation in app_operations:
            url = operation.url(ids)
            headers = bearer(reader)
            if operation.method in READS:
                answer = await admin.request(operation.method, url, headers=headers)
                if operation.administration:
                    wrong = is_refusal(answer, 403)
                elif PARAMETER.search(operation.path) and url == operation.url():
                    # A route whose parameter this test does not seed: allowed, not found.
                    wrong = None if answer.status_code in (200, 404) else answer.text[:200]
                else:
                    wrong = None if answer.status_code == 200 else answer.text[:200]
                if wrong:
                    failures.append(f"reader {operation.method} {url}: {wrong}")
                continue
            bodies: list[dict[str, Any]] = [
                {"json": {}},
                {"content": b"{", "headers": {"Content-Type": "text/x"}},
            ]
            for body in bodies:
                request = admin.build_request(operation.method, url, **body)
                request.headers.update(headers)
                answer = await admin.send(request)
                wrong = is_refusal(answer, 403)
                if not wrong and answer.json()["type"] != "urn:taskhex:problem:forbidden":
                    wrong = f"not a forbidden problem: {answer.text}"
                if wrong:
                    failures.append(f"reader {operation.method} {url} {body}: {wrong}")
            # A writer is let in (to a 404 or a 422 here: no id exists, the body is empty).
            missing = operation.url(default=MISSING_ID)
            answer = await admin.request(
                operation.method,
                missing,
                headers=bearer(writer),
                **({"json": {}} if operation.method in BODIES else {}),  # type: ignore[arg-type]
            )
            expected = {403} if operation.administration else {404, 422}
            if answer.status_code not in expected:
                failures.append(f"writer {operation.method} {missing}: {answer.status_code}")
        assert await snapshot(admin, ids) == before
    assert not failures, "\n".join(failures)


async def test_health_docs_and_the_document_need_no_key(container: Container) -> None:
    async with serving(container) as http:
        for path in PUBLIC:
            for headers in ({}, {"Authorization": "Bearer not-a-key"}, bearer(unknown_key())):
                answer = await sent_with(http, "GET", path, headers)
                assert answer.status_code == 200, (path, headers, answer.text[:200])
                assert "www-authenticate" not in answer.headers


async def test_paths_that_only_look_unprotected_serve_nothing_without_a_key(
    container: Container,
) -> None:
    async with serving(container) as http:
        await http.post("/api/v1/tasks", json={"title": "private"})
        del http.headers["Authorization"]
        for path in (
            "/api/v1/tasks/",
            "/api/v1//tasks",
            "/api/v1/%74asks",
            "/api/v1/tasks?next=/health/live",
            "/API/v1/tasks",
            "/api/v1/tasks/stats/",
            "/api/v1/tasks;/health/live",
            "/health/../api/v1/tasks",
        ):
            answer = await http.get(path)
            assert answer.status_code in (401, 404), (path, answer.status_code)
            assert "private" not in answer.text, path
            assert "items" not in answer.text, path


def pinged_aside(log: StatementLog) -> list[str]:
    """The statements of ``log`` but the pings behind a pooler, where every checkout of a
    connection is pinged (``infrastructure.database.pings``): the lookup checks one out of
    its own, and the helper sees a ping only on a connection it watched already."""
    return [s for s in log if s.strip().upper() != "SELECT 1"]


async def test_a_new_key_costs_one_lookup_then_none_and_a_refusal_costs_no_more(
    container: Container,
) -> None:
    fresh = await issue_key(container, Role.READER)
    async with serving(container) as http:
        await http.get("/api/v1/tags")  # the client's own key: looked up, then trusted
        async with count_statements(container.engine()) as known:
            assert (await http.get("/api/v1/tasks/stats")).status_code == 200
        async with count_statements(container.engine()) as first:
            assert (await http.get("/api/v1/tasks/stats", headers=bearer(fresh))).status_code == 200
        async with count_statements(container.engine()) as second:
            assert (await http.get("/api/v1/tasks/stats", headers=bearer(fresh))).status_code == 200
        assert len(pinged_aside(first)) == len(pinged_aside(known)) + 1, first
        [lookup] = [s for s in pinged_aside(first) if s not in known]
        assert "FROM api_key" in lookup
        assert pinged_aside(second) == pinged_aside(known)
        assert first.writes == second.writes == []
        # A refused key runs nothing else: at most its lookup, and no write.
        async with count_statements(container.engine()) as refused:
            answer = await http.post("/api/v1/tasks", headers=bearer(unknown_key()), json={})
        assert answer.status_code == 401
        assert len(pinged_aside(refused)) <= 1
        assert refused.writes == []
        async with count_statements(container.engine()) as malformed:
            answer = await http.post("/api/v1/tasks", headers=bearer("thx_x"), json={})
        assert answer.status_code == 401
        assert list(malformed) == []


async def test_a_deleted_key_is_refused_within_5_seconds_and_one_never_trusted_at_once(
    container: Container,
) -> None:
    doomed = await issue_key(container, Role.WRITER)
    never_used = await issue_key(container, Role.ADMIN)
    async with serving(container) as http:
        assert (await http.get("/api/v1/tags", headers=bearer(doomed))).status_code == 200
        await revoke(container, never_used)
        first = await http.get("/api/v1/tags", headers=bearer(never_used))
        assert is_refusal(first, 401) is None

        await revoke(container, doomed)

        async def refused() -> bool:
            answer = await http.get("/api/v1/tags", headers=bearer(doomed))
            assert answer.status_code in (200, 401), answer.text
            return answer.status_code == 401

        took = await within(6.0, refused)
        assert took is not None, "the deleted key was still let in after 6 s"
        assert took <= 5.0, f"the deleted key was let in for {took:.2f} s"
        for method in ("GET", "POST", "DELETE"):  # and it stays refused, for every method
            answer = await http.request(method, "/api/v1/tasks/1", headers=bearer(doomed))
            assert is_refusal(answer, 401) is None
        # Another key of the workspace is not affected.
        assert (await http.get("/api/v1/tags")).status_code == 200


@dataclass
class Captured:
    stream: io.StringIO
    caplog: pytest.LogCaptureFixture

    def everything(self) -> str:
        records = [
            f"{r.getMessage()} {r.args!r} {r.exc_text or ''} {r.__dict__!r}"
            for r in self.caplog.records
        ]
        return "\n".join([self.stream.getvalue(), self.caplog.text, *records])


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> Iterator[Captured]:
    """Everything logged at DEBUG and above, as JSON lines (structlog) and as records."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging("DEBUG", "json", stream)
    caplog.set_level(logging.DEBUG)
    # The test's own client logs each URL it asks for; the service is what is checked.
    caplog.set_level(logging.WARNING, logger="httpx")
    yield Captured(stream, caplog)
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


@pytest.fixture(params=[False, True], ids=["quiet", "sql-echo"])
async def logging_container(
    request: pytest.FixtureRequest, database_url: str
) -> AsyncIterator[Container]:
    """A container on an emptied database, with ``DB_ECHO`` off (the default) and on."""
    echo: bool = request.param
    services = make_container(database_url, db_echo=echo)
    await empty_tables(services.engine())
    yield services
    await dispose(services)


async def test_no_key_nor_its_hash_is_logged_or_answered(
    logging_container: Container, logged: Captured
) -> None:
    container = logging_container
    admin = await issue_key(container, Role.ADMIN)
    reader = await issue_key(container, Role.READER)
    revoked = await issue_key(container, Role.WRITER)
    await revoke(container, revoked)
    unknown = unknown_key()
    changed = admin[:-1] + ("A" if admin[-1] != "A" else "B")
    answers: list[httpx.Response] = []
    async with serving(container, key=admin) as http:
        answers.append(await http.post("/api/v1/tasks", json={"title": "logged"}))
        answers.append(await http.get("/api/v1/tasks"))
        answers.append(await http.get("/api/v1/tasks/999999"))
        answers.append(await http.post("/api/v1/tasks", json={"title": ""}))
        answers.append(await http.get("/api/v1/tasks", params={"cursor": admin}))
        for secret in (reader, revoked, unknown, changed, admin + "x", admin[:-1]):
            for method in ("GET", "POST"):
                answers.append(
                    await http.request(method, "/api/v1/tasks", headers=bearer(secret), json={})
                )
        answers.append(await http.get("/api/v1/tasks", headers={"Authorization": f"Basic {admin}"}))
        answers.append(await http.get("/api/v1/tasks", headers={"Authorization": admin}))
        authenticator = container.authenticator()
        assert isinstance(authenticator, ApiKeyAuthenticator)
        await authenticator.flush()
    statuses = [a.status_code for a in answers]
    assert statuses[:5] == [201, 200, 404, 422, 400]
    assert statuses[5:7] == [200, 403]  # the reader's GET and POST
    assert set(statuses[7:]) == {401}
    everything = logged.everything()
    assert "/api/v1/tasks" in everything  # the access lines were captured
    for secret in (admin, reader, revoked, unknown, changed):
        forms = {
            "the key": secret,
            "its random part": secret[len("thx_12345678_") :],
            "its hash": stored_hash(container, secret).hex(),
            "its hash in capitals": stored_hash(container, secret).hex().upper(),
        }
        for form, text in forms.items():
            assert text not in everything, f"{form} was logged"
            for answer in answers:
                assert text not in answer.text, f"{form} was answered: {answer.text[:200]}"
                assert text not in str(answer.headers), f"{form} was in a header"


async def test_last_used_at_is_written_by_the_flush_and_never_by_a_read(
    container: Container,
) -> None:
    used = await issue_key(container, Role.READER)
    unused = await issue_key(container, Role.READER)
    assert await last_used_at(container, used) is None
    authenticator = container.authenticator()
    assert isinstance(authenticator, ApiKeyAuthenticator)
    async with serving(container, key=used) as http:
        started = datetime.now(UTC)
        for path in ("/api/v1/tasks", "/api/v1/tasks/stats", "/api/v1/tags", "/api/v1/users"):
            async with count_statements(container.engine()) as read:
                assert (await http.get(path)).status_code == 200
            assert read.writes == [], (path, read.writes)
        finished = datetime.now(UTC)
        async with count_statements(container.engine()) as flushed:
            await authenticator.flush()
        assert len(flushed.writes) == 1
        stamp = await last_used_at(container, used)
        assert stamp is not None
        assert started <= stamp <= finished
        assert await last_used_at(container, unused) is None
        async with count_statements(container.engine()) as again:
            await authenticator.flush()
        assert list(again) == []  # nothing new to write
        await http.get("/api/v1/tags")
        await authenticator.flush()
        later = await last_used_at(container, used)
        assert later is not None
        assert later >= stamp
