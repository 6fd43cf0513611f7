"""Who is calling: every ``/api/v1`` request is authenticated before anything else runs.

- No ``Authorization: Bearer`` credentials, or credentials the authenticator
  refuses: 401 with ``WWW-Authenticate: Bearer``, whatever else is wrong with
  the request (its body is not read).
- A caller whose role does not allow the request: 403. ``GET`` and ``HEAD``
  read, every other method writes, and anything under ``/api/v1/keys`` is
  administration.
- Credentials that cannot be checked because a dependency is down (the
  database, an identity provider): 503 with ``Retry-After``.

The caller is then established (``callers.acting_as``) for the rest of the
request, so that every use case it runs is in the caller's workspace.

With rate limits on (``interfaces.api.rate_limits``), the request is counted
once its caller is known, or as its address's when it has none: over the
budget, a 429 instead of anything else (the 401 and the 403 included); every
answer carries the ``RateLimit`` headers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from starlette.types import ASGIApp, Receive, Scope, Send

from application.callers import Caller, acting_as
from application.errors import AuthenticationUnavailable, Unauthenticated
from application.ports import Authenticator
from domain.workspaces import Permission
from interfaces.api.middleware.database_failures import unavailable_answer
from interfaces.api.problems.answers import problem
from interfaces.api.rate_limits import RequestLimits, with_headers

PROTECTED: Final = "/api/v1"
_ADMINISTERED: Final = ("/api/v1/keys",)
_READS: Final = frozenset({"GET", "HEAD"})
_MISSING: Final = "the request carries no Authorization: Bearer credentials"


def is_protected(path: str) -> bool:
    """Whether ``path`` is under ``/api/v1``, where every request needs a key."""
    return path == PROTECTED or path.startswith(f"{PROTECTED}/")


def permission_for(method: str, path: str) -> Permission:
    """What a request needs of its caller's role."""
    if any(path == prefix or path.startswith(f"{prefix}/") for prefix in _ADMINISTERED):
        return Permission.ADMINISTER
    return Permission.READ if method in _READS else Permission.WRITE


def bearer_credentials(scope: Scope) -> str | None:
    """The credentials of an ``Authorization: Bearer`` header, or ``None``."""
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").strip().partition(" ")
            credentials = credentials.strip()
            return credentials if scheme.lower() == "bearer" and credentials else None
    return None


class Authentication:
    def __init__(
        self,
        app: ASGIApp,
        authenticator: Callable[[], Authenticator],
        limits: RequestLimits | None = None,
    ) -> None:
        self.app = app
        self._authenticator = authenticator
        self._limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not is_protected(path):
            await self.app(scope, receive, send)
            return
        limits = self._limits
        if limits is not None and (held := limits.held(scope)) is not None:
            await limits.refusal(held, None)(scope, receive, send)
            return
        credentials = bearer_credentials(scope)
        try:
            if credentials is None:
                raise Unauthenticated(_MISSING)
            caller: Caller = await self._authenticator().authenticate(credentials)
        except Unauthenticated as refused:
            challenge = 'Bearer realm="taskhex"'
            if credentials is not None:
                challenge += ', error="invalid_token"'
            answer = problem(
                401, str(refused), kind="unauthenticated", headers={"WWW-Authenticate": challenge}
            )
            if limits is not None:
                allowance = await limits.admit(scope, None)
                if not allowance.allowed:
                    answer = limits.refusal(allowance, None)
                else:
                    answer.raw_headers.extend(limits.headers(allowance, None))
            await answer(scope, receive, send)
            return
        except AuthenticationUnavailable as down:
            await problem(
                503,
                "The credentials cannot be checked right now; retry later.",
                kind="authentication-unavailable",
                headers={"Retry-After": str(down.retry_after)},
            )(scope, receive, send)
            return
        except Exception as error:
            unavailable = unavailable_answer(scope, error)
            if unavailable is None:
                raise
            await unavailable(scope, receive, send)
            return
        if limits is not None:
            allowance = await limits.admit(scope, caller)
            if not allowance.allowed:
                await limits.refusal(allowance, caller)(scope, receive, send)
                return
            send = with_headers(send, limits.headers(allowance, caller))
        needed = permission_for(scope["method"], path)
        if not caller.role.allows(needed):
            await problem(
                403,
                f"The role {caller.role.value} may not {needed.value} here.",
                kind="forbidden",
            )(scope, receive, send)
            return
        with acting_as(caller):
            await self.app(scope, receive, send)
