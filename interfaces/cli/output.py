"""What the CLI prints: rich tables for people, JSON (the API's shapes) for scripts.

Data goes to stdout; progress bars and notes go to stderr, so that
``taskhex export > tasks.jsonl`` or ``taskhex tasks list --json | jq`` stay
clean. Values that come from users are printed as text, never as rich markup.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import typer
from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from application.pagination import Page
from application.views import TaskStats, TaskView


def instant(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with a ``Z``, as the API writes it."""
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def task_json(view: TaskView) -> dict[str, Any]:
    return {
        "id": view.id,
        "title": view.title,
        "description": view.description,
        "status": view.status.value,
        "priority": view.priority.value,
        "due_date": day(view.due_date),
        "project_id": view.project_id,
        "assignee_id": view.assignee_id,
        "tags": list(view.tags),
        "created_at": instant(view.created_at),
        "updated_at": instant(view.updated_at),
        "completed_at": instant(view.completed_at),
        "version": view.version,
    }


def page_json(page: Page[TaskView]) -> dict[str, Any]:
    return {
        "items": [task_json(v) for v in page.items],
        "limit": page.limit,
        "next_cursor": page.next_cursor,
        "total": page.total,
    }


def stats_json(stats: TaskStats) -> dict[str, Any]:
    return {
        "total": stats.total,
        "by_status": {k.value: v for k, v in stats.by_status.items()},
        "by_priority": {k.value: v for k, v in stats.by_priority.items()},
        "overdue": stats.overdue,
        "completion_rate": stats.completion_rate,
    }


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def print_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2))


def stdout() -> Console:
    return Console(highlight=False, soft_wrap=False)


def stderr() -> Console:
    return Console(stderr=True, highlight=False)


def minute(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def task_table(view: TaskView) -> Table:
    table = Table(box=box.SIMPLE, show_header=False, title=f"task {view.id}")
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    rows: list[tuple[str, str]] = [
        ("title", view.title),
        ("description", view.description or ""),
        ("status", view.status.value),
        ("priority", view.priority.value),
        ("due", day(view.due_date) or ""),
        ("tags", ", ".join(view.tags)),
        ("project", "" if view.project_id is None else str(view.project_id)),
        ("assignee", "" if view.assignee_id is None else str(view.assignee_id)),
        ("created", minute(view.created_at)),
        ("updated", minute(view.updated_at)),
        ("completed", minute(view.completed_at)),
        ("version", str(view.version)),
    ]
    for name, value in rows:
        table.add_row(name, Text(value))
    return table


def tasks_table(page: Page[TaskView], offset: int) -> Table:
    shown = len(page.items)
    if page.total is None:
        caption = f"{shown} task(s)"
    elif shown:
        caption = f"tasks {offset + 1}-{offset + shown} of {page.total}"
        if offset + shown < page.total:
            caption += f"; next page: --offset {offset + shown}"
    else:
        caption = f"no tasks here ({page.total} match)"
    table = Table(box=box.SIMPLE_HEAD, caption=caption)
    table.add_column("id", justify="right")
    table.add_column("title")
    table.add_column("status")
    table.add_column("priority")
    table.add_column("due")
    table.add_column("tags", overflow="fold")
    for view in page.items:
        table.add_row(
            str(view.id),
            Text(view.title, overflow="fold"),
            view.status.value,
            view.priority.value,
            day(view.due_date) or "",
            Text(", ".join(view.tags)),
        )
    return table


def stats_table(stats: TaskStats) -> Table:
    table = Table(box=box.SIMPLE_HEAD, title=f"{stats.total} task(s)")
    table.add_column("count of")
    table.add_column("value")
    table.add_column("tasks", justify="right")
    for status, n in stats.by_status.items():
        table.add_row("status", status.value, str(n))
    for priority, n in stats.by_priority.items():
        table.add_row("priority", priority.value, str(n))
    table.add_row("overdue", "", str(stats.overdue))
    table.add_row("completion rate", "", f"{stats.completion_rate:.2%}")
    return table


def progress(*, quiet: bool = False, in_bytes: bool = False) -> Progress:
    """A progress bar on stderr, counting items (or bytes of a file read)."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        DownloadColumn() if in_bytes else MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=stderr(),
        disable=quiet,
        transient=False,
    )
