"""The app as each worker builds it: the collector told to leave the program alone."""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator

import pytest
import structlog

from interfaces.api import asgi


@pytest.fixture
def restored(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite:///:memory:")
    root = logging.getLogger()
    handlers, level, thresholds = list(root.handlers), root.level, gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


@pytest.mark.usefixtures("restored")
def test_a_worker_freezes_what_it_built_and_collects_less_often() -> None:
    gc.set_threshold(700, 10, 10)
    gc.unfreeze()
    asgi.create_app()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == asgi.GC_THRESHOLDS
