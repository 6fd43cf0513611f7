"""Key uses are written in the background while the app runs, and once more when it stops."""

import asyncio
import logging

import pytest

from application.callers import Caller
from interfaces.api.key_uses import key_uses_recorded


class Noting:
    def __init__(self, failures: int = 0) -> None:
        self.flushes = 0
        self.failures = failures
        self.thrice = asyncio.Event()

    async def authenticate(self, credentials: str) -> Caller:
        raise NotImplementedError

    async def flush(self) -> None:
        self.flushes += 1
        if self.flushes >= 3:
            self.thrice.set()
        if self.failures:
            self.failures -= 1
            raise ConnectionError("the database went away")


async def test_uses_are_flushed_every_interval_and_at_the_end_and_a_failure_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    authenticator = Noting(failures=1)
    with caplog.at_level(logging.WARNING, logger="taskhex.api.keys"):
        async with key_uses_recorded(authenticator, every=0.01):
            await asyncio.wait_for(authenticator.thrice.wait(), timeout=5)
            before_stopping = authenticator.flushes
    # The failed first flush was logged and did not stop the ones after it.
    assert any("ConnectionError" in r.getMessage() for r in caplog.records)
    assert authenticator.flushes == before_stopping + 1


async def test_the_last_flush_happens_when_the_app_stops() -> None:
    authenticator = Noting()
    async with key_uses_recorded(authenticator, every=3600):
        assert authenticator.flushes == 0
    assert authenticator.flushes == 1


async def test_an_authenticator_that_notes_nothing_is_left_alone() -> None:
    class Silent:
        async def authenticate(self, credentials: str) -> Caller:
            raise NotImplementedError

    async with key_uses_recorded(Silent(), every=0.01):
        await asyncio.sleep(0)
