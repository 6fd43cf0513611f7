"""Concurrent writers through HTTP on PostgreSQL with a real connection pool.

Each test runs on PostgreSQL directly and again through PgBouncer in transaction mode.
"""

import asyncio

import httpx
import pytest

from interfaces.container import Container

pytestmark = pytest.mark.postgres


@pytest.fixture(params=["postgres", pytest.param("pgbouncer", marks=pytest.mark.pgbouncer)])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


async def new_task(client: httpx.AsyncClient) -> int:
    response = await client.post("/api/v1/tasks", json={"title": "shared"})
    assert response.status_code == 201
    task_id: int = response.json()["id"]
    return task_id


async def test_concurrent_patches_with_the_same_if_match_let_exactly_one_win(
    client: httpx.AsyncClient, container: Container
) -> None:
    task_id = await new_task(client)
    responses = await asyncio.gather(
        *(
            client.patch(
                f"/api/v1/tasks/{task_id}",
                json={"title": f"writer {n}"},
                headers={"If-Match": '"1"'},
            )
            for n in range(20)
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [412] * 19
    winner = next(r for r in responses if r.status_code == 200).json()
    final = (await client.get(f"/api/v1/tasks/{task_id}")).json()
    assert final["version"] == 2
    assert final["title"] == winner["title"]
    # The writers really ran side by side, on several pooled connections.
    assert container.engine().pool.checkedin() > 1


async def test_concurrent_blind_patches_all_succeed_and_count_every_version(
    client: httpx.AsyncClient,
) -> None:
    task_id = await new_task(client)
    responses = await asyncio.gather(
        *(
            client.patch(f"/api/v1/tasks/{task_id}", json={"title": f"writer {n}"})
            for n in range(30)
        )
    )
    assert [r.status_code for r in responses] == [200] * 30
    assert sorted(r.json()["version"] for r in responses) == list(range(2, 32))
    assert (await client.get(f"/api/v1/tasks/{task_id}")).json()["version"] == 31


async def test_two_concurrent_deletes_give_one_204_and_one_404(client: httpx.AsyncClient) -> None:
    task_id = await new_task(client)
    responses = await asyncio.gather(
        client.delete(f"/api/v1/tasks/{task_id}"), client.delete(f"/api/v1/tasks/{task_id}")
    )
    assert sorted(r.status_code for r in responses) == [204, 404]


async def test_concurrent_creates_with_the_same_new_tags_all_succeed(
    client: httpx.AsyncClient,
) -> None:
    responses = await asyncio.gather(
        *(
            client.post("/api/v1/tasks", json={"title": f"t{n}", "tags": ["new", "fresh"]})
            for n in range(20)
        )
    )
    assert [r.status_code for r in responses] == [201] * 20
    page = (await client.get("/api/v1/tasks", params={"tag": "fresh", "limit": 100})).json()
    assert page["total"] == 20


async def test_concurrent_registrations_of_one_email_create_exactly_one_user(
    client: httpx.AsyncClient,
) -> None:
    responses = await asyncio.gather(
        *(
            client.post(
                "/api/v1/users",
                json={
                    "email": "Race@Example.org" if n % 2 else "race@example.org",
                    "name": f"n{n}",
                },
            )
            for n in range(20)
        )
    )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 19
    assert all(
        r.headers["content-type"] == "application/problem+json"
        for r in responses
        if r.status_code == 409
    )
    users = (await client.get("/api/v1/users")).json()
    assert users["total"] == 1


async def test_deleting_a_user_races_an_ownerless_project_of_the_same_name_without_a_500(
    client: httpx.AsyncClient,
) -> None:
    """Either the user goes first (its project loses its owner, the other create is a 409)
    or the ownerless project does (then deleting the user is a 409): never both, never 500."""
    for n in range(12):
        user = await client.post(
            "/api/v1/users", json={"email": f"racer{n}@example.org", "name": "r"}
        )
        name = f"Launch {n}"
        await client.post("/api/v1/projects", json={"name": name, "owner_id": user.json()["id"]})
        deleted, created = await asyncio.gather(
            client.delete(f"/api/v1/users/{user.json()['id']}"),
            client.post("/api/v1/projects", json={"name": name}),
        )
        outcome = (deleted.status_code, created.status_code)
        assert outcome in {(204, 409), (409, 201)}, (deleted.text, created.text)
        found = (await client.get("/api/v1/projects", params={"limit": 100})).json()["items"]
        assert [p["owner_id"] is None for p in found if p["name"] == name].count(True) == 1
