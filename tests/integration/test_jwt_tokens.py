"""JWTs from an OpenID Connect provider, checked against its key set served over real HTTP."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from application.callers import Caller
from application.errors import Unauthenticated
from domain.workspaces import Role
from infrastructure.auth.jwt_tokens import (
    IdentityProviderUnavailable,
    JwtAuthenticator,
    caller_from_claims,
)
from infrastructure.database.failures import classify
from infrastructure.settings import Settings
from tests.support.jwks import (
    AUDIENCE,
    ISSUER,
    JwksServer,
    SigningKey,
    claims,
    refused_url,
)


class Monotonic:
    """A monotonic clock that only moves when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def rsa_key() -> SigningKey:
    return SigningKey.rsa("rsa-1")


@pytest.fixture(scope="module")
def ec_key() -> SigningKey:
    return SigningKey.ec("ec-1")


@pytest.fixture(scope="module")
def rotated_key() -> SigningKey:
    return SigningKey.rsa("rsa-2")


@pytest.fixture(scope="module")
def impostor(rotated_key: SigningKey) -> SigningKey:
    """Another private key, claiming the kid of the provider's RSA key."""
    return SigningKey("rsa-1", "RS256", rotated_key.private)


@pytest.fixture(scope="module")
def module_server() -> Iterator[JwksServer]:
    with JwksServer().running() as server:
        yield server


@pytest.fixture
def idp(module_server: JwksServer, rsa_key: SigningKey, ec_key: SigningKey) -> JwksServer:
    module_server.reset(rsa_key, ec_key)
    return module_server


@pytest.fixture
def clock() -> Monotonic:
    return Monotonic()


@pytest.fixture
def authenticator(idp: JwksServer, clock: Monotonic) -> JwtAuthenticator:
    return JwtAuthenticator(idp.url, issuer=ISSUER, audience=AUDIENCE, monotonic=clock)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict[str, Any], payload: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"


async def _refused(authenticator: JwtAuthenticator, token: str) -> Unauthenticated:
    with pytest.raises(Unauthenticated) as raised:
        await authenticator.authenticate(token)
    message = str(raised.value)
    assert message == "the bearer token is not valid"
    for part in token.split("."):
        assert len(part) < 8 or part[:12] not in message
    return raised.value


async def test_a_valid_token_is_the_caller_its_claims_name(
    authenticator: JwtAuthenticator, rsa_key: SigningKey, ec_key: SigningKey
) -> None:
    assert await authenticator.authenticate(rsa_key.sign(claims())) == Caller(7, Role.WRITER)
    assert await authenticator.authenticate(
        ec_key.sign(claims(taskhex_workspace="42", taskhex_role="admin"))
    ) == Caller(42, Role.ADMIN)


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"exp": -120}, id="expired"),
        pytest.param({"nbf": 120}, id="not-yet-valid"),
        pytest.param({"iat": 120}, id="issued-in-the-future"),
        pytest.param({"exp": None}, id="no-exp"),
        pytest.param({"iat": None}, id="no-iat"),
        pytest.param({"exp": "tomorrow"}, id="exp-not-a-number"),
    ],
)
async def test_a_token_outside_its_validity_is_refused(
    authenticator: JwtAuthenticator, rsa_key: SigningKey, changes: dict[str, Any]
) -> None:
    now = claims()["iat"]
    shifted = {
        name: now + value if isinstance(value, int) else value for name, value in changes.items()
    }
    await _refused(authenticator, rsa_key.sign(claims(**shifted)))


async def test_a_small_clock_skew_is_forgiven(
    authenticator: JwtAuthenticator, rsa_key: SigningKey
) -> None:
    now = claims()["iat"]
    token = rsa_key.sign(claims(exp=now - 5, nbf=now + 5, iat=now + 5))

    assert await authenticator.authenticate(token) == Caller(7, Role.WRITER)


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "https://idp.test/realms/other"},
        {"iss": None},
        {"aud": "another-api"},
        {"aud": None},
    ],
    ids=["wrong-issuer", "no-issuer", "wrong-audience", "no-audience"],
)
async def test_a_token_for_another_issuer_or_audience_is_refused(
    authenticator: JwtAuthenticator, rsa_key: SigningKey, changes: dict[str, Any]
) -> None:
    await _refused(authenticator, rsa_key.sign(claims(**changes)))


async def test_an_audience_list_that_names_ours_is_accepted(
    authenticator: JwtAuthenticator, rsa_key: SigningKey
) -> None:
    token = rsa_key.sign(claims(aud=["account", AUDIENCE]))

    assert await authenticator.authenticate(token) == Caller(7, Role.WRITER)


async def test_a_token_signed_by_another_key_under_a_known_kid_is_refused(
    authenticator: JwtAuthenticator, impostor: SigningKey
) -> None:
    await _refused(authenticator, impostor.sign(claims()))


async def test_a_token_whose_signature_was_altered_is_refused(
    authenticator: JwtAuthenticator, rsa_key: SigningKey
) -> None:
    header, payload, signature = rsa_key.sign(claims()).split(".")
    forged = _b64(json.dumps(claims(taskhex_role="admin")).encode())

    await _refused(authenticator, f"{header}.{forged}.{signature}")
    await _refused(authenticator, f"{header}.{payload}.{signature[:-4]}AAAA")


async def test_an_unsigned_token_is_refused_without_asking_for_keys(
    authenticator: JwtAuthenticator, idp: JwksServer
) -> None:
    for algorithm in ("none", "None", "NONE"):
        header = {"alg": algorithm, "typ": "JWT", "kid": "rsa-1"}
        await _refused(authenticator, _unsigned(header, claims()) + ".")
    assert idp.hits == 0


async def test_a_token_signed_with_hmac_over_the_public_key_is_refused(
    authenticator: JwtAuthenticator, idp: JwksServer, rsa_key: SigningKey
) -> None:
    public_pem = rsa_key.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = _unsigned({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}, claims())
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()

    await _refused(authenticator, f"{signing_input}.{_b64(mac)}")
    assert idp.hits == 0


async def test_a_token_whose_algorithm_is_not_its_keys_is_refused(
    authenticator: JwtAuthenticator, ec_key: SigningKey
) -> None:
    # A valid ES256 signature, offered under the kid of the provider's RSA key.
    await _refused(authenticator, SigningKey("rsa-1", "ES256", ec_key.private).sign(claims()))


async def test_a_key_too_short_to_be_safe_is_not_trusted(
    authenticator: JwtAuthenticator, idp: JwksServer
) -> None:
    weak = SigningKey("rsa-weak", "RS256", rsa.generate_private_key(65537, key_size=1024))
    idp.keys.append(weak.jwk())

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyJWT warns when it signs with a short key
        token = weak.sign(claims())
    await _refused(authenticator, token)


async def test_an_algorithm_outside_the_configured_list_is_refused(
    idp: JwksServer, ec_key: SigningKey, rsa_key: SigningKey
) -> None:
    only_rsa = JwtAuthenticator(idp.url, issuer=ISSUER, audience=AUDIENCE, algorithms=["RS256"])

    await _refused(only_rsa, ec_key.sign(claims()))
    assert await only_rsa.authenticate(rsa_key.sign(claims())) == Caller(7, Role.WRITER)


@pytest.mark.parametrize(
    "algorithms",
    [["HS256"], ["none"], ["RS256", "HS512"], []],
    ids=["hs256", "none", "mix", "empty"],
)
def test_only_public_key_algorithms_can_be_configured(algorithms: list[str]) -> None:
    with pytest.raises(ValueError, match="public-key ones only"):
        JwtAuthenticator(refused_url(), issuer=ISSUER, audience=AUDIENCE, algorithms=algorithms)


@pytest.mark.parametrize(
    "token",
    ["", "Bearer", "a.b.c", "a.b", "..", "é.é.é", "x" * 20_000],
    ids=["empty", "word", "three-parts", "two-parts", "dots", "not-ascii", "huge"],
)
async def test_a_token_that_is_no_jwt_is_refused_without_asking_for_keys(
    authenticator: JwtAuthenticator, idp: JwksServer, token: str
) -> None:
    await _refused(authenticator, token)
    assert idp.hits == 0


@pytest.mark.parametrize(
    "header",
    [{"alg": "RS256"}, {"alg": "RS256", "kid": ""}, {"alg": "RS256", "kid": 1}],
    ids=["no-kid", "empty-kid", "kid-not-a-string"],
)
async def test_a_token_without_a_usable_kid_is_refused(
    authenticator: JwtAuthenticator, idp: JwksServer, header: dict[str, Any]
) -> None:
    await _refused(authenticator, _unsigned(header, claims()) + ".c2ln")
    assert idp.hits == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"taskhex_workspace": None},
        {"taskhex_workspace": "seven"},
        {"taskhex_workspace": "7a"},
        {"taskhex_workspace": " 7"},
        {"taskhex_workspace": "\u0667"},  # an Arabic-Indic seven: a digit, not an ASCII one
        {"taskhex_workspace": 0},
        {"taskhex_workspace": -7},
        {"taskhex_workspace": 7.0},
        {"taskhex_workspace": True},
        {"taskhex_workspace": 2**63},
        {"taskhex_workspace": [7]},
        {"taskhex_role": None},
        {"taskhex_role": "owner"},
        {"taskhex_role": "Admin"},
        {"taskhex_role": ["admin"]},
        {"taskhex_role": 3},
    ],
    ids=lambda changes: "-".join(f"{k}={v!r}" for k, v in changes.items()),
)
async def test_a_token_without_a_valid_workspace_and_role_is_refused(
    authenticator: JwtAuthenticator, rsa_key: SigningKey, changes: dict[str, Any]
) -> None:
    await _refused(authenticator, rsa_key.sign(claims(**changes)))


def test_the_workspace_and_role_claims_can_be_renamed() -> None:
    found = {"https://taskhex.test/workspace": "12", "groups_role": "reader"}

    assert caller_from_claims(found, "https://taskhex.test/workspace", "groups_role") == Caller(
        12, Role.READER
    )
    assert caller_from_claims(found, "taskhex_workspace", "taskhex_role") is None


async def test_the_key_set_is_fetched_once_not_on_every_request(
    authenticator: JwtAuthenticator, idp: JwksServer, rsa_key: SigningKey, ec_key: SigningKey
) -> None:
    for _ in range(25):
        await authenticator.authenticate(rsa_key.sign(claims()))
        await authenticator.authenticate(ec_key.sign(claims()))

    assert idp.hits == 1


async def test_concurrent_first_requests_share_one_fetch(
    authenticator: JwtAuthenticator, idp: JwksServer, rsa_key: SigningKey
) -> None:
    tokens = [rsa_key.sign(claims(taskhex_workspace=n)) for n in range(1, 31)]

    callers = await asyncio.gather(*(authenticator.authenticate(token) for token in tokens))

    assert [caller.workspace_id for caller in callers] == list(range(1, 31))
    assert idp.hits == 1


async def test_an_unknown_kid_is_refused_after_one_refresh_and_cannot_force_more(
    authenticator: JwtAuthenticator,
    idp: JwksServer,
    clock: Monotonic,
    rsa_key: SigningKey,
) -> None:
    await authenticator.authenticate(rsa_key.sign(claims()))
    clock.now += 60

    made_up = [rsa_key.sign(claims(), kid=f"made-up-{n}") for n in range(20)]
    outcomes = await asyncio.gather(
        *(authenticator.authenticate(token) for token in made_up), return_exceptions=True
    )
    for token in made_up:
        await _refused(authenticator, token)

    assert all(isinstance(outcome, Unauthenticated) for outcome in outcomes)
    assert idp.hits == 2  # the first fetch, and one refresh for all the made-up kids


async def test_a_rotated_key_is_fetched_when_a_token_names_it(
    authenticator: JwtAuthenticator,
    idp: JwksServer,
    clock: Monotonic,
    rsa_key: SigningKey,
    rotated_key: SigningKey,
) -> None:
    assert await authenticator.authenticate(rsa_key.sign(claims())) == Caller(7, Role.WRITER)
    idp.publish(rsa_key, rotated_key)
    token = rotated_key.sign(claims(taskhex_role="reader"))

    await _refused(authenticator, token)  # within the refresh cooldown of the first fetch
    assert idp.hits == 1
    clock.now += 5

    assert await authenticator.authenticate(token) == Caller(7, Role.READER)
    assert await authenticator.authenticate(rsa_key.sign(claims())) == Caller(7, Role.WRITER)
    assert idp.hits == 2

    idp.publish(rotated_key)  # the old key retired: its tokens fail once the set is fetched again
    clock.now += 5
    await _refused(authenticator, SigningKey("rsa-3", "RS256", rotated_key.private).sign(claims()))
    await _refused(authenticator, rsa_key.sign(claims()))
    assert idp.hits == 3


async def test_an_expired_key_set_is_fetched_again(idp: JwksServer, rsa_key: SigningKey) -> None:
    authenticator = JwtAuthenticator(idp.url, issuer=ISSUER, audience=AUDIENCE, jwks_lifespan=1e-9)

    for _ in range(3):
        await authenticator.authenticate(rsa_key.sign(claims()))

    assert idp.hits == 3


async def test_a_key_meant_for_encryption_is_not_used_to_verify(
    idp: JwksServer, authenticator: JwtAuthenticator, rsa_key: SigningKey
) -> None:
    idp.keys = [rsa_key.jwk(use="enc")]

    await _refused(authenticator, rsa_key.sign(claims()))


def _unavailable(raised: pytest.ExceptionInfo[IdentityProviderUnavailable], token: str) -> None:
    error = raised.value
    assert error.__cause__ is None
    assert error.__context__ is None
    assert classify(error) is None  # never taken for a lost database connection
    assert error.retry_after >= 1
    for part in token.split("."):
        assert len(part) < 8 or part[:12] not in str(error)


async def test_an_unreachable_provider_is_a_dependency_failure_not_the_callers(
    rsa_key: SigningKey,
) -> None:
    authenticator = JwtAuthenticator(refused_url(), issuer=ISSUER, audience=AUDIENCE)
    token = rsa_key.sign(claims())

    with pytest.raises(IdentityProviderUnavailable, match="Connection refused") as raised:
        await authenticator.authenticate(token)

    _unavailable(raised, token)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, b'{"error": "boom"}'),
        (503, b"<html>down for maintenance</html>"),
        (200, b"<html>a login page</html>"),
        (200, b'["not", "an", "object"]'),
        (200, b'{"keys": []}'),
        (200, b'{"keys": [{"kty": "RSA", "kid": "rsa-1", "n": "AQAB"}]}'),
    ],
    ids=["500", "503", "not-json", "not-an-object", "no-keys", "no-usable-key"],
)
async def test_a_provider_that_answers_badly_is_a_dependency_failure(
    authenticator: JwtAuthenticator,
    idp: JwksServer,
    rsa_key: SigningKey,
    status: int,
    body: bytes,
) -> None:
    idp.status, idp.body = status, body
    token = rsa_key.sign(claims())

    with pytest.raises(IdentityProviderUnavailable) as raised:
        await authenticator.authenticate(token)

    _unavailable(raised, token)


async def test_a_provider_that_never_answers_fails_within_the_timeout(
    idp: JwksServer, rsa_key: SigningKey
) -> None:
    idp.hang = True
    authenticator = JwtAuthenticator(idp.url, issuer=ISSUER, audience=AUDIENCE, jwks_timeout=0.2)
    token = rsa_key.sign(claims())

    with pytest.raises(IdentityProviderUnavailable, match="timed out") as raised:
        await asyncio.wait_for(authenticator.authenticate(token), timeout=5)

    _unavailable(raised, token)


async def test_after_a_failed_fetch_requests_fail_at_once_until_the_backoff_ends(
    authenticator: JwtAuthenticator, idp: JwksServer, clock: Monotonic, rsa_key: SigningKey
) -> None:
    idp.status = 500
    token = rsa_key.sign(claims())
    for _ in range(10):
        with pytest.raises(IdentityProviderUnavailable):
            await authenticator.authenticate(token)
    assert idp.hits == 1

    idp.status = 200
    clock.now += 2

    assert await authenticator.authenticate(token) == Caller(7, Role.WRITER)
    assert idp.hits == 2


async def test_a_failed_refresh_keeps_the_keys_already_known(
    authenticator: JwtAuthenticator,
    idp: JwksServer,
    clock: Monotonic,
    rsa_key: SigningKey,
    rotated_key: SigningKey,
) -> None:
    await authenticator.authenticate(rsa_key.sign(claims()))
    idp.status = 500
    clock.now += 60

    with pytest.raises(IdentityProviderUnavailable):
        await authenticator.authenticate(rotated_key.sign(claims()))
    assert await authenticator.authenticate(rsa_key.sign(claims())) == Caller(7, Role.WRITER)


async def test_concurrent_requests_share_one_failed_fetch(
    authenticator: JwtAuthenticator, idp: JwksServer, rsa_key: SigningKey
) -> None:
    idp.status = 502
    token = rsa_key.sign(claims())

    outcomes = await asyncio.gather(
        *(authenticator.authenticate(token) for _ in range(20)), return_exceptions=True
    )

    assert all(isinstance(outcome, IdentityProviderUnavailable) for outcome in outcomes)
    assert len({id(outcome) for outcome in outcomes}) == 20  # each its own, no shared traceback
    assert idp.hits == 1


async def test_the_authenticator_is_built_from_the_settings(
    idp: JwksServer, ec_key: SigningKey
) -> None:
    settings = Settings(
        auth="jwt",
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
        jwt_jwks_url=idp.url,
        jwt_workspace_claim="tenant",
        jwt_role_claim="access",
        jwt_algorithms=["ES256"],
    )
    authenticator = JwtAuthenticator.from_settings(settings)
    token = ec_key.sign(claims(tenant=3, access="reader"))

    assert await authenticator.authenticate(token) == Caller(3, Role.READER)


def test_building_from_settings_without_a_provider_is_refused() -> None:
    with pytest.raises(ValueError, match="JWT_JWKS_URL"):
        JwtAuthenticator.from_settings(Settings())
