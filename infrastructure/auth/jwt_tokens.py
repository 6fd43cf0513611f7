"""Callers who prove who they are with a JWT from an OpenID Connect provider.

A token is accepted when it is signed, under an algorithm of the allow-list
(public-key ones only), by the key its ``kid`` names in the provider's key set
(JWKS); when ``exp``, ``nbf`` and ``iat`` hold, give or take the leeway; and when
its ``iss`` and ``aud`` are the configured ones. Two claims make the caller: the
workspace id and the role.

The key set is cached by PyJWT's client. Fetching it blocks, so it runs in a
thread, and only once however many requests wait for it. A ``kid`` the cached set
lacks brings a refresh at most once per ``refresh_cooldown``: tokens naming
made-up keys cannot make us hammer the provider, and one the refreshed set still
lacks is refused.

Every fault of a token is ``Unauthenticated``, with one message that quotes
nothing of it. A provider whose keys cannot be had (unreachable, an error status,
an answer that is no key set) is ``IdentityProviderUnavailable``: no fault of the
caller, a 503; after such a failure requests that need the keys fail at once for
``failure_backoff`` seconds instead of each trying again.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from jwt import PyJWK, PyJWKClient, PyJWKSet

from application.callers import Caller
from application.errors import AuthenticationUnavailable, Unauthenticated
from application.ports import Authenticator
from domain.workspaces import Role
from infrastructure.settings import ASYMMETRIC_JWT_ALGORITHMS, Settings

__all__ = ["IdentityProviderUnavailable", "JwtAuthenticator", "caller_from_claims"]

_INVALID = "the bearer token is not valid"
_MAX_TOKEN_CHARS = 16 * 1024
_MAX_KID_CHARS = 256
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud"]
_LARGEST_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")
_ROLES = {role.value: role for role in Role}


class IdentityProviderUnavailable(AuthenticationUnavailable):
    """The provider's signing keys could not be fetched, so no token can be checked:
    a dependency failure, not the caller's (the API answers 503 with Retry-After).

    No ``ConnectionError``, and raised without a chain of causes, so that it is
    never taken for a lost database connection (and the request run again).
    """

    def __init__(self, reason: str, retry_after: int) -> None:
        self.reason = reason
        super().__init__(
            f"the identity provider's signing keys could not be fetched: {reason}", retry_after
        )


@dataclass(frozen=True)
class _Failure:
    reason: str
    until: float = 0.0


class JwtAuthenticator(Authenticator):
    """Times are in seconds: ``leeway`` for the clocks of provider and server to differ,
    ``jwks_lifespan`` for a fetched key set to stay trusted, ``jwks_timeout`` for a fetch,
    ``refresh_cooldown`` between a fetch and a refresh for a ``kid`` it lacked, and
    ``failure_backoff`` from a failed fetch to the next try."""

    def __init__(
        self,
        jwks_url: str,
        *,
        issuer: str,
        audience: str,
        algorithms: Iterable[str] = ("RS256", "ES256"),
        workspace_claim: str = "taskhex_workspace",
        role_claim: str = "taskhex_role",
        leeway: float = 30.0,
        jwks_lifespan: float = 300.0,
        jwks_timeout: float = 5.0,
        refresh_cooldown: float = 5.0,
        failure_backoff: float = 2.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._algorithms = list(dict.fromkeys(algorithms))
        refused = sorted(set(self._algorithms) - ASYMMETRIC_JWT_ALGORITHMS)
        if refused or not self._algorithms:
            raise ValueError(
                "accept at least one JWT algorithm, public-key ones only"
                + (f"; not {', '.join(name[:16] for name in refused)}" if refused else "")
            )
        self._issuer = issuer
        self._audience = audience
        self._workspace_claim = workspace_claim
        self._role_claim = role_claim
        self._leeway = leeway
        self._refresh_cooldown = refresh_cooldown
        self._failure_backoff = failure_backoff
        self._monotonic = monotonic
        self._client = PyJWKClient(
            jwks_url,
            cache_jwk_set=True,
            lifespan=jwks_lifespan,
            timeout=jwks_timeout,
            headers={"User-Agent": "taskhex", "Accept": "application/json"},
        )
        self._fetched_at = -math.inf
        self._failure: _Failure | None = None
        self._inflight: asyncio.Task[PyJWKSet | _Failure] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> JwtAuthenticator:
        issuer, audience, url = settings.jwt_issuer, settings.jwt_audience, settings.jwt_jwks_url
        if not (issuer and audience and url):
            raise ValueError("JWT authentication needs JWT_ISSUER, JWT_AUDIENCE and JWT_JWKS_URL")
        return cls(
            url,
            issuer=issuer,
            audience=audience,
            algorithms=settings.jwt_algorithms,
            workspace_claim=settings.jwt_workspace_claim,
            role_claim=settings.jwt_role_claim,
        )

    async def authenticate(self, credentials: str) -> Caller:
        kid = self._key_id(credentials)
        if kid is None:
            raise Unauthenticated(_INVALID)
        key = await self._signing_key(kid)
        claims = self._verified_claims(credentials, key) if key is not None else None
        caller = None
        if claims is not None:
            caller = caller_from_claims(claims, self._workspace_claim, self._role_claim)
        if caller is None:
            raise Unauthenticated(_INVALID)
        return caller

    def _key_id(self, token: str) -> str | None:
        """The ``kid`` of a token shaped like a JWT under an accepted algorithm."""
        if len(token) > _MAX_TOKEN_CHARS or not token.isascii():
            return None
        try:
            header = jwt.get_unverified_header(token)
        except (jwt.PyJWTError, ValueError, TypeError):
            return None
        kid, algorithm = header.get("kid"), header.get("alg")
        if algorithm not in self._algorithms or not isinstance(kid, str):
            return None
        return kid if 0 < len(kid) <= _MAX_KID_CHARS else None

    def _verified_claims(self, token: str, key: PyJWK) -> dict[str, Any] | None:
        try:
            return jwt.decode(
                token,
                key,
                algorithms=self._algorithms,
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": _REQUIRED_CLAIMS, "enforce_minimum_key_length": True},
            )
        except (jwt.PyJWTError, ValueError, TypeError):
            return None

    async def _signing_key(self, kid: str) -> PyJWK | None:
        """The provider's key ``kid``, or ``None`` when a recent key set lacks it."""
        cache = self._client.jwk_set_cache
        keys = cache.get() if cache is not None else None
        if keys is not None:
            key = _find(keys, kid)
            if key is not None or self._monotonic() - self._fetched_at < self._refresh_cooldown:
                return key
        outcome = await self._refresh()
        if isinstance(outcome, _Failure):
            retry_after = max(1, math.ceil(outcome.until - self._monotonic()))
            raise IdentityProviderUnavailable(outcome.reason, retry_after)
        return _find(outcome, kid)

    async def _refresh(self) -> PyJWKSet | _Failure:
        """The key set fetched anew; requests that ask meanwhile share the one fetch."""
        if self._inflight is None:
            failure = self._failure
            if failure is not None and self._monotonic() < failure.until:
                return failure
            self._inflight = asyncio.create_task(self._fetch_once())
        return await asyncio.shield(self._inflight)

    async def _fetch_once(self) -> PyJWKSet | _Failure:
        try:
            outcome = await asyncio.to_thread(self._fetch)
        finally:
            self._inflight = None
        now = self._monotonic()
        if isinstance(outcome, _Failure):
            self._failure = _Failure(outcome.reason, now + self._failure_backoff)
        else:
            self._failure, self._fetched_at = None, now
        return outcome

    def _fetch(self) -> PyJWKSet | _Failure:
        """Blocking: runs in a worker thread. Caches the set it returns."""
        try:
            return self._client.get_jwk_set(refresh=True)
        except jwt.PyJWKClientConnectionError as error:
            return _Failure(_describe(error.__cause__ or error))
        except (jwt.PyJWTError, ValueError) as error:  # not JSON, not a set, no usable key
            return _Failure(f"the answer is not a usable key set ({type(error).__name__})")
        except OSError as error:  # the connection broke while the body was read
            return _Failure(_describe(error))


def caller_from_claims(
    claims: Mapping[str, object], workspace_claim: str, role_claim: str
) -> Caller | None:
    """The caller verified claims stand for: a workspace id (an integer, or a string of
    its digits) and a role (``reader``, ``writer`` or ``admin``); ``None`` when either
    is missing or invalid. Its principal is a hash of ``sub``, when the token has one."""
    workspace = claims.get(workspace_claim)
    if isinstance(workspace, str) and _DIGITS.fullmatch(workspace):
        workspace = int(workspace)
    named = claims.get(role_claim)
    role = _ROLES.get(named) if isinstance(named, str) else None
    if (
        role is None
        or not isinstance(workspace, int)
        or isinstance(workspace, bool)
        or not 1 <= workspace <= _LARGEST_ID
    ):
        return None
    # Rate limits count per subject; a hash, so that no identifier (an e-mail) is stored.
    subject = claims.get("sub")
    principal = None
    if isinstance(subject, str) and subject:
        principal = f"jwt:{hashlib.sha256(subject.encode()).hexdigest()[:32]}"
    return Caller(workspace, role, principal=principal)


def _find(keys: PyJWKSet, kid: str) -> PyJWK | None:
    for key in keys.keys:
        if key.key_id == kid and key.public_key_use in ("sig", None):
            return key
    return None


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:200]
