"""An in-memory unit of work that records how its repositories were read.

The in-memory repositories have no locks and no queries to count; this one notes
each read (which repository, which method, whether it asked to hold the rows off
other writers) so that unit tests can check what a use case asks of its store.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Self

from infrastructure.memory.unit_of_work import InMemoryUnitOfWork

_RECORDED = ("get", "get_many", "missing", "exists")


@dataclass(frozen=True)
class Read:
    repository: str
    method: str
    argument: object
    for_update: bool | None = None
    """``None`` for the reads that take no ``for_update``."""


class RecordingUnitOfWork(InMemoryUnitOfWork):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reads: list[Read] = []

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        for name in ("tasks", "users", "projects"):
            repository = getattr(self, name)
            for method in _RECORDED:
                if hasattr(repository, method):
                    read = getattr(repository, method)
                    setattr(repository, method, self._recording(name, method, read))
        return self

    def _recording(
        self, repository: str, method: str, read: Callable[..., Awaitable[Any]]
    ) -> Callable[..., Awaitable[Any]]:
        async def recorded(argument: object, **options: Any) -> Any:
            if "for_update" in options:
                self.reads.append(Read(repository, method, argument, options["for_update"]))
            elif method in ("get", "get_many"):
                self.reads.append(Read(repository, method, argument, False))
            else:
                self.reads.append(Read(repository, method, argument))
            return await read(argument, **options)

        return recorded

    def reads_of(self, repository: str, method: str) -> list[Read]:
        return [r for r in self.reads if (r.repository, r.method) == (repository, method)]
