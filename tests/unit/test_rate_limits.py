"""Rate limits without I/O: budgets, windows, headers, and failing open on a storage that fails."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from limits.aio.storage import MemoryStorage

from application.callers import Caller
from application.rate_limits import Allowance, Budget, Budgets
from domain.workspaces import Role
from infrastructure.rate_limits.counters import LimitsRateLimiter
from infrastructure.settings import Settings
from interfaces.api.rate_limits import RequestLimits

BUDGETS = Budgets(Budget(3, 60), Budget(5, 60), Budget(7, 60), Budget(2, 60))


class Clock:
    def __init__(self, now: float = 1_000_040.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class BrokenStorage(MemoryStorage):
    """A storage whose commands fail while it is ``down`` (as a Redis that is down),
    counting the tries."""

    def __init__(self) -> None:
        super().__init__()
        self.tries = 0
        self.down = True

    async def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        self.tries += 1
        if self.down:
            raise ConnectionRefusedError("refused")
        return await super().incr(key, expiry, amount)


class SilentStorage(MemoryStorage):
    async def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        await asyncio.Event().wait()
        raise AssertionError("never answers")


def limiter(storage: MemoryStorage, wall: Clock, steady: Clock | None = None) -> LimitsRateLimiter:
    return LimitsRateLimiter(
        storage, timeout=0.5, retry_seconds=5, wall_clock=wall, monotonic=steady or Clock(0)
    )


def test_each_role_has_its_budget_and_a_request_without_a_key_the_anonymous_one() -> None:
    assert BUDGETS.of(Role.READER).quota == 3
    assert BUDGETS.of(Role.WRITER).quota == 5
    assert BUDGETS.of(Role.ADMIN).quota == 7
    assert BUDGETS.of(None).quota == 2
    with pytest.raises(ValueError, match="at least 1"):
        Budget(0, 60)


def test_the_documented_budgets_are_the_defaults() -> None:
    budgets = Settings(rate_limit_window=30).rate_budgets
    assert [budgets.of(r).quota for r in (Role.READER, Role.WRITER, Role.ADMIN, None)] == [
        600, 1200, 1200, 60
    ]  # fmt: skip
    assert budgets.reader.window_seconds == 30


async def test_a_window_counts_down_to_a_refusal_and_the_next_window_starts_again() -> None:
    wall = Clock(1_000_040.0)  # 20 s into a window of 60 (aligned on the epoch)
    counting = limiter(MemoryStorage(), wall)
    budget = Budget(2, 60)
    first = await counting.hit("key:1", budget)
    assert (first.allowed, first.remaining, first.reset_seconds, first.counted) == (
        True, 1, 40, True
    )  # fmt: skip
    assert (await counting.hit("key:1", budget)).remaining == 0
    over = await counting.hit("key:1", budget)
    assert (over.allowed, over.remaining) == (False, 0)
    assert (await counting.hit("key:2", budget)).allowed  # another key: its own count
    wall.now += 40
    again = await counting.hit("key:1", budget)
    assert (again.allowed, again.remaining, again.reset_seconds) == (True, 1, 60)


async def test_a_storage_that_fails_lets_requests_through_uncounted_and_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    steady = Clock(0)
    broken = BrokenStorage()
    counting = limiter(broken, Clock(), steady)
    budget = Budget(1, 60)
    with caplog.at_level(logging.WARNING, "taskhex.rate_limits"):
        answers = [await counting.hit("key:1", budget) for _ in range(5)]
    assert all(a.allowed and not a.counted for a in answers)
    assert broken.tries == 1  # left alone for REDIS_RETRY_SECONDS, not tried per request
    assert not counting.counting
    [line] = caplog.messages
    assert "not counted" in line
    assert "ConnectionRefusedError" in line
    steady.now += 5
    await counting.hit("key:1", budget)
    assert broken.tries == 2
    assert len(caplog.messages) == 1


async def test_a_storage_that_answers_again_is_counted_again_and_that_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    steady = Clock(0)
    storage = BrokenStorage()
    counting = limiter(storage, Clock(), steady)
    budget = Budget(1, 60)
    await counting.hit("key:1", budget)
    storage.down = False
    steady.now += 5
    caplog.clear()
    with caplog.at_level(logging.WARNING, "taskhex.rate_limits"):
        first = await counting.hit("key:1", budget)
        second = await counting.hit("key:1", budget)
    assert first.counted
    assert first.allowed
    assert not second.allowed
    assert counting.counting
    [line] = caplog.messages
    assert "counted again" in line


async def test_a_storage_that_does_not_answer_costs_its_timeout_once() -> None:
    counting = LimitsRateLimiter(SilentStorage(), timeout=0.01, retry_seconds=60)
    answer = await counting.hit("key:1", Budget(1, 60))
    assert answer.allowed
    assert not answer.counted


def test_the_headers_name_the_policy_and_what_is_left() -> None:
    limits = RequestLimits(lambda: limiter(MemoryStorage(), Clock()), BUDGETS)
    reader = Caller(1, Role.READER, principal="key:9")
    counted = Allowance(Budget(3, 60), True, 2, 17)
    assert limits.headers(counted, reader) == [
        (b"ratelimit-policy", b'"key";q=3;w=60'),
        (b"ratelimit", b'"key";r=2;t=17'),
    ]
    uncounted = Allowance.uncounted(Budget(2, 60))
    assert limits.headers(uncounted, None) == [(b"ratelimit-policy", b'"address";q=2;w=60')]


def test_a_refusal_is_a_429_problem_with_retry_after() -> None:
    limits = RequestLimits(lambda: limiter(MemoryStorage(), Clock()), BUDGETS)
    answer = limits.refusal(Allowance(Budget(3, 60), False, 0, 12), Caller(1, Role.READER))
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "12"
    assert answer.headers["ratelimit"] == '"key";r=0;t=12'
    assert answer.media_type == "application/problem+json"
    body = json.loads(bytes(answer.body))
    assert (body["status"], body["type"]) == (429, "urn:taskhex:problem:rate-limited")


async def test_an_address_over_its_budget_is_held_until_its_window_ends() -> None:
    steady = Clock(100.0)
    counting = limiter(MemoryStorage(), Clock(1_000_040.0))
    limits = RequestLimits(lambda: counting, BUDGETS, monotonic=steady, max_held=1)
    scope = {"client": ("10.0.0.7", 5000)}
    assert limits.held(scope) is None
    for _ in range(2):
        assert (await limits.admit(scope, None)).allowed
    assert limits.held(scope) is None
    assert not (await limits.admit(scope, None)).allowed
    held = limits.held(scope)
    assert held is not None
    assert (held.allowed, held.reset_seconds) == (False, 40)
    assert limits.held({"client": ("10.0.0.8", 5000)}) is None  # another address
    assert limits.held({}) is None  # no client address at all
    steady.now += 40
    assert limits.held(scope) is None


async def test_a_key_spends_its_own_budget_by_its_principal_never_its_address() -> None:
    counting = limiter(MemoryStorage(), Clock())
    limits = RequestLimits(lambda: counting, BUDGETS)
    scope = {"client": ("10.0.0.7", 5000)}
    reader = Caller(1, Role.READER, principal="key:1")
    other = Caller(1, Role.READER, principal="key:2")
    unnamed = Caller(2, Role.WRITER)  # a token without a subject: its workspace and role
    spent = [(await limits.admit(scope, reader)).allowed for _ in range(4)]
    assert spent == [True, True, True, False]
    assert (await limits.admit(scope, other)).remaining == 2
    assert (await limits.admit(scope, unnamed)).remaining == 4
    assert (await limits.admit(scope, None)).remaining == 1


def test_a_token_caller_is_counted_by_a_hash_of_its_subject_never_the_subject() -> None:
    from infrastructure.auth.jwt_tokens import caller_from_claims

    claims = {"taskhex_workspace": 3, "taskhex_role": "writer", "sub": "alice@example.com"}
    caller = caller_from_claims(claims, "taskhex_workspace", "taskhex_role")
    again = caller_from_claims(claims, "taskhex_workspace", "taskhex_role")
    other = caller_from_claims({**claims, "sub": "bob"}, "taskhex_workspace", "taskhex_role")
    assert caller is not None
    assert again is not None
    assert other is not None
    assert caller.principal is not None
    assert caller.principal.startswith("jwt:")
    assert "alice" not in caller.principal
    assert caller.principal == again.principal != other.principal
    unnamed = caller_from_claims(
        {k: v for k, v in claims.items() if k != "sub"}, "taskhex_workspace", "taskhex_role"
    )
    assert unnamed is not None
    assert unnamed.principal is None
