"""API keys: their shape, their hash, and the authenticator that trusts them for a few seconds."""

from __future__ import annotations

import asyncio
import base64
import string
from collections.abc import Mapping
from datetime import datetime, timedelta

import pytest

from application.callers import Caller
from application.errors import Unauthenticated
from domain.workspaces import Role
from infrastructure.auth.api_keys import (
    KEY_LENGTH,
    REFUSED,
    ApiKeyAuthenticator,
    IssuedSecret,
    KeyUse,
    StoredKey,
    hash_key_from,
    hash_of,
    new_secret,
    prefix_of,
)
from infrastructure.memory.keys import InMemoryKeyStore
from infrastructure.settings import Settings
from tests.support.clock import FakeClock

HASH_KEY = b"unit-tests"
URL_SAFE = set(string.ascii_letters + string.digits + "-_")


def test_a_secret_starts_with_thx_and_carries_its_prefix_and_256_random_bits() -> None:
    issued = new_secret(HASH_KEY)

    scheme, prefix, random_part = issued.secret[:4], issued.secret[4:12], issued.secret[13:]
    assert scheme == "thx_"
    assert issued.secret[12] == "_"
    assert prefix == issued.prefix
    assert set(prefix) <= set(string.ascii_lowercase + string.digits)
    assert set(random_part) <= URL_SAFE
    assert len(base64.urlsafe_b64decode(random_part + "=")) * 8 >= 256
    assert len(issued.secret) == KEY_LENGTH


def test_every_secret_and_prefix_is_new() -> None:
    issued = [new_secret(HASH_KEY) for _ in range(200)]

    assert len({i.secret for i in issued}) == 200
    assert len({i.secret[13:] for i in issued}) == 200
    assert len({i.prefix for i in issued}) > 190


def test_the_hash_is_an_hmac_of_the_whole_secret_under_the_hash_key() -> None:
    issued = new_secret(HASH_KEY)

    assert issued.key_hash == hash_of(issued.secret, HASH_KEY)
    assert len(issued.key_hash) == 32
    assert hash_of(issued.secret, b"another key") != issued.key_hash
    changed_prefix = "thx_" + ("a" if issued.prefix[0] != "a" else "b") + issued.secret[5:]
    assert hash_of(changed_prefix, HASH_KEY) != issued.key_hash


def test_an_issued_secret_shows_neither_the_secret_nor_its_hash_in_its_repr() -> None:
    issued = new_secret(HASH_KEY)

    shown = repr(issued)
    assert issued.prefix in shown
    assert issued.secret not in shown
    assert issued.secret[13:] not in shown
    assert issued.key_hash.hex() not in shown
    assert repr(issued.key_hash) not in shown


def test_a_well_formed_key_is_recognised_by_its_prefix() -> None:
    issued = new_secret(HASH_KEY)

    assert prefix_of(issued.secret) == issued.prefix


def _malformed() -> list[pytest.ParameterSet]:
    key = new_secret(HASH_KEY).secret
    cases = [
        "",
        "thx_",
        key[:-1],
        key + "A",
        "thy_" + key[4:],
        "THX_" + key[4:],
        key[:12] + "-" + key[13:],
        key[:4] + "ABCDEFGH" + key[12:],
        key[:-1] + "=",
        key[:-1] + "\n",
        key[:-1] + " ",
        key[:-1] + "é",
        key[:-1] + "٣",  # a digit, but not an ASCII one
        " " + key[:-1],
        "Bearer " + key,
        key * 1000,
        "x" * 1_000_000,
    ]
    # Ids by position, not the random key: every pytest-xdist worker must collect the same ids.
    return [pytest.param(case, id=f"malformed-{n}") for n, case in enumerate(cases)]


@pytest.mark.parametrize("credentials", _malformed())
def test_anything_not_shaped_like_a_key_has_no_prefix(credentials: str) -> None:
    assert prefix_of(credentials) is None


def test_the_hash_key_is_the_setting_or_a_fixed_label_when_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KEY_HASH_SECRET", raising=False)
    configured = hash_key_from(Settings(key_hash_secret="s3cret"))
    unset = hash_key_from(Settings(database_url="sqlite:///a.db"))
    moved = hash_key_from(Settings(database_url="sqlite:///b.db"))

    assert configured == b"s3cret"
    assert unset == moved
    assert unset != configured


class CountingKeyStore(InMemoryKeyStore):
    """Counts the round trips; ``gate``, when set, holds every lookup until it opens."""

    def __init__(self) -> None:
        super().__init__()
        self.finds = 0
        self.touches: list[dict[int, datetime]] = []
        self.gate: asyncio.Event | None = None
        self.failing_touches = 0

    async def find(self, key_hash: bytes) -> StoredKey | None:
        self.finds += 1
        if self.gate is not None:
            await self.gate.wait()
        return await super().find(key_hash)

    async def touch(self, last_used: Mapping[KeyUse, datetime]) -> None:
        self.touches.append({key.key_id: used for key, used in last_used.items()})
        if self.failing_touches:
            self.failing_touches -= 1
            raise ConnectionError("the database went away")
        await super().touch(last_used)


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def keys() -> CountingKeyStore:
    return CountingKeyStore()


@pytest.fixture
def monotonic() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
def authenticator(
    keys: CountingKeyStore, clock: FakeClock, monotonic: FakeMonotonic
) -> ApiKeyAuthenticator:
    return ApiKeyAuthenticator(keys, HASH_KEY, clock, monotonic=monotonic)


def issue(keys: InMemoryKeyStore, workspace_id: int = 7, role: Role = Role.WRITER) -> IssuedSecret:
    issued = new_secret(HASH_KEY)
    keys.add(issued, workspace_id, role)
    return issued


async def until_looked_up(keys: CountingKeyStore, finds: int = 1) -> None:
    """Let the other tasks run until the store has been asked ``finds`` times (no sleeping)."""
    for _ in range(20):
        if keys.finds >= finds:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"{keys.finds} lookups, expected {finds}")


async def refusal(authenticator: ApiKeyAuthenticator, credentials: str) -> Unauthenticated:
    with pytest.raises(Unauthenticated) as refused:
        await authenticator.authenticate(credentials)
    return refused.value


async def test_a_valid_key_authenticates_to_its_workspace_and_role(
    keys: CountingKeyStore, authenticator: ApiKeyAuthenticator
) -> None:
    reader = issue(keys, workspace_id=3, role=Role.READER)
    admin = issue(keys, workspace_id=9, role=Role.ADMIN)

    assert await authenticator.authenticate(reader.secret) == Caller(3, Role.READER)
    assert await authenticator.authenticate(admin.secret) == Caller(9, Role.ADMIN)


async def test_malformed_unknown_and_revoked_keys_are_refused_alike_and_never_quoted(
    keys: CountingKeyStore, authenticator: ApiKeyAuthenticator
) -> None:
    revoked = new_secret(HASH_KEY)
    keys.revoke(keys.add(revoked, 7, Role.WRITER).id)
    unknown = new_secret(HASH_KEY)
    malformed = unknown.secret[:-1] + "!"

    refusals = [await refusal(authenticator, key) for key in (malformed, unknown.secret)]
    refusals.append(await refusal(authenticator, revoked.secret))

    assert {str(refused) for refused in refusals} == {REFUSED}
    for refused, key in zip(refusals, (malformed, unknown.secret, revoked.secret), strict=True):
        shown = f"{refused} {refused!r} {refused.args}"
        assert key[13:] not in shown
        assert key[4:12] not in shown
        assert refused.__cause__ is None
        assert refused.__context__ is None


async def test_a_key_with_another_workspaces_hash_key_is_refused(
    keys: CountingKeyStore, authenticator: ApiKeyAuthenticator
) -> None:
    elsewhere = new_secret(b"another deployment")
    keys.add(elsewhere, 7, Role.ADMIN)

    await refusal(authenticator, elsewhere.secret)


async def test_a_key_the_store_returns_for_another_hash_is_refused(
    keys: CountingKeyStore, authenticator: ApiKeyAuthenticator
) -> None:
    other = keys.add(new_secret(HASH_KEY), 7, Role.ADMIN)

    async def careless(key_hash: bytes) -> StoredKey | None:
        return other

    keys.find = careless  # type: ignore[method-assign]

    await refusal(authenticator, new_secret(HASH_KEY).secret)


@pytest.mark.parametrize("credentials", _malformed())
async def test_a_malformed_key_never_reaches_the_store(
    keys: CountingKeyStore, authenticator: ApiKeyAuthenticator, credentials: str
) -> None:
    assert str(await refusal(authenticator, credentials)) == REFUSED
    assert keys.finds == 0


async def test_a_key_seen_within_trust_seconds_is_trusted_without_a_lookup(
    keys: CountingKeyStore, authenticator: ApiKeyAuthenticator, monotonic: FakeMonotonic
) -> None:
    issued = issue(keys)

    await authenticator.authenticate(issued.secret)
    monotonic.now += 3.9
    for _ in range(5):
        await authenticator.authenticate(issued.secret)

    assert keys.finds == 1


async def test_a_key_is_looked_up_again_once_its_trust_has_run_out(
    keys: CountingKeyStore, authenticator: ApiKeyAuthenticator, monotonic: FakeMonotonic
) -> None:
    issued = issue(keys)

    await authenticator.authenticate(issued.secret)
    monotonic.now += 4
    await authenticator.authenticate(issued.secret)

    assert keys.finds == 2


async def test_a_revoked_key_is_refused_trust_seconds_after_it_was_looked_up_however_often_used(
    keys: CountingKeyStore, authenticator: ApiKeyAuthenticator, monotonic: FakeMonotonic
) -> None:
    issued = new_secret(HASH_KEY)
    key = keys.add(issued, 7, Role.WRITER)
    await authenticator.authenticate(issued.secret)
    keys.revoke(key.id)

    for _ in range(3):
        monotonic.now += 1
        await authenticator.authenticate(issued.secret)  # still within the window
    monotonic.now += 1

    await refusal(authenticator, issued.secret)


async def test_the_trust_of_a_key_counts_from_the_start_of_its_lookup(
    keys: CountingKeyStore, authenticator: ApiKeyAuthenticator, monotonic: FakeMonotonic
) -> None:
    issued = issue(keys)
    keys.gate = asyncio.Event()
    slow = asyncio.create_task(authenticator.authenticate(issued.secret))
    await until_looked_up(keys)
    monotonic.now += 3
    keys.gate.set()
    await slow
    keys.gate = None

    monotonic.now += 1
    await authenticator.authenticate(issued.secret)

    assert keys.finds == 2


async def test_trust_seconds_is_configurable(
    keys: CountingKeyStore, clock: FakeClock, monotonic: FakeMonotonic
) -> None:
    authenticator = ApiKeyAuthenticator(
        keys, HASH_KEY, clock, trust_seconds=0.5, monotonic=monotonic
    )
    issued = issue(keys)

    await authenticator.authenticate(issued.secret)
    monotonic.now += 0.4
    await authenticator.authenticate(issued.secret)
    monotonic.now += 0.1
    await authenticator.authenticate(issued.secret)

    assert keys.finds == 2


async def test_a_new_key_works_at_once_on_a_worker_that_has_refused_others(
    keys: CountingKeyStore, authenticator: ApiKeyAuthenticator
) -> None:
    for _ in range(3):
        await refusal(authenticator, new_secret(HASH_KEY).secret)
    await authenticator.authenticate(issue(keys).secret)

    created = issue(keys, workspace_id=11, role=Role.ADMIN)

    assert await authenticator.authenticate(created.secret) == Caller(11, Role.ADMIN)


async def test_an_unknown_key_is_remembered_for_refuse_seconds_only(
    keys: CountingKeyStore, authenticator: ApiKeyAuthenticator, monotonic: FakeMonotonic
) -> None:
    unknown = new_secret(HASH_KEY)

    await refusal(authenticator, unknown.secret)
    monotonic.now += 0.9
    await refusal(authenticator, unknown.secret)
    assert keys.finds == 1

    monotonic.now += 0.1
    keys.add(unknown, 7, Role.READER)  # not possible for a real key; shows the bound

    assert await authenticator.authenticate(unknown.secret) == Caller(7, Role.READER)
    assert keys.finds == 2


async def test_concurrent_requests_with_one_uncached_key_make_one_lookup(
    keys: CountingKeyStore, authenticator: ApiKeyAuthenticator
) -> None:
    issued = issue(keys, workspace_id=5)
    keys.gate = asyncio.Event()

    requests = [asyncio.create_task(authenticator.authenticate(issued.secret)) for _ in range(20)]
    await until_looked_up(keys)
    for _ in range(5):
        await asyncio.sleep(0)  # every request has had its turn
    assert keys.finds == 1
    keys.gate.set()

    assert set(await asyncio.gather(*requests)) == {Caller(5, Role.WRITER)}
    assert keys.finds == 1


async def test_a_cancelled_request_cancels_neither_the_lookup_nor_those_waiting_for_it(
    keys: CountingKeyStore, authenticator: ApiKeyAuthenticator
) -> None:
    issued = issue(keys)
    keys.gate = asyncio.Event()
    first, second = (
        asyncio.create_task(authenticator.authenticate(issued.secret)) for _ in range(2)
    )
    await until_looked_up(keys)

    first.cancel()
    await asyncio.sleep(0)
    keys.gate.set()

    assert await second == Caller(7, Role.WRITER)
    assert first.cancelled()
    await authenticator.authenticate(issued.secret)
    assert keys.finds == 1


async def test_a_failed_lookup_is_not_remembered(
    keys: CountingKeyStore, authenticator: ApiKeyAuthenticator
) -> None:
    issued = issue(keys)

    class Broken(Exception):
        pass

    async def failing(key_hash: bytes) -> StoredKey | None:
        raise Broken

    keys.find = failing  # type: ignore[method-assign]
    with pytest.raises(Broken):
        await authenticator.authenticate(issued.secret)
    del keys.find

    assert await authenticator.authenticate(issued.secret) == Caller(7, Role.WRITER)


async def test_trusted_keys_are_bounded_and_the_least_recently_used_is_forgotten(
    keys: CountingKeyStore, clock: FakeClock, monotonic: FakeMonotonic
) -> None:
    authenticator = ApiKeyAuthenticator(keys, HASH_KEY, clock, max_keys=3, monotonic=monotonic)
    first, *others = (issue(keys) for _ in range(4))

    await authenticator.authenticate(first.secret)
    for issued in others[:2]:
        await authenticator.authenticate(issued.secret)
    await authenticator.authenticate(first.secret)  # used again: now the most recent
    await authenticator.authenticate(others[2].secret)  # pushes out others[0]
    assert keys.finds == 4

    await authenticator.authenticate(first.secret)
    await authenticator.authenticate(others[2].secret)
    assert keys.finds == 4
    await authenticator.authenticate(others[0].secret)
    assert keys.finds == 5


async def test_a_flood_of_made_up_keys_stays_bounded_and_pushes_out_no_trusted_key(
    keys: CountingKeyStore, clock: FakeClock, monotonic: FakeMonotonic
) -> None:
    authenticator = ApiKeyAuthenticator(
        keys, HASH_KEY, clock, max_keys=2, max_refused=10, monotonic=monotonic
    )
    trusted = issue(keys)
    await authenticator.authenticate(trusted.secret)
    made_up = [new_secret(HASH_KEY).secret for _ in range(100)]

    for key in made_up:
        await refusal(authenticator, key)
    finds = keys.finds
    await authenticator.authenticate(trusted.secret)
    for key in made_up[-10:]:
        await refusal(authenticator, key)
    assert keys.finds == finds

    await refusal(authenticator, made_up[0])
    assert keys.finds == finds + 1


@pytest.mark.parametrize(
    ("limit", "value"),
    [("trust_seconds", -1), ("refuse_seconds", -1), ("max_keys", 0), ("max_refused", 0)],
)
def test_nonsensical_limits_are_refused(
    keys: CountingKeyStore, clock: FakeClock, limit: str, value: int
) -> None:
    with pytest.raises(ValueError, match=limit):
        ApiKeyAuthenticator(keys, HASH_KEY, clock, **{limit: value})  # type: ignore[arg-type]


async def test_flush_writes_the_last_use_of_each_key_in_one_touch(
    keys: CountingKeyStore, authenticator: ApiKeyAuthenticator, clock: FakeClock
) -> None:
    one, two = new_secret(HASH_KEY), new_secret(HASH_KEY)
    one_id, two_id = keys.add(one, 7, Role.READER).id, keys.add(two, 8, Role.ADMIN).id
    await authenticator.authenticate(one.secret)
    clock.advance(seconds=1)
    await authenticator.authenticate(two.secret)
    two_used = clock.now()
    clock.advance(seconds=1)
    await authenticator.authenticate(one.secret)

    await authenticator.flush()

    assert keys.touches == [{one_id: clock.now(), two_id: two_used}]
    assert keys.last_used == keys.touches[0]


async def test_flush_writes_nothing_when_no_key_was_used_since_the_last_one(
    keys: CountingKeyStore, authenticator: ApiKeyAuthenticator
) -> None:
    await authenticator.flush()
    await authenticator.authenticate(issue(keys).secret)
    await authenticator.flush()
    await authenticator.flush()

    assert len(keys.touches) == 1


async def test_refused_keys_note_no_use(
    keys: CountingKeyStore, authenticator: ApiKeyAuthenticator
) -> None:
    await refusal(authenticator, new_secret(HASH_KEY).secret)
    await refusal(authenticator, "thx_nonsense")
    await authenticator.flush()

    assert keys.touches == []


async def test_a_keys_noted_use_only_moves_forward(
    keys: CountingKeyStore, authenticator: ApiKeyAuthenticator, clock: FakeClock
) -> None:
    issued = new_secret(HASH_KEY)
    key = keys.add(issued, 7, Role.WRITER)
    await authenticator.authenticate(issued.secret)
    latest = clock.now()
    clock.advance(seconds=-30)
    await authenticator.authenticate(issued.secret)

    await authenticator.flush()

    assert keys.touches == [{key.id: latest}]


async def test_uses_whose_write_failed_are_written_by_the_next_flush(
    keys: CountingKeyStore, authenticator: ApiKeyAuthenticator, clock: FakeClock
) -> None:
    one, two = new_secret(HASH_KEY), new_secret(HASH_KEY)
    one_id, two_id = keys.add(one, 7, Role.WRITER).id, keys.add(two, 7, Role.WRITER).id
    await authenticator.authenticate(one.secret)
    first_use = clock.now()
    keys.failing_touches = 1
    with pytest.raises(ConnectionError):
        await authenticator.flush()

    clock.advance(seconds=5)
    await authenticator.authenticate(two.secret)
    await authenticator.flush()

    assert len(keys.touches) == 2
    assert keys.touches[-1] == {one_id: first_use, two_id: clock.now()}
    assert keys.last_used == keys.touches[-1]


async def test_the_store_keeps_the_later_of_two_uses_and_ignores_revoked_keys() -> None:
    keys = InMemoryKeyStore()
    kept = keys.add(new_secret(HASH_KEY), 1, Role.READER)
    gone = keys.add(new_secret(HASH_KEY), 1, Role.READER)
    keys.revoke(gone.id)
    later = FakeClock().now()
    earlier = later.replace(year=later.year - 1)

    await keys.touch({KeyUse(1, kept.id): later, KeyUse(1, gone.id): later})
    await keys.touch({KeyUse(1, kept.id): earlier})
    # The key's id in another workspace is not the key.
    await keys.touch({KeyUse(2, kept.id): later + timedelta(days=1)})

    assert keys.last_used == {kept.id: later}
    assert keys.revoke(gone.id) is False


def test_a_stored_key_does_not_show_its_hash() -> None:
    issued = new_secret(HASH_KEY)
    stored = InMemoryKeyStore().add(issued, 1, Role.ADMIN)

    assert issued.key_hash.hex() not in repr(stored)
    assert repr(issued.key_hash) not in repr(stored)
