"""The ports: what the application needs from the outside world.

Driven adapters implement these protocols (and subclass them explicitly so that
mypy checks each adapter where it is defined).
"""

from __future__ import annotations

from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self, TypeVar

from application.callers import Caller
from application.idempotency_keys import IdempotencyKey, Reply
from application.key_secrets import IssuedSecret
from application.pagination import CursorCodec, NameSort, Page, PageRequest
from application.queries import TaskFilter, TaskSort
from application.rate_limits import Allowance, Budget
from application.views import (
    KeyView,
    ProjectView,
    TagView,
    TaskStats,
    TaskView,
    UserView,
    WorkspaceView,
)
from domain.keys import ApiKey
from domain.projects import Project
from domain.tasks import Task
from domain.users import User
from domain.workspaces import Workspace

A = TypeVar("A")

__all__ = [
    "Authenticator",
    "Clock",
    "CursorCodec",
    "IdempotencyStore",
    "KeyReader",
    "KeyRepository",
    "KeySecrets",
    "ProjectReader",
    "ProjectRepository",
    "RateLimiter",
    "Repository",
    "TagReader",
    "TaskReader",
    "TaskRepository",
    "UnitOfWork",
    "UserReader",
    "WorkspaceFounding",
    "WorkspaceReader",
    "WorkspaceRepository",
]


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class Authenticator(Protocol):
    """Turns the credentials a request presents into its caller."""

    async def authenticate(self, credentials: str) -> Caller:
        """The caller ``credentials`` (a bearer token) stand for.

        Raises ``Unauthenticated`` when they are malformed, unknown, expired or
        revoked; never says which, and never echoes them.
        """
        ...


class RateLimiter(Protocol):
    """Counts requests against budgets, in counters every worker and instance shares
    (or, in development, one process's own)."""

    async def hit(self, subject: str, budget: Budget) -> Allowance:
        """Count one request of ``subject`` (a key, a client address) against ``budget``.

        Never raises because the counters cannot be reached: the request is then
        let through, uncounted (``Allowance.counted`` false).
        """
        ...


class Repository(Protocol[A]):
    """Aggregates of one kind, for commands. Never commits: the unit of work does."""

    async def add(self, aggregate: A) -> A:
        """Stage a new aggregate and return it with the id the store assigned.

        Raises ``Conflict`` when it breaks a uniqueness rule.
        """
        ...

    async def get(self, identifier: int, *, for_update: bool = False) -> A | None:
        """Load an aggregate; ``for_update`` holds other writers off it until commit."""
        ...

    async def save(self, aggregate: A) -> None:
        """Stage the changes of an aggregate loaded through this repository.

        Raises ``ConcurrentUpdate`` when the stored version is no longer the one
        it was loaded at, ``Conflict`` when it breaks a uniqueness rule.
        """
        ...

    async def save_many(self, aggregates: list[A]) -> None:
        """``save`` for many at once, in a fixed number of statements."""
        ...

    async def delete(self, identifier: int) -> bool:
        """Stage the removal; ``False`` when there was nothing to remove."""
        ...

    async def exists(self, identifier: int) -> bool:
        """Whether it exists; it then cannot be deleted before this unit of work ends."""
        ...

    async def missing(self, identifiers: set[int]) -> set[int]:
        """Those of ``identifiers`` that do not exist (one query); the others, like
        ``exists``, cannot be deleted before this unit of work ends."""
        ...


class TaskRepository(Repository[Task], Protocol):
    async def add(self, aggregate: Task) -> Task:
        """Stage a new task and return it with the id the store assigned.

        Its project and assignee are checked in the same step: ``InvalidReference``
        names each of ``project_id`` and ``assignee_id`` that names no row, and the
        rows it names, as after ``exists``, cannot be deleted before this unit of
        work ends.
        """
        ...

    async def assigned_to(self, user_id: int) -> list[Task]:
        """The tasks assigned to ``user_id``, held off other writers until commit."""
        ...

    async def delete_all_in(self, project_id: int) -> int:
        """Remove every task of ``project_id``; returns how many."""
        ...

    async def get_many(self, task_ids: set[int], *, for_update: bool = False) -> list[Task]:
        """The tasks of ``task_ids`` that exist, in a fixed number of statements."""
        ...

    async def delete_many(self, task_ids: set[int]) -> int:
        """Remove the tasks of ``task_ids`` that exist; returns how many."""
        ...

    async def add_many(self, tasks: list[Task]) -> list[Task]:
        """Stage new tasks in a fixed number of statements, however many there are.

        Returns them in order, with the ids the store assigned. They are not
        tracked for ``save``: ``get`` a task first to change it.
        """
        ...


class ProjectRepository(Repository[Project], Protocol):
    async def owned_by(self, user_id: int) -> list[Project]:
        """The projects of ``user_id``, held off other writers until commit."""
        ...

    async def names_taken(self, owner_id: int | None, names: set[str]) -> set[str]:
        """Those of ``names`` that a project of ``owner_id`` (``None``: no owner) has."""
        ...


class IdempotencyStore(Protocol):
    """Replies to requests that carried an idempotency key, kept with the work they did."""

    async def claim(self, key: IdempotencyKey, now: datetime) -> Reply | None:
        """Reserve ``key`` for this unit of work, or return the reply stored for it.

        While another unit of work holds the same key, waits for it to end (and
        raises ``RequestInFlight`` if that takes too long). Raises
        ``IdempotencyMismatch`` when the key was used for a different request.
        Expired keys are purged first.
        """
        ...

    async def record(self, key: IdempotencyKey, reply: Reply, expires_at: datetime) -> None:
        """Store the reply of a claimed key; it is kept only if the unit of work commits."""
        ...


class KeyRepository(Protocol):
    """The API keys of the caller's workspace, for commands. Never commits."""

    async def add(self, key: ApiKey, key_hash: bytes) -> ApiKey:
        """Stage a new key, stored as ``key_hash`` only; returns it with its id."""
        ...

    async def get(self, key_id: int) -> ApiKey | None: ...

    async def hold(self) -> None:
        """Wait for, then hold off until this unit of work ends, every other unit of work
        that holds the keys of this workspace: what is read of them after ``hold`` stays
        true until commit (two revocations cannot each count the other's key)."""
        ...

    async def admins(self) -> int:
        """How many admin keys the workspace has."""
        ...

    async def delete(self, key_id: int) -> bool:
        """Stage the removal (the key is refused from then on); ``False`` when there was none."""
        ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the block without ``commit`` rolls it back."""

    tasks: TaskRepository
    users: Repository[User]
    projects: ProjectRepository
    idempotency: IdempotencyStore
    keys: KeyRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class TaskReader(Protocol):
    """Read models straight from the store, for queries (no aggregates, no writes)."""

    async def get(self, task_id: int) -> TaskView | None: ...

    async def list(
        self, task_filter: TaskFilter, sort: TaskSort, page: PageRequest
    ) -> Page[TaskView]: ...

    async def stats(self, task_filter: TaskFilter, today: date) -> TaskStats: ...


class UserReader(Protocol):
    async def get(self, user_id: int) -> UserView | None: ...

    async def list(self, sort: NameSort, page: PageRequest) -> Page[UserView]: ...


class ProjectReader(Protocol):
    """Projects with their task counts per status, counted by the store."""

    async def get(self, project_id: int) -> ProjectView | None: ...

    async def list(self, sort: NameSort, page: PageRequest) -> Page[ProjectView]: ...


class TagReader(Protocol):
    async def list(self, page: PageRequest) -> Page[TagView]:
        """Tags in use, by name, with how many tasks carry each; unused tags are left out."""
        ...


class KeyReader(Protocol):
    async def list(self, page: PageRequest) -> Page[KeyView]:
        """The caller's workspace's keys, oldest first (ties by id)."""
        ...


class KeySecrets(Protocol):
    def issue(self) -> IssuedSecret:
        """A new random secret, with its public prefix and the hash the store keeps of it."""
        ...


class WorkspaceRepository(Protocol):
    async def add(self, workspace: Workspace) -> Workspace:
        """Stage a new workspace and return it with its id; ``Conflict`` when its name is
        taken."""
        ...


class WorkspaceFounding(Protocol):
    """One transaction that begins outside every workspace, makes one, then works in it:
    an operator's, who is no caller of any workspace. Leaving the block without
    ``commit`` rolls it back."""

    workspaces: WorkspaceRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def enter(self, workspace_id: int) -> KeyRepository:
        """Go on in ``workspace_id`` (one staged by ``workspaces.add`` included): the rest of
        the transaction runs in it. Returns its keys."""
        ...

    async def commit(self) -> None: ...


class WorkspaceReader(Protocol):
    """Workspaces as an operator sees them, outside every workspace."""

    async def named(self, name: str) -> WorkspaceView | None: ...

    async def list(self) -> list[WorkspaceView]:
        """Every workspace, by name."""
        ...

    async def has_keys(self) -> bool:
        """Whether any workspace has an API key (seen where the store does not hide the
        keys of other workspaces: SQLite, or a store in memory)."""
        ...
