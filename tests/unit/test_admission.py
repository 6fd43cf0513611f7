"""MAX_IN_FLIGHT: past the bound a request waits its turn, in order, or is a 503."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
from starlette.types import Receive, Scope, Send

from interfaces.api.middleware.admission import Admission

TASKS = "http://test/api/v1/tasks"


class Held:
    """An app whose requests run until they are let go, noting the order they began in."""

    def __init__(self) -> None:
        self.began: list[str] = []
        self.go = asyncio.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.began.append(scope["query_string"].decode())
        await self.go.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})


def client(app: Admission) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app))


async def until(condition: Callable[[], bool]) -> None:
    """A bounded wait, turn by turn of the event loop, for ``condition``."""
    for _ in range(100_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


async def running(app: Held, count: int) -> None:
    await until(lambda: len(app.began) >= count)


def waiting(admission: Admission) -> int:
    return len(admission._places._waiters or ())  # type: ignore[attr-defined]


async def test_a_request_past_the_bound_that_waits_too_long_is_a_503_with_retry_after() -> None:
    inner = Held()
    async with client(Admission(inner, most=1, wait_seconds=0.05)) as http:
        first = asyncio.create_task(http.get(TASKS))
        await running(inner, 1)
        refused = await http.get(TASKS)
        inner.go.set()
        assert (await first).status_code == 200
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:taskhex:problem:overloaded"
    assert inner.began == [""]  # the refused request never reached the app


async def test_waiting_requests_get_their_turn_in_arrival_order() -> None:
    inner = Held()
    admission = Admission(inner, most=1, wait_seconds=5)
    async with client(admission) as http:
        calls = []
        for n in range(4):
            calls.append(asyncio.create_task(http.get(f"{TASKS}?n={n}")))
            await until(lambda n=n: len(inner.began) == 1 and waiting(admission) == n)
        inner.go.set()
        answers = await asyncio.gather(*calls)
    assert [a.status_code for a in answers] == [200] * 4
    assert inner.began == [f"n={n}" for n in range(4)]


async def test_the_health_checks_are_never_held_back() -> None:
    inner = Held()
    async with client(Admission(inner, most=1, wait_seconds=0.01)) as http:
        first = asyncio.create_task(http.get(TASKS))
        await running(inner, 1)
        health = asyncio.create_task(http.get("http://test/health/live"))
        await running(inner, 2)
        inner.go.set()
        assert [(await first).status_code, (await health).status_code] == [200, 200]
