"""What fuzzing the API from its own schema found, pinned: each answer as the contract says.

Each test names the request Schemathesis generated and the answer it got
before: a 500, a 422 where the schema promised acceptance, a 405 with the
wrong ``Allow``. They run on SQLite, PostgreSQL and PgBouncer, and (where the
task reader answers) through both read paths.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from interfaces.container import Container, dispose
from tests.support.databases import empty_tables, make_container
from tests.support.http import serving

MAX_ID = 2**63 - 1
BEYOND_INT32 = 549_755_813_889
COLLECTIONS = ["/api/v1/tasks", "/api/v1/users", "/api/v1/projects", "/api/v1/tags"]


@pytest.fixture(params=[True, False], ids=["fast reads", "shared reads"])
async def any_reader(
    request: pytest.FixtureRequest, database_url: str
) -> AsyncIterator[httpx.AsyncClient]:
    """HTTP through the app with task reads on asyncpg's own protocol, or through SQLAlchemy."""
    services: Container = make_container(database_url, db_fast_reads=request.param)
    await empty_tables(services.engine())
    async with serving(services) as http:
        yield http
    await dispose(services)


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("path", COLLECTIONS)
async def test_an_offset_beyond_32_bits_is_an_empty_page_not_a_500(
    any_reader: httpx.AsyncClient, path: str
) -> None:
    await any_reader.post("/api/v1/users", json={"email": "ada@example.org", "name": "Ada"})
    await any_reader.post("/api/v1/projects", json={"name": "one"})
    await any_reader.post("/api/v1/tasks", json={"title": "one", "tags": ["x"]})
    page = await any_reader.get(path, params={"offset": BEYOND_INT32})
    assert page.status_code == 200, page.text
    assert page.json()["items"] == []
    assert page.json()["total"] == 1
    largest = await any_reader.get(path, params={"offset": MAX_ID})
    assert (largest.status_code, largest.json()["items"]) == (200, [])


@pytest.mark.parametrize("path", COLLECTIONS)
@pytest.mark.parametrize("params", [{"offset": MAX_ID + 1}, {"limit": 2**31}, {"limit": 0}])
async def test_an_integer_beyond_its_declared_range_is_a_422(
    client: httpx.AsyncClient, path: str, params: dict[str, int]
) -> None:
    problem(await client.get(path, params=params), 422)


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PATCH", "/api/v1/tasks/stats", "GET"),
        ("DELETE", "/api/v1/tasks/stats", "GET"),
        ("PATCH", "/api/v1/tasks/bulk", "POST"),
        ("GET", "/api/v1/tasks/bulk", "POST"),
        ("GET", "/api/v1/tasks/bulk-update", "POST"),
        ("PUT", "/api/v1/tasks/bulk-delete", "POST"),
        ("OPTIONS", "/api/v1/tasks/1", "DELETE, GET, PATCH"),
        ("PUT", "/api/v1/tasks/1", "DELETE, GET, PATCH"),
        ("POST", "/api/v1/users/1", "DELETE, GET, PATCH"),
        ("OPTIONS", "/api/v1/projects", "GET, POST"),
        ("DELETE", "/api/v1/tasks", "GET, POST"),
        ("PUT", "/api/v1/tags", "GET"),
        ("POST", "/health/live", "GET"),
    ],
)
async def test_a_method_the_path_does_not_take_is_a_405_naming_every_method_it_does(
    client: httpx.AsyncClient, method: str, path: str, allow: str
) -> None:
    body = problem(await client.request(method, path), 405)
    assert body["type"] == "about:blank"
    assert (await client.request(method, path)).headers["allow"] == allow


async def test_a_path_that_is_no_fixed_route_still_reads_as_an_id(
    client: httpx.AsyncClient,
) -> None:
    problem(await client.patch("/api/v1/tasks/statistics", json={}), 422)
    problem(await client.get("/api/v1/tasks/99"), 404)


@pytest.mark.parametrize(("value", "status"), [(1.0, 201), (1.5, 422), ("1", 422), (True, 422)])
async def test_an_id_may_be_written_as_an_integral_number_only(
    client: httpx.AsyncClient, value: object, status: int
) -> None:
    user = await client.post("/api/v1/users", json={"email": "ada@example.org", "name": "Ada"})
    assert user.json()["id"] == 1
    answer = await client.post("/api/v1/tasks", json={"title": "x", "assignee_id": value})
    assert answer.status_code == status, answer.text
    if status == 201:
        assert answer.json()["assignee_id"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x", "status": None}, "status"),
        ({"title": "x", "priority": None}, "priority"),
        ({"title": None}, "title"),
        ({"tags": None}, "tags"),
    ],
)
async def test_null_is_refused_where_the_schema_leaves_it_out(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    created = await client.post("/api/v1/tasks", json={"title": "x"})
    refused = problem(await client.patch(created.headers["location"], json=body), 422)
    assert ["body", field] in [e["loc"] for e in refused["errors"]]


async def test_a_blank_string_counts_as_missing_as_the_schema_says(
    client: httpx.AsyncClient,
) -> None:
    created = await client.post(
        "/api/v1/tasks", json={"title": "x", "status": " ", "due_date": "", "project_id": ""}
    )
    assert created.status_code == 201, created.text
    assert (created.json()["status"], created.json()["due_date"]) == ("todo", None)


async def test_a_tag_is_ascii_before_it_is_lower_cased(client: httpx.AsyncClient) -> None:
    kelvin = "\u212a"  # its lower case is an ASCII "k"
    refused = problem(
        await client.post("/api/v1/tasks", json={"title": "x", "tags": [kelvin]}), 422
    )
    assert refused["errors"][0]["type"] == "string_pattern_mismatch"


async def test_the_415_detail_quotes_no_long_content_type(client: httpx.AsyncClient) -> None:
    long_type = "application/" + "x" * 10_000
    body = problem(
        await client.post("/api/v1/tasks", content=b"{}", headers={"content-type": long_type}), 415
    )
    assert len(body["detail"]) < 100
    assert "xxxx" not in body["detail"]
    plain = problem(
        await client.post("/api/v1/tasks", content=b"{}", headers={"content-type": "text/plain"}),
        415,
    )
    assert "'text/plain'" in plain["detail"]
