"""``taskhex tasks ...``: the task use cases, as the API offers them, from a shell."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer

from application.pagination import Page, PageQuery
from application.queries import TaskFilter, TaskSort
from application.tasks.create_task import CreateTask
from application.tasks.list_tasks import ListTasks
from application.tasks.update_task import UpdateTask
from application.views import TaskStats, TaskView
from domain.tasks import TaskChanges
from domain.values import Priority, Status
from interfaces.cli import options, output
from interfaces.cli.options import (
    DEFAULT_WORKSPACE,
    MAX_ID,
    Cursor,
    Json,
    Limit,
    Offset,
    Sort,
    TaskId,
    Workspace,
)
from interfaces.cli.runtime import run
from interfaces.container import Container

app = typer.Typer(name="tasks", help="Create, read, change and delete tasks.", no_args_is_help=True)

Due = Annotated[
    datetime | None, typer.Option("--due", formats=options.DATE_FORMATS, help="YYYY-MM-DD.")
]
Tags = Annotated[list[str] | None, typer.Option("--tag", help="Repeatable.")]
IfVersion = Annotated[
    int | None,
    typer.Option(
        "--if-version",
        min=1,
        help="Change the task only if it is at this version (like If-Match); else exit 4.",
    ),
]
StatusOption = Annotated[Status | None, typer.Option("--status")]
PriorityOption = Annotated[Priority | None, typer.Option("--priority")]
Reference = Annotated[int | None, typer.Option(min=1, max=MAX_ID)]


def _show(view: TaskView, as_json: bool) -> None:
    if as_json:
        output.print_json(output.task_json(view))
    else:
        output.stdout().print(output.task_table(view))


@app.command()
def add(
    ctx: typer.Context,
    title: Annotated[str, typer.Argument(help="1..255 characters.")],
    description: Annotated[str | None, typer.Option(help="At most 2000 characters.")] = None,
    status: Annotated[Status, typer.Option()] = Status.TODO,
    priority: Annotated[Priority, typer.Option()] = Priority.MEDIUM,
    due: Due = None,
    tag: Tags = None,
    project_id: Reference = None,
    assignee_id: Reference = None,
    as_json: Json = False,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> None:
    """Create a task and print it."""
    command = CreateTask(
        title=title,
        description=description,
        status=status,
        priority=priority,
        due_date=options.as_date(due),
        tags=tuple(tag or ()),
        project_id=project_id,
        assignee_id=assignee_id,
    )

    async def body(services: Container) -> TaskView:
        view: TaskView = await services.create_task()(command)
        return view

    _show(run(ctx, body), as_json)


@app.command("list")
@options.filtered
def list_tasks(
    ctx: typer.Context,
    task_filter: TaskFilter,
    sort: Sort = "-created_at",
    limit: Limit = options.DEFAULT_LIMIT,
    offset: Offset = None,
    cursor: Cursor = None,
    as_json: Json = False,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> None:
    """List tasks: the API's filters (AND between options, OR within a repeated one),
    sort and pagination (--offset, or --cursor with the next cursor a page printed)."""

    async def body(services: Container) -> Page[TaskView]:
        query = ListTasks(task_filter, TaskSort.parse(sort), PageQuery(limit, offset, cursor))
        page: Page[TaskView] = await services.list_tasks()(query)
        return page

    page = run(ctx, body)
    if as_json:
        output.print_json(output.page_json(page))
    else:
        output.stdout().print(output.tasks_table(page, offset or 0))


@app.command()
def show(
    ctx: typer.Context,
    task_id: TaskId,
    as_json: Json = False,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> None:
    """Print one task."""

    async def body(services: Container) -> TaskView:
        view: TaskView = await services.get_task()(task_id)
        return view

    _show(run(ctx, body), as_json)


@app.command()
def update(
    ctx: typer.Context,
    task_id: TaskId,
    title: Annotated[str | None, typer.Option()] = None,
    description: Annotated[str | None, typer.Option()] = None,
    clear_description: Annotated[bool, typer.Option("--clear-description")] = False,
    status: StatusOption = None,
    priority: PriorityOption = None,
    due: Due = None,
    clear_due: Annotated[bool, typer.Option("--clear-due")] = False,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="Repeatable; replaces the tags.")
    ] = None,
    clear_tags: Annotated[bool, typer.Option("--clear-tags")] = False,
    project_id: Reference = None,
    clear_project: Annotated[bool, typer.Option("--clear-project")] = False,
    assignee_id: Reference = None,
    clear_assignee: Annotated[bool, typer.Option("--clear-assignee")] = False,
    if_version: IfVersion = None,
    as_json: Json = False,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> None:
    """Change some fields of a task; the others stay as they are."""
    changes: dict[str, Any] = {}
    for name, value in (("title", title), ("status", status), ("priority", priority)):
        if value is not None:
            changes[name] = value
    cleared: tuple[tuple[str, Any, bool, str, Any], ...] = (
        ("description", description, clear_description, "--description", None),
        ("due_date", options.as_date(due), clear_due, "--due", None),
        ("tags", None if tag is None else tuple(tag), clear_tags, "--tag", ()),
        ("project_id", project_id, clear_project, "--project-id", None),
        ("assignee_id", assignee_id, clear_assignee, "--assignee-id", None),
    )
    for name, value, clear, option, empty in cleared:
        if clear and value is not None:
            raise typer.BadParameter(f"{option} and its --clear-... option exclude each other")
        if clear:
            changes[name] = empty
        elif value is not None:
            changes[name] = value
    if not changes:
        raise typer.BadParameter("give at least one field to change", param_hint="options")
    _change(ctx, task_id, TaskChanges(**changes), if_version, as_json)


@app.command()
def done(
    ctx: typer.Context,
    task_id: TaskId,
    if_version: IfVersion = None,
    as_json: Json = False,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> None:
    """Mark a task as done (stamps ``completed_at``)."""
    _change(ctx, task_id, TaskChanges(status=Status.DONE), if_version, as_json)


def _change(
    ctx: typer.Context,
    task_id: int,
    changes: TaskChanges,
    if_version: int | None,
    as_json: bool,
) -> None:
    expected = None if if_version is None else frozenset({if_version})

    async def body(services: Container) -> TaskView:
        view: TaskView = await services.update_task()(UpdateTask(task_id, changes, expected))
        return view

    _show(run(ctx, body), as_json)


@app.command()
def delete(
    ctx: typer.Context,
    task_id: TaskId,
    as_json: Json = False,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> None:
    """Delete a task."""

    async def body(services: Container) -> None:
        await services.delete_task()(task_id)

    run(ctx, body)
    if as_json:
        output.print_json({"deleted": task_id})
    else:
        typer.echo(f"deleted task {task_id}")


@app.command()
@options.filtered
def stats(
    ctx: typer.Context,
    task_filter: TaskFilter,
    as_json: Json = False,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> None:
    """Count tasks by status and priority, with overdue and completion rate."""

    async def body(services: Container) -> TaskStats:
        found: TaskStats = await services.task_stats()(task_filter)
        return found

    found = run(ctx, body)
    if as_json:
        output.print_json(output.stats_json(found))
    else:
        output.stdout().print(output.stats_table(found))
