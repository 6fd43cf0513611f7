"""The SQL idempotency store: replay, expiry and purge, and the wait for a request in flight."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from application.errors import IdempotencyMismatch, RequestInFlight
from application.idempotency_keys import KEEP_FOR, IdempotencyKey, Reply
from infrastructure.persistence import idempotency
from interfaces.container import Container
from tests.support.databases import operator

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
KEY = IdempotencyKey("POST /x", "key", "fingerprint")
REPLY = Reply(201, b'{"id": 1}', (("location", "/x/1"),))


async def claim_and_record(container: Container, key: IdempotencyKey, now: datetime) -> None:
    async with container.unit_of_work() as uow:
        assert await uow.idempotency.claim(key, now) is None
        await uow.idempotency.record(key, REPLY, now + KEEP_FOR)
        await uow.commit()


async def stored_keys(container: Container) -> list[str]:
    async with operator(container.engine()) as connection:
        return list((await connection.execute(text("SELECT key FROM idempotency_key"))).scalars())


async def test_a_recorded_reply_is_returned_to_the_next_claim(container: Container) -> None:
    await claim_and_record(container, KEY, NOW)
    async with container.unit_of_work() as uow:
        assert await uow.idempotency.claim(KEY, NOW + timedelta(hours=23)) == REPLY
        with pytest.raises(IdempotencyMismatch):
            await uow.idempotency.claim(IdempotencyKey("POST /x", "key", "other"), NOW)


async def test_a_claim_that_is_not_committed_leaves_no_key(container: Container) -> None:
    async with container.unit_of_work() as uow:
        assert await uow.idempotency.claim(KEY, NOW) is None
    assert await stored_keys(container) == []


async def test_expired_keys_are_purged_and_can_be_used_again(container: Container) -> None:
    await claim_and_record(container, KEY, NOW)
    await claim_and_record(container, IdempotencyKey("POST /x", "other", "f"), NOW)
    later = NOW + KEEP_FOR + timedelta(seconds=1)
    await claim_and_record(container, IdempotencyKey("POST /x", "fresh", "f"), later)
    assert await stored_keys(container) == ["fresh"]
    await claim_and_record(container, KEY, later)


@pytest.mark.postgres
async def test_a_second_claim_waits_for_the_first_and_gives_up_if_it_lasts(
    container: Container, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time; its wait is busy_timeout")
    monkeypatch.setattr(idempotency, "WAIT_FOR_FIRST_REQUEST", "200ms")
    async with container.unit_of_work() as first:
        assert await first.idempotency.claim(KEY, NOW) is None
        with pytest.raises(RequestInFlight):
            async with container.unit_of_work() as second:
                await second.idempotency.claim(KEY, NOW)
