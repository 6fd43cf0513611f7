"""The API key endpoints of the contract, checked over HTTP as an admin of ``default``."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from dependency_injector import providers
from sqlalchemy import text

from application.workspaces.create_workspace import CreateWorkspace
from infrastructure.auth.api_keys import ApiKeyAuthenticator, hash_key_from, prefix_of
from interfaces.container import Container
from tests.support.databases import operator
from tests.support.keys import bearer

PROBLEM = "application/problem+json"
KEYS = "/api/v1/keys"
SHOWN = ["id", "name", "role", "prefix", "created_at", "last_used_at"]


async def create(client: httpx.AsyncClient, name: str, role: str) -> dict[str, Any]:
    response = await client.post(KEYS, json={"name": name, "role": role})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def listed(client: httpx.AsyncClient, **params: Any) -> dict[str, Any]:
    response = await client.get(KEYS, params=params)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


async def test_a_new_key_is_answered_once_with_its_secret(client: httpx.AsyncClient) -> None:
    response = await client.post(KEYS, json={"name": "  ci ", "role": " writer "})

    assert response.status_code == 201
    key = response.json()
    assert list(key) == [*SHOWN, "secret"]
    assert (key["name"], key["role"], key["last_used_at"]) == ("ci", "writer", None)
    assert prefix_of(key["secret"]) == key["prefix"]
    assert re.fullmatch(r"thx_[a-z0-9]{8}_[A-Za-z0-9_-]{43}", key["secret"])
    assert key["created_at"].endswith(("Z", "+00:00"))

    page = await listed(client)
    assert {k["id"]: k for k in page["items"]}[key["id"]] == {
        k: v for k, v in key.items() if k != "secret"
    }
    assert key["secret"] not in (await client.get(KEYS)).text


async def test_keys_are_a_page_like_every_collection(client: httpx.AsyncClient) -> None:
    before = (await listed(client))["total"]
    made = [(await create(client, f"k{i}", "reader"))["id"] for i in range(5)]

    first = await listed(client, limit=2, offset=before)
    assert ([k["id"] for k in first["items"]], first["total"]) == (made[:2], before + 5)
    assert all(list(k) == SHOWN for k in first["items"])
    seen, cursor = [k["id"] for k in first["items"]], first["next_cursor"]
    while cursor is not None:
        page = await listed(client, limit=2, cursor=cursor)
        assert page["total"] is None
        seen += [k["id"] for k in page["items"]]
        cursor = page["next_cursor"]
    assert seen == made

    for params in ({"limit": 0}, {"limit": 101}, {"offset": -1}, {"offset": 0, "cursor": "x"}):
        refused = await client.get(KEYS, params=params)
        assert (refused.status_code, refused.headers["content-type"]) == (422, PROBLEM)
    forged = await client.get(KEYS, params={"cursor": "forged"})
    assert (forged.status_code, forged.headers["content-type"]) == (400, PROBLEM)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "ci", "role": "owner"}, "role"),
        ({"name": "ci", "role": None}, "role"),
        ({"name": "ci", "role": "  "}, "role"),
        ({"name": "ci"}, "role"),
        ({"name": "  ", "role": "reader"}, "name"),
        ({"name": "n" * 121, "role": "reader"}, "name"),
        ({"name": "a\x00b", "role": "reader"}, "name"),
        ({"role": "reader"}, "name"),
        ({"name": "ci", "role": "reader", "secret": "thx_mine"}, "secret"),
        ({"name": "ci", "role": "reader", "prefix": "abcdefgh"}, "prefix"),
    ],
)
async def test_an_invalid_key_is_a_422_naming_the_field(
    client: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    response = await client.post(KEYS, json=body)
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)
    assert ["body", field] in [e["loc"] for e in response.json()["errors"]]


async def test_a_revoked_key_is_gone_and_a_second_revocation_is_a_404(
    client: httpx.AsyncClient,
) -> None:
    key = await create(client, "ci", "reader")

    assert (await client.delete(f"{KEYS}/{key['id']}")).status_code == 204
    again = await client.delete(f"{KEYS}/{key['id']}")
    assert (again.status_code, again.headers["content-type"]) == (404, PROBLEM)
    assert key["id"] not in [k["id"] for k in (await listed(client))["items"]]


@pytest.mark.parametrize(("key_id", "status"), [(2**63 - 1, 404), (2**63, 422), (0, 422)])
async def test_a_key_id_is_a_positive_64_bit_integer(
    client: httpx.AsyncClient, key_id: int, status: int
) -> None:
    assert (await client.delete(f"{KEYS}/{key_id}")).status_code == status
    assert (await client.delete(f"{KEYS}/abc")).status_code == 422


async def test_another_workspaces_key_is_a_404_and_stays(
    client: httpx.AsyncClient, container: Container
) -> None:
    founded = await container.create_workspace()(CreateWorkspace("acme"))

    response = await client.delete(f"{KEYS}/{founded.key.key.id}")

    assert (response.status_code, response.headers["content-type"]) == (404, PROBLEM)
    assert response.json()["detail"] == f"API key {founded.key.key.id} does not exist"
    assert founded.key.key.id not in [k["id"] for k in (await listed(client))["items"]]
    async with operator(container.engine()) as connection:
        kept = await connection.scalar(
            text("SELECT count(*) FROM api_key WHERE id = :id"), {"id": founded.key.key.id}
        )
    assert kept == 1


async def test_the_workspaces_last_admin_key_is_a_409(client: httpx.AsyncClient) -> None:
    await create(client, "spare admin", "admin")
    reader = await create(client, "reader", "reader")
    admins = [k["id"] for k in (await listed(client, limit=100))["items"] if k["role"] == "admin"]

    # Oldest last: the key this client authenticates with, when it has one, is kept.
    for key_id in admins[1:]:
        assert (await client.delete(f"{KEYS}/{key_id}")).status_code == 204
    refused = await client.delete(f"{KEYS}/{admins[0]}")

    assert (refused.status_code, refused.headers["content-type"]) == (409, PROBLEM)
    problem = refused.json()
    assert (problem["status"], problem["type"]) == (409, "urn:taskhex:problem:conflict")
    assert "last admin key" in problem["detail"]
    assert (await client.delete(f"{KEYS}/{reader['id']}")).status_code == 204
    assert [k["id"] for k in (await listed(client))["items"]] == [admins[0]]


@pytest.mark.parametrize("role", ["reader", "writer"])
async def test_only_an_admin_key_manages_keys(client: httpx.AsyncClient, role: str) -> None:
    key = await create(client, role, role)
    other = await create(client, "other", "reader")
    auth = bearer(key["secret"])

    answers = [
        await client.get(KEYS, headers=auth),
        await client.post(KEYS, json={"name": "x", "role": "admin"}, headers=auth),
        await client.delete(f"{KEYS}/{other['id']}", headers=auth),
    ]

    assert [a.status_code for a in answers] == [403, 403, 403]
    assert all(a.headers["content-type"] == PROBLEM for a in answers)
    assert (await client.get("/api/v1/tasks", headers=auth)).status_code == 200
    assert other["id"] in [k["id"] for k in (await listed(client))["items"]]


async def test_a_key_made_over_http_authenticates_in_its_workspace_until_revoked(
    client: httpx.AsyncClient, container: Container
) -> None:
    # Every lookup goes to the store: revocation is seen at once, not within 4 s.
    container.authenticator.override(
        providers.Singleton(
            ApiKeyAuthenticator,
            container.key_store,
            hash_key_from(container.settings()),
            container.clock,
            trust_seconds=0,
            refuse_seconds=0,
        )
    )
    key = await create(client, "writer", "writer")
    auth = bearer(key["secret"])
    made = await client.post("/api/v1/tasks", json={"title": "by the new key"}, headers=auth)
    assert made.status_code == 201
    assert (await client.get(made.headers["location"])).status_code == 200  # same workspace

    assert (await client.delete(f"{KEYS}/{key['id']}")).status_code == 204
    refused = await client.get("/api/v1/tasks", headers=auth)
    assert (refused.status_code, refused.headers["content-type"]) == (401, PROBLEM)
    assert "www-authenticate" in refused.headers
    assert key["secret"] not in refused.text
