"""Reading every task, batch by batch, however many there are (``taskhex export``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Final, Protocol

from application.errors import InvalidQuery
from application.queries import TaskFilter
from application.views import TaskView

BATCH_MAX: Final = 10_000


class TaskStream(Protocol):
    """Every matching task exactly once, for exports (a read port: no aggregates, no writes).

    It lives here rather than in ``application.ports`` while only the export
    uses it.
    """

    def batches(self, task_filter: TaskFilter, size: int) -> AsyncIterator[list[TaskView]]:
        """Matching tasks in id order, ``size`` at a time, until there are no more.

        Each batch resumes after the last id of the previous one (keyset), in a
        fixed number of statements, so its cost does not grow with its depth.
        No task is visited twice; tasks added while the stream runs (higher
        ids) are included until it ends.
        """
        ...


@dataclass(frozen=True)
class ExportTasks:
    filter: TaskFilter = field(default_factory=TaskFilter)
    batch_size: int = 1000

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= BATCH_MAX:
            raise InvalidQuery("batch_size", f"must be between 1 and {BATCH_MAX}", "limit_range")


class ExportTasksHandler:
    def __init__(self, stream: TaskStream) -> None:
        self._stream = stream

    def __call__(self, query: ExportTasks) -> AsyncIterator[list[TaskView]]:
        return self._stream.batches(query.filter, query.batch_size)
