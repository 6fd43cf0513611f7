"""Cursor pagination through HTTP, for every collection."""

from typing import Any

import httpx
import pytest

PROBLEM = "application/problem+json"


async def follow(client: httpx.AsyncClient, path: str, params: dict[str, Any]) -> list[Any]:
    """Every item, following next_cursor from the first page."""
    page = (await client.get(path, params=params)).json()
    items = list(page["items"])
    while page["next_cursor"] is not None:
        response = await client.get(path, params={**params, "cursor": page["next_cursor"]})
        assert response.status_code == 200, response.text
        page = response.json()
        assert page["total"] is None
        items += page["items"]
    return items


async def seed(client: httpx.AsyncClient) -> None:
    items = [
        {"title": f"t{n % 4}", "tags": [f"g{n % 7}"], "priority": "high" if n % 3 else "low"}
        for n in range(23)
    ]
    assert (await client.post("/api/v1/tasks/bulk", json={"items": items})).status_code == 201
    for n in range(7):
        await client.post("/api/v1/users", json={"email": f"u{n}@x.io", "name": f"user {n % 3}"})
        await client.post("/api/v1/projects", json={"name": f"project {n}"})


@pytest.mark.parametrize(
    ("path", "params", "count"),
    [
        ("/api/v1/tasks", {"limit": 5}, 23),
        ("/api/v1/tasks", {"limit": 4, "sort": "-priority", "tag": "g1"}, 4),
        ("/api/v1/tasks", {"limit": 3, "sort": "title"}, 23),
        ("/api/v1/users", {"limit": 2, "sort": "-name"}, 7),
        ("/api/v1/projects", {"limit": 3}, 7),
        ("/api/v1/tags", {"limit": 2}, 7),
    ],
)
async def test_following_cursors_matches_one_big_page(
    client: httpx.AsyncClient, path: str, params: dict[str, Any], count: int
) -> None:
    await seed(client)
    everything = (await client.get(path, params={**params, "limit": 100})).json()
    assert everything["next_cursor"] is None
    assert len(everything["items"]) == everything["total"] == count
    assert await follow(client, path, params) == everything["items"]


async def test_a_cursor_may_change_the_limit_but_not_the_sort_or_filter(
    client: httpx.AsyncClient,
) -> None:
    await seed(client)
    first = (await client.get("/api/v1/tasks", params={"limit": 5, "sort": "title"})).json()
    cursor = first["next_cursor"]
    same = await client.get(
        "/api/v1/tasks", params={"limit": 9, "sort": " title ", "cursor": cursor}
    )
    assert same.status_code == 200
    assert len(same.json()["items"]) == 9
    for other in (
        {"sort": "-title"},
        {"sort": "title", "tag": "g1"},
        {"sort": "title", "status": "done"},
    ):
        response = await client.get("/api/v1/tasks", params={**other, "cursor": cursor})
        assert response.status_code == 400, other
        assert response.headers["content-type"] == PROBLEM
    foreign = await client.get("/api/v1/users", params={"sort": "title", "cursor": cursor})
    assert foreign.status_code in (400, 422)


@pytest.mark.parametrize("cursor", ["", "abc", "a.b", "é", "x" * 500])
async def test_a_garbage_cursor_is_a_400(client: httpx.AsyncClient, cursor: str) -> None:
    response = await client.get("/api/v1/tasks", params={"cursor": cursor})
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM


async def test_a_tampered_cursor_is_a_400(client: httpx.AsyncClient) -> None:
    await seed(client)
    cursor = (await client.get("/api/v1/tasks", params={"limit": 2})).json()["next_cursor"]
    payload, signature = cursor.split(".")
    forged = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + signature
    assert (await client.get("/api/v1/tasks", params={"cursor": forged})).status_code == 400
    assert (await client.get("/api/v1/tasks", params={"cursor": cursor[:-3]})).status_code == 400


async def test_cursor_and_offset_together_are_a_422(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/tasks", params={"cursor": "x", "offset": 0})
    assert response.status_code == 422
    assert ["query", "cursor"] in [e["loc"] for e in response.json()["errors"]]


async def test_an_offset_page_carries_a_cursor_and_the_last_page_none(
    client: httpx.AsyncClient,
) -> None:
    await seed(client)
    page = (await client.get("/api/v1/tasks", params={"limit": 5, "offset": 20})).json()
    assert (len(page["items"]), page["total"], page["next_cursor"]) == (3, 23, None)
    middle = (await client.get("/api/v1/tasks", params={"limit": 5, "offset": 10})).json()
    rest = await follow(client, "/api/v1/tasks", {"limit": 5, "cursor": middle["next_cursor"]})
    assert len(rest) == 8
