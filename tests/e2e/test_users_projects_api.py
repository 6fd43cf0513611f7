"""The Users, Projects and Tags sections of the contract, checked over HTTP."""

from typing import Any

import httpx
import pytest

PROBLEM = "application/problem+json"


async def post(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(path, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def new_user(client: httpx.AsyncClient, email: str = "ada@example.org") -> dict[str, Any]:
    return await post(client, "/api/v1/users", {"email": email, "name": "Ada"})


def error_fields(response: httpx.Response) -> list[list[Any]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    return [e["loc"] for e in response.json()["errors"]]


async def test_registering_a_user_stores_the_email_lower_cased(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/users", json={"email": "  Ada@Example.ORG ", "name": " Ada "}
    )
    assert response.status_code == 201
    user = response.json()
    assert set(user) == {"id", "email", "name", "created_at", "updated_at"}
    assert (user["email"], user["name"]) == ("ada@example.org", "Ada")
    assert response.headers["location"] == f"/api/v1/users/{user['id']}"
    assert (await client.get(response.headers["location"])).json() == user


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "ada", "name": "Ada"}, "email"),
        ({"email": "ada@example", "name": "Ada"}, "email"),
        ({"email": "a" * 250 + "@example.org", "name": "Ada"}, "email"),
        ({"email": "ada@example.org", "name": "n" * 121}, "name"),
        ({"email": "ada@example.org", "name": "  "}, "name"),
        ({"email": "ada@example.org"}, "name"),
        ({"email": None, "name": "Ada"}, "email"),
        ({"email": "ada@example.org", "name": "Ada", "id": 3}, "id"),
    ],
)
async def test_an_invalid_user_is_a_422_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    assert ["body", field] in error_fields(await client.post("/api/v1/users", json=body))


async def test_a_duplicate_email_in_any_case_is_a_409(client: httpx.AsyncClient) -> None:
    await new_user(client)
    response = await client.post("/api/v1/users", json={"email": "ADA@example.org", "name": "B"})
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    other = await new_user(client, "bob@example.org")
    clash = await client.patch(f"/api/v1/users/{other['id']}", json={"email": "Ada@Example.org"})
    assert clash.status_code == 409


async def test_patching_a_user_changes_only_what_is_sent(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    response = await client.patch(
        f"/api/v1/users/{user['id']}", json={"name": "Ada L."}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["email"]) == ("Ada L.", user["email"])
    assert response.headers["etag"] == '"2"'
    stale = await client.patch(
        f"/api/v1/users/{user['id']}", json={"name": "X"}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert error_fields(await client.patch(f"/api/v1/users/{user['id']}", json={"name": None}))
    missing = await client.patch("/api/v1/users/999", json={"name": None})
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (None, ["ada", "bob", "cy"]),
        ("name", ["ada", "bob", "cy"]),
        ("-name", ["cy", "bob", "ada"]),
        ("created_at", ["bob", "cy", "ada"]),
        ("-created_at", ["ada", "cy", "bob"]),
    ],
)
async def test_users_list_in_the_requested_order(
    client: httpx.AsyncClient, sort: str | None, expected: list[str]
) -> None:
    for name in ("bob", "cy", "ada"):
        await post(client, "/api/v1/users", {"email": f"{name}@example.org", "name": name})
    params = {"sort": sort} if sort else {}
    page = (await client.get("/api/v1/users", params=params)).json()
    assert [u["name"] for u in page["items"]] == expected
    assert (page["total"], page["limit"]) == (3, 20)


@pytest.mark.parametrize(
    "params", [{"sort": "email"}, {"limit": 0}, {"limit": 101}, {"offset": -1}]
)
async def test_bad_user_list_parameters_are_a_422(
    client: httpx.AsyncClient, params: dict[str, Any]
) -> None:
    assert error_fields(await client.get("/api/v1/users", params=params))


async def test_deleting_a_user_keeps_their_tasks_unassigned_and_frees_the_email(
    client: httpx.AsyncClient,
) -> None:
    user = await new_user(client)
    project = await post(client, "/api/v1/projects", {"name": "p", "owner_id": user["id"]})
    task = await post(client, "/api/v1/tasks", {"title": "x", "assignee_id": user["id"]})
    assert (await client.delete(f"/api/v1/users/{user['id']}")).status_code == 204
    assert (await client.get(f"/api/v1/users/{user['id']}")).status_code == 404
    after = (await client.get(f"/api/v1/tasks/{task['id']}")).json()
    assert (after["assignee_id"], after["version"]) == (None, 2)
    assert (await client.get(f"/api/v1/projects/{project['id']}")).json()["owner_id"] is None
    await new_user(client)
    assert (await client.delete(f"/api/v1/users/{user['id']}")).status_code == 404


async def test_a_user_whose_project_name_an_ownerless_project_has_is_a_409_and_stays(
    client: httpx.AsyncClient,
) -> None:
    user = await new_user(client)
    owned = await post(client, "/api/v1/projects", {"name": "Launch", "owner_id": user["id"]})
    await post(client, "/api/v1/projects", {"name": "Launch"})
    task = await post(client, "/api/v1/tasks", {"title": "x", "assignee_id": user["id"]})

    refused = await client.delete(f"/api/v1/users/{user['id']}")

    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert "'Launch'" in refused.json()["detail"]
    assert (await client.get(f"/api/v1/users/{user['id']}")).status_code == 200
    assert (await client.get(f"/api/v1/tasks/{task['id']}")).json()["assignee_id"] == user["id"]
    kept = (await client.get(f"/api/v1/projects/{owned['id']}")).json()
    assert kept["owner_id"] == user["id"]
    renamed = await client.patch(f"/api/v1/projects/{owned['id']}", json={"name": "Launch 2"})
    assert renamed.status_code == 200
    assert (await client.delete(f"/api/v1/users/{user['id']}")).status_code == 204


async def test_a_project_carries_task_counts_for_every_status(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/projects", json={"name": " Launch ", "description": ""})
    assert response.status_code == 201
    project = response.json()
    assert response.headers["location"] == f"/api/v1/projects/{project['id']}"
    assert (project["name"], project["description"], project["owner_id"]) == ("Launch", None, None)
    assert project["task_counts"] == {"todo": 0, "in_progress": 0, "done": 0}
    for status in ("todo", "done", "done", "in_progress"):
        await post(
            client, "/api/v1/tasks", {"title": "t", "status": status, "project_id": project["id"]}
        )
    got = (await client.get(f"/api/v1/projects/{project['id']}")).json()
    assert got["task_counts"] == {"todo": 1, "in_progress": 1, "done": 2}


async def test_project_names_are_unique_per_owner(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    await post(client, "/api/v1/projects", {"name": "p", "owner_id": user["id"]})
    await post(client, "/api/v1/projects", {"name": "p"})
    await post(client, "/api/v1/projects", {"name": "P"})
    for body in ({"name": "p", "owner_id": user["id"]}, {"name": " p "}):
        response = await client.post("/api/v1/projects", json=body)
        assert response.status_code == 409
        assert response.headers["content-type"] == PROBLEM


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/projects", {"name": "p", "owner_id": 999}, "owner_id"),
        ("/api/v1/projects", {"name": "p", "owner_id": 0}, "owner_id"),
        ("/api/v1/projects", {"name": "p" * 121}, "name"),
        ("/api/v1/projects", {"name": "p", "description": "d" * 2001}, "description"),
        ("/api/v1/tasks", {"title": "x", "project_id": 999}, "project_id"),
        ("/api/v1/tasks", {"title": "x", "assignee_id": 999}, "assignee_id"),
        ("/api/v1/tasks", {"title": "x", "assignee_id": 2**63}, "assignee_id"),
        ("/api/v1/tasks", {"title": "x", "project_id": "1"}, "project_id"),
    ],
)
async def test_a_bad_reference_is_a_422_naming_the_field(
    client: httpx.AsyncClient, path: str, body: dict[str, Any], field: str
) -> None:
    assert ["body", field] in error_fields(await client.post(path, json=body))


async def test_patching_a_task_to_a_missing_assignee_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    task = await post(client, "/api/v1/tasks", {"title": "x"})
    response = await client.patch(f"/api/v1/tasks/{task['id']}", json={"assignee_id": 5})
    assert ["body", "assignee_id"] in error_fields(response)
    assert (await client.get(f"/api/v1/tasks/{task['id']}")).json()["version"] == 1


async def test_tasks_can_be_assigned_moved_and_filtered(client: httpx.AsyncClient) -> None:
    user = await new_user(client)
    project = await post(client, "/api/v1/projects", {"name": "p"})
    task = await post(client, "/api/v1/tasks", {"title": "x", "project_id": project["id"]})
    moved = await client.patch(f"/api/v1/tasks/{task['id']}", json={"assignee_id": user["id"]})
    assert (moved.json()["assignee_id"], moved.json()["project_id"]) == (user["id"], project["id"])
    await post(client, "/api/v1/tasks", {"title": "other"})
    for params in ({"assignee_id": user["id"]}, {"project_id": project["id"]}):
        listed = (await client.get("/api/v1/tasks", params=params)).json()
        assert [t["id"] for t in listed["items"]] == [task["id"]]
        stats = (await client.get("/api/v1/tasks/stats", params=params)).json()
        assert stats["total"] == 1
    nobody = (await client.get("/api/v1/tasks", params={"assignee_id": 12345})).json()
    assert nobody["items"] == []


async def test_deleting_a_project_deletes_its_tasks(client: httpx.AsyncClient) -> None:
    project = await post(client, "/api/v1/projects", {"name": "p"})
    inside = await post(client, "/api/v1/tasks", {"title": "in", "project_id": project["id"]})
    outside = await post(client, "/api/v1/tasks", {"title": "out"})
    assert (await client.delete(f"/api/v1/projects/{project['id']}")).status_code == 204
    assert (await client.get(f"/api/v1/tasks/{inside['id']}")).status_code == 404
    assert (await client.get(f"/api/v1/tasks/{outside['id']}")).status_code == 200
    assert (await client.delete(f"/api/v1/projects/{project['id']}")).status_code == 404


async def test_projects_page_and_sort_by_name(client: httpx.AsyncClient) -> None:
    for name in ("b", "c", "a"):
        await post(client, "/api/v1/projects", {"name": name})
    page = (await client.get("/api/v1/projects", params={"limit": 2, "sort": "-name"})).json()
    assert [p["name"] for p in page["items"]] == ["c", "b"]
    assert (page["total"], page["limit"]) == (3, 2)
    renamed = await client.patch(f"/api/v1/projects/{page['items'][0]['id']}", json={"name": "z"})
    assert renamed.status_code == 200
    assert renamed.json()["task_counts"] == {"todo": 0, "in_progress": 0, "done": 0}


async def test_tags_in_use_are_listed_by_name_with_counts(client: httpx.AsyncClient) -> None:
    await post(client, "/api/v1/tasks", {"title": "a", "tags": ["Q4", "docs"]})
    doomed = await post(client, "/api/v1/tasks", {"title": "b", "tags": ["q4", "gone"]})
    await client.delete(f"/api/v1/tasks/{doomed['id']}")
    page = (await client.get("/api/v1/tags")).json()
    assert page["items"] == [{"name": "docs", "task_count": 1}, {"name": "q4", "task_count": 1}]
    assert page["total"] == 2
    assert (await client.get("/api/v1/tags", params={"limit": 1, "offset": 1})).json()["items"] == [
        {"name": "q4", "task_count": 1}
    ]
