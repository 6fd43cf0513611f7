"""The settings of authentication: API keys by default; JWTs only with a provider named."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from infrastructure.settings import Settings

ISSUER = "https://idp.test/realms/taskhex"
JWKS = "https://idp.test/realms/taskhex/protocol/openid-connect/certs"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "AUTH",
        "JWT_ISSUER",
        "JWT_AUDIENCE",
        "JWT_JWKS_URL",
        "JWT_WORKSPACE_CLAIM",
        "JWT_ROLE_CLAIM",
        "JWT_ALGORITHMS",
    ):
        monkeypatch.delenv(name, raising=False)


def test_api_keys_are_the_default_and_need_no_provider() -> None:
    settings = Settings()

    assert settings.auth == "api_keys"
    assert (settings.jwt_issuer, settings.jwt_audience, settings.jwt_jwks_url) == (None,) * 3
    assert (settings.jwt_workspace_claim, settings.jwt_role_claim) == (
        "taskhex_workspace",
        "taskhex_role",
    )
    assert settings.jwt_algorithms == ["RS256", "ES256"]


def test_every_jwt_setting_comes_from_its_environment_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in {
        "AUTH": "jwt",
        "JWT_ISSUER": ISSUER,
        "JWT_AUDIENCE": "taskhex-api",
        "JWT_JWKS_URL": JWKS,
        "JWT_WORKSPACE_CLAIM": "https://taskhex.test/workspace",
        "JWT_ROLE_CLAIM": "taskhex/role",
        "JWT_ALGORITHMS": "PS256, ES384",
    }.items():
        monkeypatch.setenv(name, value)

    settings = Settings()

    assert (settings.auth, settings.jwt_issuer, settings.jwt_audience) == (
        "jwt",
        ISSUER,
        "taskhex-api",
    )
    assert settings.jwt_jwks_url == JWKS
    assert settings.jwt_workspace_claim == "https://taskhex.test/workspace"
    assert settings.jwt_role_claim == "taskhex/role"
    assert settings.jwt_algorithms == ["PS256", "ES384"]


def test_the_algorithms_may_be_a_json_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_ALGORITHMS", '["EdDSA", "RS512"]')

    assert Settings().jwt_algorithms == ["EdDSA", "RS512"]


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ({"jwt_issuer", "jwt_audience", "jwt_jwks_url"}, "JWT_ISSUER, JWT_AUDIENCE, JWT_JWKS_URL"),
        ({"jwt_audience"}, "JWT_AUDIENCE"),
        ({"jwt_jwks_url"}, "JWT_JWKS_URL"),
    ],
)
def test_jwt_authentication_without_its_provider_is_refused_saying_what_is_missing(
    missing: set[str], named: str
) -> None:
    given = {"jwt_issuer": ISSUER, "jwt_audience": "taskhex-api", "jwt_jwks_url": JWKS}

    with pytest.raises(ValidationError) as raised:
        Settings(auth="jwt", **{k: v for k, v in given.items() if k not in missing})  # type: ignore[arg-type]

    assert "AUTH=jwt needs JWT_ISSUER, JWT_AUDIENCE and JWT_JWKS_URL" in str(raised.value)
    assert f"not set: {named}" in str(raised.value)


def test_an_empty_issuer_counts_as_missing() -> None:
    with pytest.raises(ValidationError, match="not set: JWT_ISSUER"):
        Settings(auth="jwt", jwt_issuer="", jwt_audience="taskhex-api", jwt_jwks_url=JWKS)


@pytest.mark.parametrize(
    "algorithms", ["HS256", "none", "RS256,HS512", "rs256", "[]", ""], ids=repr
)
def test_only_public_key_algorithms_are_accepted(
    monkeypatch: pytest.MonkeyPatch, algorithms: str
) -> None:
    monkeypatch.setenv("JWT_ALGORITHMS", algorithms)

    with pytest.raises(ValidationError, match="jwt_algorithms"):
        Settings()


@pytest.mark.parametrize(
    "url",
    [
        "http://idp.test/certs",
        "http://10.0.0.7/certs",
        "file:///etc/passwd",
        "https:///certs",
        "http:///certs",
        "idp.test/certs",
    ],
)
def test_keys_are_fetched_over_https_only(url: str) -> None:
    with pytest.raises(ValidationError, match="https://"):
        Settings(jwt_jwks_url=url)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/certs", "http://localhost/certs", "http://[::1]:9000/certs"]
)
def test_plain_http_is_allowed_to_a_loopback_provider(url: str) -> None:
    assert Settings(jwt_jwks_url=url).jwt_jwks_url == url
