"""Idempotency keys: a request repeated with the same key takes effect once."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest

from application.errors import IdempotencyMismatch
from application.idempotency_keys import KEEP_FOR, IdempotencyKey, Reply
from application.ports import UnitOfWork
from application.run_once import RunOnceHandler
from application.tasks.create_task import CreateTask, CreateTaskHandler
from application.views import TaskView
from infrastructure.memory.store import InMemoryStore
from infrastructure.memory.unit_of_work import InMemoryUnitOfWork
from tests.support.clock import FakeClock


def no_unit_of_work() -> UnitOfWork:
    raise AssertionError("the work runs in the unit of work it is given")


class Creating:
    """Work that creates one task in the unit of work it is given, counting its runs."""

    def __init__(self, clock: FakeClock, title: str = "x") -> None:
        self._handler = CreateTaskHandler(no_unit_of_work, clock)
        self.title = title
        self.runs = 0

    async def __call__(self, uow: UnitOfWork) -> TaskView:
        self.runs += 1
        return await self._handler.within(uow, CreateTask(title=self.title))


def created(view: TaskView) -> Reply:
    return Reply(201, json.dumps({"id": view.id}).encode(), (("location", f"/t/{view.id}"),))


def key(name: str = "k-1", fingerprint: str = "f-1", scope: str = "POST /tasks") -> IdempotencyKey:
    return IdempotencyKey(scope=scope, key=name, fingerprint=fingerprint)


@pytest.fixture
def run_once(store: InMemoryStore, clock: FakeClock) -> RunOnceHandler:
    return RunOnceHandler(lambda: InMemoryUnitOfWork(store), clock)


async def test_the_first_request_does_the_work_and_keeps_its_reply_for_a_day(
    run_once: RunOnceHandler, store: InMemoryStore, clock: FakeClock
) -> None:
    work = Creating(clock)
    reply = await run_once(key(), work, created)
    assert reply == Reply(201, b'{"id": 1}', (("location", "/t/1"),))
    assert (work.runs, [t.title for t in store.tasks.values()]) == (1, ["x"])
    assert store.replies == {("POST /tasks", "k-1"): ("f-1", reply, clock.now() + KEEP_FOR)}
    assert timedelta(hours=24) == KEEP_FOR


async def test_a_replay_answers_the_stored_reply_without_doing_the_work_again(
    run_once: RunOnceHandler, store: InMemoryStore, clock: FakeClock
) -> None:
    work = Creating(clock)
    first = await run_once(key(), work, created)
    clock.advance(hours=1)
    again = await run_once(key(), work, created)
    assert again == first
    assert (work.runs, len(store.tasks)) == (1, 1)


async def test_the_same_key_for_another_request_is_refused_and_does_nothing(
    run_once: RunOnceHandler, store: InMemoryStore, clock: FakeClock
) -> None:
    work = Creating(clock)
    first = await run_once(key(), work, created)
    with pytest.raises(IdempotencyMismatch):
        await run_once(key(fingerprint="f-2"), work, created)
    assert (work.runs, len(store.tasks)) == (1, 1)
    assert store.replies[("POST /tasks", "k-1")][1] == first


async def test_a_key_is_scoped_to_its_operation(
    run_once: RunOnceHandler, store: InMemoryStore, clock: FakeClock
) -> None:
    work = Creating(clock)
    first = await run_once(key(), work, created)
    other = await run_once(key(scope="POST /tasks/bulk"), work, created)
    assert first != other
    assert (work.runs, len(store.tasks), len(store.replies)) == (2, 2, 2)


async def test_a_key_is_forgotten_once_its_day_is_over(
    run_once: RunOnceHandler, store: InMemoryStore, clock: FakeClock
) -> None:
    work = Creating(clock)
    first = await run_once(key(), work, created)
    clock.advance(hours=24)
    assert await run_once(key(), work, created) == first
    clock.advance(microseconds=1)
    later = await run_once(key(fingerprint="f-2"), work, created)
    assert later != first
    assert (work.runs, len(store.tasks)) == (2, 2)
    assert store.replies[("POST /tasks", "k-1")] == ("f-2", later, clock.now() + KEEP_FOR)


async def test_work_that_fails_leaves_neither_its_effects_nor_the_key(
    run_once: RunOnceHandler, store: InMemoryStore, clock: FakeClock
) -> None:
    async def failing(uow: UnitOfWork) -> TaskView:
        await Creating(clock)(uow)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await run_once(key(), failing, created)
    assert (store.tasks, store.replies) == ({}, {})
    work = Creating(clock, title="retried")
    reply = await run_once(key(), work, created)
    assert work.runs == 1
    assert [t.title for t in store.tasks.values()] == ["retried"]
    assert store.replies[("POST /tasks", "k-1")][1] == reply


def test_a_fingerprint_ignores_key_order_at_every_depth() -> None:
    one = {"title": "x", "tags": ["a", "b"], "meta": {"b": 1, "a": None}}
    other = {"meta": {"a": None, "b": 1}, "tags": ["a", "b"], "title": "x"}
    assert IdempotencyKey.fingerprint_of(one) == IdempotencyKey.fingerprint_of(other)


@pytest.mark.parametrize(
    "other",
    [
        {"title": "y"},
        {"title": "x", "tags": []},
        {"title": "X"},
        ["title", "x"],
    ],
)
def test_a_fingerprint_tells_different_documents_apart(other: object) -> None:
    assert IdempotencyKey.fingerprint_of({"title": "x"}) != IdempotencyKey.fingerprint_of(other)


def test_a_fingerprint_is_the_sha256_of_compact_sorted_utf8_json() -> None:
    # Stored beside the key for a day, it must not change between processes or releases.
    canonical = '{"a":[1,"é"],"b":{"c":true}}'
    expected = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert IdempotencyKey.fingerprint_of({"b": {"c": True}, "a": [1, "é"]}) == expected
