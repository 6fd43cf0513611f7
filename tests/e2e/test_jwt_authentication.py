"""AUTH=jwt: the same API, with bearer tokens of an OpenID Connect provider instead of keys.

Choosing the authenticator is configuration: the app, its middleware and its
use cases are the ones the API keys use. The provider is a JWKS document the
test serves itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from interfaces.container import Container, dispose
from tests.support.databases import empty_tables, make_container
from tests.support.http import serving
from tests.support.jwks import AUDIENCE, ISSUER, JwksServer, SigningKey, claims, refused_url
from tests.support.keys import bearer, make_workspace


@pytest.fixture(scope="module")
def idp() -> Iterator[tuple[JwksServer, SigningKey]]:
    key = SigningKey.rsa("rsa-1")
    with JwksServer().running() as server:
        server.reset(key)
        yield server, key


@pytest.fixture
async def jwt_container(
    database_url: str, idp: tuple[JwksServer, SigningKey]
) -> AsyncIterator[Container]:
    server, _ = idp
    container = make_container(
        database_url, auth="jwt", jwt_issuer=ISSUER, jwt_audience=AUDIENCE, jwt_jwks_url=server.url
    )
    await empty_tables(container.engine())
    yield container
    await dispose(container)


async def test_a_token_is_a_caller_in_its_workspace_with_its_role(
    jwt_container: Container, idp: tuple[JwksServer, SigningKey]
) -> None:
    _, key = idp
    other = await make_workspace(jwt_container, "other")
    writer = key.sign(claims(taskhex_workspace=1, taskhex_role="writer"))
    reader = key.sign(claims(taskhex_workspace=1, taskhex_role="reader"))
    outsider = key.sign(claims(taskhex_workspace=other, taskhex_role="admin"))
    async with serving(jwt_container, key=writer) as http:
        created = await http.post("/api/v1/tasks", json={"title": "by token"})
        assert created.status_code == 201, created.text
        path = created.headers["location"]
        as_reader = await http.get(path, headers=bearer(reader))
        assert as_reader.status_code == 200
        refused = await http.post("/api/v1/tasks", json={"title": "x"}, headers=bearer(reader))
        assert refused.status_code == 403
        assert (await http.get(path, headers=bearer(outsider))).status_code == 404
        forged = key.sign(claims(taskhex_workspace=1, iss="https://elsewhere.example"))
        answer = await http.get(path, headers=bearer(forged))
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"].startswith("Bearer")


async def test_a_provider_that_cannot_be_reached_is_a_503_not_a_401(
    database_url: str, idp: tuple[JwksServer, SigningKey]
) -> None:
    _, key = idp
    container = make_container(
        database_url,
        auth="jwt",
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
        jwt_jwks_url=refused_url(),
    )
    token = key.sign(claims(taskhex_workspace=1))
    try:
        async with serving(container, key=token) as http:
            answer: httpx.Response = await http.get("/api/v1/tasks")
    finally:
        await dispose(container)
    assert answer.status_code == 503
    assert int(answer.headers["retry-after"]) >= 1
    assert token not in answer.text
