"""Bulk create, update and delete over HTTP: one transaction each, all or nothing."""

from typing import Any

import httpx
import pytest

from interfaces.container import Container
from tests.support.statements import count_statements


async def create(client: httpx.AsyncClient, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    response = await client.post("/api/v1/tasks/bulk", json={"items": items})
    assert response.status_code == 201, response.text
    created: list[dict[str, Any]] = response.json()["items"]
    return created


async def total(client: httpx.AsyncClient) -> int:
    count: int = (await client.get("/api/v1/tasks")).json()["total"]
    return count


async def test_a_batch_is_created_in_order_with_ids_and_tags(client: httpx.AsyncClient) -> None:
    items = await create(client, [{"title": f"t{n}", "tags": ["B", "a"]} for n in range(5)])
    assert [i["title"] for i in items] == [f"t{n}" for n in range(5)]
    assert len({i["id"] for i in items}) == 5
    assert all(i["tags"] == ["a", "b"] and i["version"] == 1 for i in items)
    fetched = (await client.get(f"/api/v1/tasks/{items[3]['id']}")).json()
    assert fetched == items[3]


async def test_one_bad_item_is_a_422_naming_each_bad_index_and_stores_nothing(
    client: httpx.AsyncClient,
) -> None:
    items = [{"title": "ok"}, {"title": "x", "tags": ["bad tag"]}, {"title": "ok"}, {"title": " "}]
    response = await client.post("/api/v1/tasks/bulk", json={"items": items})
    assert response.status_code == 422
    locations = [e["loc"] for e in response.json()["errors"]]
    assert ["body", "items", 3, "title"] in locations
    schema_ok = [
        {"title": "ok"},
        {"title": "x", "tags": ["bad tag"]},
        {"title": "y", "project_id": 99},
    ]
    response = await client.post("/api/v1/tasks/bulk", json={"items": schema_ok})
    assert [e["loc"] for e in response.json()["errors"]] == [
        ["body", "items", 1, "tags"],
        ["body", "items", 2, "project_id"],
    ]
    assert await total(client) == 0


@pytest.mark.parametrize(
    "body",
    [{"items": []}, {"items": [{"title": "x"}] * 1001}, {}, {"items": None}, {"items": [{}]}],
)
async def test_a_batch_holds_1_to_1000_valid_items(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    assert (await client.post("/api/v1/tasks/bulk", json=body)).status_code == 422


async def test_a_batch_of_5_or_50_costs_the_same_statements(
    client: httpx.AsyncClient, container: Container
) -> None:
    user = (await client.post("/api/v1/users", json={"email": "a@b.co", "name": "a"})).json()
    costs = []
    for size in (5, 50):
        items = [
            {"title": "t", "tags": [f"t{n}", "x"], "assignee_id": user["id"]} for n in range(size)
        ]
        async with count_statements(container.engine()) as log:
            await create(client, items)
        costs.append(len(log.beyond_authentication))
    assert costs[0] == costs[1]


async def test_bulk_update_changes_every_named_task_once(client: httpx.AsyncClient) -> None:
    items = await create(client, [{"title": f"t{n}"} for n in range(4)])
    ids = [i["id"] for i in items[:3]]
    response = await client.post(
        "/api/v1/tasks/bulk-update", json={"ids": [*ids, ids[0]], "changes": {"status": " done "}}
    )
    assert response.status_code == 200
    assert response.json() == {"updated": 3}
    for task_id in ids:
        task = (await client.get(f"/api/v1/tasks/{task_id}")).json()
        assert (task["status"], task["version"]) == ("done", 2)
        assert task["completed_at"] == task["updated_at"]
    untouched = (await client.get(f"/api/v1/tasks/{items[3]['id']}")).json()
    assert untouched["version"] == 1
    again = await client.post(
        "/api/v1/tasks/bulk-update",
        json={"ids": ids, "changes": {"status": "done", "priority": "medium"}},
    )
    assert again.json() == {"updated": 3}
    assert (await client.get(f"/api/v1/tasks/{ids[0]}")).json()["version"] == 2


async def test_bulk_update_with_an_unknown_id_is_a_404_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    items = await create(client, [{"title": "a"}])
    response = await client.post(
        "/api/v1/tasks/bulk-update",
        json={"ids": [items[0]["id"], 999], "changes": {"priority": "high"}},
    )
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert (await client.get(f"/api/v1/tasks/{items[0]['id']}")).json()["priority"] == "medium"


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({}, ["body", "changes"]),
        ({"title": "x"}, ["body", "changes", "title"]),
        ({"status": None}, ["body", "changes", "status"]),
        ({"status": "nope"}, ["body", "changes", "status"]),
        ({"assignee_id": 77}, ["body", "changes", "assignee_id"]),
    ],
)
async def test_bad_bulk_changes_are_a_422(
    client: httpx.AsyncClient, changes: dict[str, Any], loc: list[Any]
) -> None:
    items = await create(client, [{"title": "a"}])
    response = await client.post(
        "/api/v1/tasks/bulk-update", json={"ids": [items[0]["id"]], "changes": changes}
    )
    assert response.status_code == 422, response.text
    assert loc in [e["loc"] for e in response.json()["errors"]]


async def test_bulk_update_can_assign_and_clear(client: httpx.AsyncClient) -> None:
    user = (await client.post("/api/v1/users", json={"email": "a@b.co", "name": "a"})).json()
    ids = [i["id"] for i in await create(client, [{"title": "a"}, {"title": "b"}])]
    await client.post(
        "/api/v1/tasks/bulk-update", json={"ids": ids, "changes": {"assignee_id": user["id"]}}
    )
    assert (await client.get(f"/api/v1/tasks/{ids[1]}")).json()["assignee_id"] == user["id"]
    await client.post(
        "/api/v1/tasks/bulk-update", json={"ids": ids, "changes": {"assignee_id": None}}
    )
    assert (await client.get(f"/api/v1/tasks/{ids[1]}")).json()["assignee_id"] is None


async def test_bulk_delete_counts_only_what_existed(client: httpx.AsyncClient) -> None:
    ids = [i["id"] for i in await create(client, [{"title": "a"}, {"title": "b"}, {"title": "c"}])]
    response = await client.post(
        "/api/v1/tasks/bulk-delete", json={"ids": [ids[0], ids[1], ids[1], 999]}
    )
    assert response.json() == {"deleted": 2}
    assert await total(client) == 1
    assert (await client.post("/api/v1/tasks/bulk-delete", json={"ids": [0]})).status_code == 422


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/tasks"),
        ("PATCH", "/api/v1/tasks/1"),
        ("POST", "/api/v1/tasks/bulk"),
        ("POST", "/api/v1/users"),
    ],
)
async def test_a_body_without_a_content_type_is_a_415(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    await create(client, [{"title": "a"}])
    request = client.build_request(method, path, content=b'{"title": "x"}')
    assert "content-type" not in request.headers
    response = await client.send(request)
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"
