"""Rate limits at the HTTP edge: whose budget a request spends, its headers, the 429.

- A request with a valid key spends its key's budget (by the caller's
  ``principal``, never by the secret), sized by its role; one without (none,
  malformed, unknown, revoked) spends the budget of its client address, the
  401 included, so that guessing keys is as slow as anything else.
- An address whose budget of requests without a valid key is spent is refused
  in this worker, before its credentials are looked at, until its window
  ends: otherwise a guess that happened to be right would get through while
  the wrong ones get 429s, and guessing would be no slower. (Clients behind
  one address share that fate; their valid keys keep their own budgets
  again as soon as the window ends.)
- Every ``/api/v1`` answer carries ``RateLimit-Policy: "<name>";q=<quota>;w=<window>``
  and ``RateLimit: "<name>";r=<remaining>;t=<seconds to reset>``
  (draft-ietf-httpapi-ratelimit-headers-10), the name being ``key`` or
  ``address``; over the budget, a 429 problem+json with ``Retry-After``. While
  the counters cannot be reached, requests are let through uncounted, with
  the policy but no ``RateLimit``.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

from fastapi.responses import Response
from starlette.types import Message, Scope, Send

from application.callers import Caller
from application.ports import RateLimiter
from application.rate_limits import Allowance, Budget, Budgets
from interfaces.api.problems.answers import problem

Headers = list[tuple[bytes, bytes]]

_KEY: Final = "key"
_ADDRESS: Final = "address"


def client_address(scope: Scope) -> str:
    """The address uvicorn reports for the client (behind a trusted proxy, the one it
    forwarded: uvicorn's ``FORWARDED_ALLOW_IPS``)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class RequestLimits:
    def __init__(
        self,
        limiter: Callable[[], RateLimiter],
        budgets: Budgets,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        max_held: int = 10_000,
    ) -> None:
        self._limiter = limiter
        self._budgets = budgets
        self._monotonic = monotonic
        self._max_held = max_held
        self._held: OrderedDict[str, float] = OrderedDict()  # address -> until (monotonic)
        self._policies: dict[tuple[str, Budget], tuple[bytes, bytes]] = {}

    def held(self, scope: Scope) -> Allowance | None:
        """The refusal of an address that has spent its budget without a valid key, while
        its window lasts; ``None`` for every other request (no storage is asked)."""
        if not self._held:
            return None
        address = client_address(scope)
        until = self._held.get(address)
        if until is None:
            return None
        left = until - self._monotonic()
        if left <= 0:
            del self._held[address]
            return None
        return Allowance(self._budgets.anonymous, False, 0, max(1, round(left)))

    async def admit(self, scope: Scope, caller: Caller | None) -> Allowance:
        """Count the request: its caller's budget, or its address's when it has no valid key."""
        budget = self._budgets.of(None if caller is None else caller.role)
        if caller is None:
            address = client_address(scope)
            allowance = await self._limiter().hit(f"address:{address}", budget)
            if not allowance.allowed:
                self._hold(address, allowance.reset_seconds)
            return allowance
        principal = caller.principal or f"workspace:{caller.workspace_id}:{caller.role.value}"
        return await self._limiter().hit(principal, budget)

    def headers(self, allowance: Allowance, caller: Caller | None) -> Headers:
        name = _KEY if caller is not None else _ADDRESS
        budget = allowance.budget
        policy = self._policies.get((name, budget))
        if policy is None:
            value = f'"{name}";q={budget.quota};w={budget.window_seconds}'
            policy = self._policies[(name, budget)] = (b"ratelimit-policy", value.encode())
        if not allowance.counted:
            return [policy]
        state = f'"{name}";r={allowance.remaining};t={allowance.reset_seconds}'
        return [policy, (b"ratelimit", state.encode())]

    def refusal(self, allowance: Allowance, caller: Caller | None) -> Response:
        """The 429 of a request over its budget."""
        whose = "this API key" if caller is not None else "requests without a valid API key"
        budget = allowance.budget
        answer = problem(
            429,
            f"The rate limit of {whose} ({budget.quota} requests per {budget.window_seconds} s) "
            f"is spent; retry in {allowance.reset_seconds} s.",
            kind="rate-limited",
            headers={"Retry-After": str(allowance.reset_seconds)},
        )
        answer.raw_headers.extend(self.headers(allowance, caller))
        return answer

    def _hold(self, address: str, seconds: int) -> None:
        self._held[address] = self._monotonic() + seconds
        self._held.move_to_end(address)
        while len(self._held) > self._max_held:
            self._held.popitem(last=False)


def with_headers(send: Send, headers: Headers) -> Send:
    """``send``, adding ``headers`` to the start of the answer."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", ()), *headers]
        await send(message)

    return sending
