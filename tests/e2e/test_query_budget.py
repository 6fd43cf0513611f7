"""The query budget of the contract, counted at the driver while requests go through HTTP."""

from collections.abc import Awaitable

import httpx
import pytest

from interfaces.container import Container
from tests.support.statements import StatementLog, count_statements


async def statements(
    container: Container, request: Awaitable[httpx.Response]
) -> tuple[StatementLog, httpx.Response]:
    async with count_statements(container.engine()) as log:
        response = await request
    assert response.status_code < 300, response.text
    return log.beyond_authentication, response


@pytest.fixture
async def seeded(client: httpx.AsyncClient) -> None:
    users, projects = [], []
    for n in range(3):
        user = await client.post("/api/v1/users", json={"email": f"u{n}@b.co", "name": f"u{n}"})
        project = await client.post("/api/v1/projects", json={"name": f"p{n}"})
        users.append(user.json()["id"])
        projects.append(project.json()["id"])
    tags = [f"t{i}" for i in range(5)]
    for n in range(100):
        body = {
            "title": f"task {n}",
            "tags": tags,
            "project_id": projects[n % 3],
            "assignee_id": users[n % 3],
        }
        assert (await client.post("/api/v1/tasks", json=body)).status_code == 201


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tasks?limit={n}",
        "/api/v1/tasks?limit={n}&tag=t1&status=todo&sort=priority",
        "/api/v1/projects?limit={n}",
        "/api/v1/users?limit={n}",
        "/api/v1/tags?limit={n}",
    ],
)
async def test_a_page_of_100_costs_what_a_page_of_1_costs_and_writes_nothing(
    client: httpx.AsyncClient, container: Container, path: str
) -> None:
    one, _ = await statements(container, client.get(path.format(n=1)))
    hundred, page = await statements(container, client.get(path.format(n=100)))
    assert len(page.json()["items"]) > 1
    assert len(one) == len(hundred) <= 3
    assert one.writes == hundred.writes == []


async def test_one_task_costs_the_same_with_1_or_20_tags(
    client: httpx.AsyncClient, container: Container
) -> None:
    await client.get("/api/v1/tags")  # the key is looked up once, then trusted a while
    costs = []
    for tags in (["a"], [f"t{i}" for i in range(20)]):
        body = {"title": "x", "tags": tags}
        created, response = await statements(container, client.post("/api/v1/tasks", json=body))
        path = response.headers["location"]
        read, _ = await statements(container, client.get(path))
        changed, _ = await statements(
            container, client.patch(path, json={"tags": [f"{t}-v2" for t in tags]})
        )
        costs.append((len(created), len(read), len(changed)))
        assert read.writes == []
    assert costs[0] == costs[1]
    stats, _ = await statements(container, client.get("/api/v1/tasks/stats?tag=a"))
    assert len(stats) == 1
