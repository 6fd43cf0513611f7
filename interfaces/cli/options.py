"""Options shared by several commands, declared once.

Typer reads options from each command's signature, so a command lists the
ones it takes; their meaning, names and checks live here.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Final, TypeVar

import typer

from application.pagination import LIMIT_DEFAULT, LIMIT_MAX
from application.queries import TaskFilter
from domain.values import Priority, Status

MAX_ID: Final = 2**63 - 1
DATE_FORMATS: Final = ["%Y-%m-%d"]
DEFAULT_WORKSPACE: Final = "default"
WORKSPACE_OPTION: Final = "workspace"
"""The parameter through which a data command names its workspace (``runtime.run`` reads it)."""

R = TypeVar("R")

Workspace = Annotated[
    str,
    typer.Option(
        "--workspace",
        envvar="TASKHEX_WORKSPACE",
        help="The workspace to act in, by name (taskhex workspaces list).",
    ),
]
TaskId = Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The task's id.")]
Json = Annotated[
    bool, typer.Option("--json", help="Print JSON (the API's shapes) instead of a table.")
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]

Statuses = Annotated[
    list[Status] | None, typer.Option("--status", help="Repeatable; any of them matches.")
]
Priorities = Annotated[
    list[Priority] | None, typer.Option("--priority", help="Repeatable; any of them matches.")
]
ProjectId = Annotated[
    int | None, typer.Option("--project-id", min=1, max=MAX_ID, help="Tasks of this project.")
]
AssigneeId = Annotated[
    int | None, typer.Option("--assignee-id", min=1, max=MAX_ID, help="Tasks of this user.")
]
Tag = Annotated[str | None, typer.Option("--tag", help="Tasks carrying this tag.")]
Search = Annotated[
    str | None,
    typer.Option("--q", "--search", help="Case-insensitive substring of title or description."),
]
DueBefore = Annotated[
    datetime | None,
    typer.Option("--due-before", formats=DATE_FORMATS, help="Due on or before (YYYY-MM-DD)."),
]
DueAfter = Annotated[
    datetime | None,
    typer.Option("--due-after", formats=DATE_FORMATS, help="Due on or after (YYYY-MM-DD)."),
]
Sort = Annotated[
    str,
    typer.Option(
        help="created_at, updated_at, due_date, priority or title; a leading '-' for descending."
    ),
]
Limit = Annotated[int, typer.Option(min=1, max=LIMIT_MAX, help="Tasks per page.")]
Offset = Annotated[int | None, typer.Option(min=0, max=MAX_ID, help="Tasks to skip.")]
Cursor = Annotated[
    str | None,
    typer.Option(
        help="Go on from a page's next cursor (same sort and filters; not with --offset)."
    ),
]
BatchSize = Annotated[
    int, typer.Option("--batch-size", min=1, max=5000, help="Tasks per batch (one transaction).")
]

DEFAULT_LIMIT: Final = LIMIT_DEFAULT


def as_date(value: datetime | None) -> date | None:
    return None if value is None else value.date()


_FILTERS: Final = {
    "status": Statuses,
    "priority": Priorities,
    "project_id": ProjectId,
    "assignee_id": AssigneeId,
    "tag": Tag,
    "q": Search,
    "due_before": DueBefore,
    "due_after": DueAfter,
}


def filtered(command: Callable[..., R]) -> Callable[..., R]:
    """``command`` with the API's task filters as options, handed to it as ``task_filter``.

    Typer reads a command's options from its signature: this one is the
    command's own, its ``task_filter`` parameter replaced by the filters'.
    """
    own = inspect.signature(command, eval_str=True).parameters
    keyword = inspect.Parameter.KEYWORD_ONLY
    options = [
        *(p for name, p in own.items() if name != "task_filter"),
        *(inspect.Parameter(n, keyword, default=None, annotation=a) for n, a in _FILTERS.items()),
    ]

    @functools.wraps(command)
    def with_filters(*args: Any, **kwargs: Any) -> R:
        chosen = {name: kwargs.pop(name) for name in _FILTERS}
        return command(*args, task_filter=task_filter(**chosen), **kwargs)

    with_filters.__signature__ = inspect.Signature(options)  # type: ignore[attr-defined]
    with_filters.__annotations__ = {p.name: p.annotation for p in options}
    return with_filters


def task_filter(
    status: list[Status] | None = None,
    priority: list[Priority] | None = None,
    project_id: int | None = None,
    assignee_id: int | None = None,
    tag: str | None = None,
    q: str | None = None,
    due_before: datetime | None = None,
    due_after: datetime | None = None,
) -> TaskFilter:
    """The list filter from the options, exactly as the API builds it from its query."""
    return TaskFilter(
        statuses=frozenset(status or ()),
        priorities=frozenset(priority or ()),
        project_id=project_id,
        assignee_id=assignee_id,
        tag=tag,
        q=q,
        due_before=as_date(due_before),
        due_after=as_date(due_after),
    )
