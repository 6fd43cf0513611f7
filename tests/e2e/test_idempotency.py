"""Idempotency keys on POST /tasks and /tasks/bulk, through HTTP."""

import asyncio
from typing import Any

import httpx
import pytest

TASKS = "/api/v1/tasks"


async def post(
    client: httpx.AsyncClient, key: str, content: str, path: str = TASKS
) -> httpx.Response:
    return await client.post(
        path,
        content=content.encode(),
        headers={"Idempotency-Key": key, "content-type": "application/json"},
    )


async def count(client: httpx.AsyncClient) -> int:
    total: int = (await client.get(TASKS)).json()["total"]
    return total


async def test_a_replay_returns_the_stored_response_and_creates_nothing(
    client: httpx.AsyncClient,
) -> None:
    first = await post(client, "k-1", '{"title": "x", "tags": ["a"]}')
    assert first.status_code == 201
    replay = await post(client, "k-1", '{ "tags":["a"],"title":"x" }')
    assert replay.status_code == 201
    assert replay.json() == first.json()
    assert replay.headers["location"] == first.headers["location"]
    assert replay.headers["etag"] == first.headers["etag"]
    assert await count(client) == 1


async def test_the_stored_response_is_replayed_after_the_task_changed_or_went(
    client: httpx.AsyncClient,
) -> None:
    first = await post(client, "k-2", '{"title": "x"}')
    location = first.headers["location"]
    await client.patch(location, json={"title": "changed"})
    assert (await post(client, "k-2", '{"title": "x"}')).json() == first.json()
    await client.delete(location)
    replay = await post(client, "k-2", '{"title": "x"}')
    assert (replay.status_code, replay.json()) == (201, first.json())
    assert await count(client) == 0


async def test_the_same_key_with_another_body_is_a_422(client: httpx.AsyncClient) -> None:
    await post(client, "k-3", '{"title": "x"}')
    response = await post(client, "k-3", '{"title": "y"}')
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert await count(client) == 1


async def test_a_failed_request_stores_nothing_under_its_key(client: httpx.AsyncClient) -> None:
    assert (await post(client, "k-4", '{"title": "x", "project_id": 42}')).status_code == 422
    assert (await post(client, "k-4", '{"title": "x"}')).status_code == 201


async def test_a_key_is_scoped_to_its_endpoint(client: httpx.AsyncClient) -> None:
    single = await post(client, "shared", '{"title": "x"}')
    bulk = await post(
        client, "shared", '{"items": [{"title": "x"}, {"title": "y"}]}', f"{TASKS}/bulk"
    )
    assert (single.status_code, bulk.status_code) == (201, 201)
    replay = await post(
        client, "shared", '{"items": [{"title": "x"}, {"title": "y"}]}', f"{TASKS}/bulk"
    )
    assert replay.json() == bulk.json()
    assert await count(client) == 3


@pytest.mark.parametrize("key", [b"", b"x" * 256, b"has space", "é".encode(), b"tab\there"])
async def test_a_malformed_key_is_a_422(client: httpx.AsyncClient, key: bytes) -> None:
    response = await client.post(TASKS, json={"title": "x"}, headers={b"Idempotency-Key": key})
    assert response.status_code == 422
    assert await count(client) == 0


async def test_a_key_of_255_visible_characters_is_accepted(client: httpx.AsyncClient) -> None:
    assert (await post(client, "~" * 255, '{"title": "x"}')).status_code == 201


@pytest.mark.postgres
@pytest.mark.parametrize(
    "path_body", [(TASKS, '{"title": "race"}'), (f"{TASKS}/bulk", '{"items": [{"title": "race"}]}')]
)
async def test_concurrent_requests_with_one_new_key_create_one_result(
    client: httpx.AsyncClient, database_url: str, path_body: tuple[str, str]
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("concurrent writers are a PostgreSQL matter")
    path, body = path_body
    responses = await asyncio.gather(*(post(client, "race-key", body, path) for _ in range(10)))
    assert [r.status_code for r in responses] == [201] * 10
    bodies: list[Any] = [r.json() for r in responses]
    assert all(b == bodies[0] for b in bodies)
    assert await count(client) == 1
