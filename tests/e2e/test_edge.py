"""The API at the edge, through the real app: browser origins (CORS), rate limits per key
and per address, security headers, and the content security policy of ``/docs``.

None of it depends on the database: the app runs on SQLite, its counters in memory
(the Redis ones are tested in tests/integration/test_rate_limits_redis.py and, with two
workers, in tests/e2e/test_edge_processes.py).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Final

import httpx
import pytest

from domain.workspaces import Role
from interfaces.api.app import create_app
from interfaces.container import Container, dispose
from tests.support.databases import make_container
from tests.support.keys import bearer, issue_key, unknown_key

ALLOWED: Final = "http://app.test:5173"
REFUSED: Final = "http://evil.test"
TASKS: Final = "/api/v1/tasks"
PROBLEM: Final = "application/problem+json"


@asynccontextmanager
async def edge(sqlite_url: str, **settings: Any) -> AsyncIterator[tuple[Container, Any]]:
    """The app with rate limits on (a reader key: 3 requests a minute, no key: 3), CORS for
    ``ALLOWED``, counters in memory; its lifespan running."""
    settings = {
        "rate_limits": True,
        "rate_limit_reader": 3,
        "rate_limit_anonymous": 3,
        "cors_origins": (ALLOWED,),
        **settings,
    }
    container = make_container(sqlite_url, **settings)
    app = create_app(container)
    try:
        async with app.router.lifespan_context(app):
            yield container, app
    finally:
        await dispose(container)


def client(app: Any, address: str = "127.0.0.1", **headers: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://api.test", headers=headers)


def cors_headers(answer: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in answer.headers.items() if k.startswith("access-control-")}


def preflight(origin: str, method: str = "PATCH") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "authorization, content-type, if-match, idempotency-key",
    }


async def test_a_preflight_from_an_allowed_origin_is_answered_before_authentication(
    sqlite_url: str,
) -> None:
    async with edge(sqlite_url) as (_, app), client(app) as http:
        answer = await http.options(f"{TASKS}/1", headers=preflight(ALLOWED))
    assert answer.status_code == 200
    allowed = cors_headers(answer)
    assert allowed["access-control-allow-origin"] == ALLOWED
    assert {"GET", "POST", "PATCH", "DELETE"} <= set(
        allowed["access-control-allow-methods"].split(", ")
    )
    requested = {h.lower() for h in allowed["access-control-allow-headers"].split(", ")}
    assert {"authorization", "content-type", "if-match", "idempotency-key"} <= requested
    assert "access-control-allow-credentials" not in allowed
    assert "ratelimit" not in answer.headers  # a preflight spends no budget


async def test_a_preflight_from_another_origin_gets_no_cors_headers(sqlite_url: str) -> None:
    async with edge(sqlite_url) as (_, app), client(app) as http:
        refused = await http.options(f"{TASKS}/1", headers=preflight(REFUSED))
        unknown_header = {**preflight(ALLOWED), "Access-Control-Request-Headers": "x-secret"}
        odd = await http.options(TASKS, headers=unknown_header)
    assert refused.status_code == 400
    assert refused.headers["content-type"] == PROBLEM
    assert cors_headers(refused) == {}
    assert odd.status_code == 400
    assert odd.headers["content-type"] == PROBLEM
    assert odd.json()["detail"] == "Disallowed CORS headers."


async def test_a_request_from_an_allowed_origin_may_read_the_answer_and_its_headers(
    sqlite_url: str,
) -> None:
    async with edge(sqlite_url) as (container, app):
        key = await issue_key(container, Role.WRITER)
        async with client(app, Origin=ALLOWED, **bearer(key)) as http:
            created = await http.post(TASKS, json={"title": "from a browser"})
        async with client(app, Origin=ALLOWED) as anonymous:
            refused = await anonymous.get(TASKS)
    assert created.status_code == 201
    assert created.headers["access-control-allow-origin"] == ALLOWED
    exposed = {h.lower() for h in created.headers["access-control-expose-headers"].split(", ")}
    assert exposed == {
        "etag", "location", "x-request-id", "retry-after", "ratelimit", "ratelimit-policy"
    }  # fmt: skip
    assert "Origin" in created.headers["vary"]
    # A 401 the browser can read, so that the page can say why.
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == ALLOWED


async def test_a_request_from_another_origin_is_served_without_cors_headers(
    sqlite_url: str,
) -> None:
    async with edge(sqlite_url) as (container, app):
        key = await issue_key(container, Role.READER)
        async with client(app, Origin=REFUSED, **bearer(key)) as http:
            answer = await http.get(TASKS)
    assert answer.status_code == 200  # the browser, not the server, keeps it from the page
    assert cors_headers(answer) == {}


async def test_without_cors_origins_no_origin_gets_a_cors_answer(sqlite_url: str) -> None:
    async with edge(sqlite_url, cors_origins=()) as (_, app), client(app) as http:
        answer = await http.options(TASKS, headers=preflight(ALLOWED))
    assert answer.status_code == 401  # nobody answered the preflight: authentication did
    assert cors_headers(answer) == {}


async def test_a_key_over_its_budget_gets_429s_while_another_key_is_unaffected(
    sqlite_url: str,
) -> None:
    async with edge(sqlite_url) as (container, app):
        spender, other = [await issue_key(container, Role.READER) for _ in range(2)]
        async with client(app, Origin=ALLOWED, **bearer(spender)) as http:
            answers = [await http.get(TASKS) for _ in range(4)]
        async with client(app, **bearer(other)) as http:
            unaffected = await http.get(TASKS)
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["ratelimit"].split(";")[1] for a in answers] == ["r=2", "r=1", "r=0", "r=0"]
    assert {a.headers["ratelimit-policy"] for a in answers} == {'"key";q=3;w=60'}
    over = answers[-1]
    assert over.headers["content-type"] == PROBLEM
    assert over.json()["type"] == "urn:taskhex:problem:rate-limited"
    reset = int(over.headers["ratelimit"].split(";t=")[1])
    assert 1 <= int(over.headers["retry-after"]) == reset <= 60
    assert over.headers["access-control-allow-origin"] == ALLOWED  # readable by the page
    assert unaffected.status_code == 200
    assert unaffected.headers["ratelimit"].startswith('"key";r=2;')


async def test_requests_without_a_valid_key_spend_their_address_budget_then_the_address_waits(
    sqlite_url: str,
) -> None:
    async with edge(sqlite_url) as (container, app):
        valid = await issue_key(container, Role.READER)
        async with client(app, "10.9.8.7", **bearer(unknown_key())) as guessing:
            guesses = [await guessing.get(TASKS) for _ in range(4)]
        async with client(app, "10.9.8.7", **bearer(valid)) as same_address:
            right_guess = await same_address.get(TASKS)
        async with client(app, "10.9.8.6", **bearer(valid)) as elsewhere:
            served = await elsewhere.get(TASKS)
    assert [a.status_code for a in guesses] == [401, 401, 401, 429]
    assert guesses[0].headers["ratelimit-policy"] == '"address";q=3;w=60'
    assert guesses[0].headers["www-authenticate"].startswith("Bearer")
    assert "retry-after" in guesses[-1].headers
    # A right guess from that address is no different from a wrong one, until the window ends.
    assert right_guess.status_code == 429
    assert served.status_code == 200


async def test_a_403_spends_the_key_budget_too(sqlite_url: str) -> None:
    async with edge(sqlite_url) as (container, app):
        reader = await issue_key(container, Role.READER)
        async with client(app, **bearer(reader)) as http:
            forbidden = await http.post(TASKS, json={"title": "x"})
    assert forbidden.status_code == 403
    assert forbidden.headers["ratelimit"].startswith('"key";r=2;')


async def test_with_rate_limits_off_no_request_is_counted(sqlite_url: str) -> None:
    async with edge(sqlite_url, rate_limits=False) as (container, app):
        key = await issue_key(container, Role.READER)
        async with client(app, **bearer(key)) as http:
            answers = [await http.get(TASKS) for _ in range(4)]
    assert [a.status_code for a in answers] == [200] * 4
    assert "ratelimit" not in answers[0].headers


@pytest.mark.parametrize("path", ["/health/live", TASKS, "/api/v1/nowhere", "/openapi.json"])
async def test_every_answer_carries_the_security_headers(sqlite_url: str, path: str) -> None:
    async with edge(sqlite_url) as (container, app):
        key = await issue_key(container, Role.READER)
        async with client(app, **bearer(key)) as http:
            answer = await http.get(path)
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["referrer-policy"] == "no-referrer"
    authenticated = path.startswith("/api/v1")
    assert (answer.headers.get("cache-control") == "no-store") is authenticated
    assert "server" not in answer.headers


async def test_docs_are_served_with_a_content_security_policy_that_allows_their_one_script(
    sqlite_url: str,
) -> None:
    async with edge(sqlite_url) as (_, app), client(app) as http:
        docs = await http.get("/docs")
        redoc = await http.get("/redoc")
    assert docs.status_code == 200
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in docs.headers["content-security-policy"].split(";")
    )
    assert policy["default-src"] == "'none'"
    assert policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    [inline] = re.findall(r"<script>(.*?)</script>", docs.text, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy["script-src"].split()
    assert "'unsafe-inline'" not in policy["script-src"]
    [bundle] = re.findall(r'<script src="([^"]+)"', docs.text)
    assert bundle.split("/")[2] in policy["script-src"]  # the CDN it loads Swagger UI from
    assert "/openapi.json" in inline
    assert redoc.status_code == 404
