"""``taskhex export`` and ``taskhex import``: tasks as JSON Lines, in batches."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from application.pagination import PageQuery
from application.queries import TaskFilter
from application.tasks.create_task import CreateTask
from application.tasks.export_tasks import BATCH_MAX, ExportTasks
from application.tasks.import_tasks import ImportTasks, ImportTasksHandler, InvalidTaskInBatch
from application.tasks.list_tasks import ListTasks
from interfaces.cli import checkpoint, output
from interfaces.cli.errors import CliError, ExitCode
from interfaces.cli.options import (
    DEFAULT_WORKSPACE,
    BatchSize,
    Json,
    Quiet,
    Workspace,
    filtered,
)
from interfaces.cli.runtime import run
from interfaces.container import Container

app = typer.Typer()


class TaskLine(BaseModel):
    """One line of an import: a task as the API creates it, or as an export wrote it.

    ``id``, ``version`` and the timestamps of an exported task are accepted and
    ignored: an imported task gets a new id and is stamped at import.
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    title: str
    description: str | None = None
    status: str = "todo"
    priority: str = "medium"
    due_date: date | None = None
    tags: list[str] = Field(default_factory=list)
    project_id: int | None = None
    assignee_id: int | None = None
    id: int | None = None
    version: int | None = None
    created_at: str | None = None
    updated_at: str | None = None
    completed_at: str | None = None


def parse_line(number: int, raw: bytes) -> CreateTask:
    try:
        return CreateTask.of(TaskLine.model_validate_json(raw))
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'line'}: {e['msg']}" for e in error.errors()
        )
        raise CliError(f"line {number}: {problems}", ExitCode.INVALID) from None


@app.command("export")
@filtered
def export_tasks(
    ctx: typer.Context,
    task_filter: TaskFilter,
    file: Annotated[
        Path | None,
        typer.Argument(dir_okay=False, help="Where to write; standard output if left out or '-'."),
    ] = None,
    batch_size: Annotated[
        int, typer.Option(min=1, max=BATCH_MAX, help="Tasks read per statement.")
    ] = 1000,
    quiet: Quiet = False,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> None:
    """Export tasks as JSON Lines: one task a line, the API's shape, in id order.

    Takes the list's filters. Tasks are read in batches by id (keyset), so the
    last batch costs what the first does. A file is written under a temporary
    name and renamed once complete; `taskhex import` reads it back.
    """
    to_stdout = file is None or str(file) == "-"

    async def body(services: Container) -> int:
        count = services.list_tasks()(ListTasks(task_filter, page=PageQuery(limit=1)))
        total = (await count).total
        written = 0
        with _target(None if to_stdout else file) as out, output.progress(quiet=quiet) as bar:
            progress = bar.add_task("exporting tasks", total=total)
            async for batch in services.export_tasks()(ExportTasks(task_filter, batch_size)):
                out.write("".join(output.dumps(output.task_json(v)) + "\n" for v in batch))
                written += len(batch)
                bar.advance(progress, len(batch))
        return written

    written = run(ctx, body)
    if not to_stdout:
        typer.echo(f"exported {written} task(s) to {file}")


@contextlib.contextmanager
def _target(file: Path | None) -> Iterator[IO[str]]:
    if file is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    partial = file.with_name(file.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8") as out:
            yield out
        os.replace(partial, file)
    finally:
        partial.unlink(missing_ok=True)


@app.command("import")
def import_tasks(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, readable=True, help="JSON Lines, UTF-8."),
    ],
    batch_size: BatchSize = 1000,
    resume: Annotated[
        bool, typer.Option("--resume", help="Go on after the last committed batch.")
    ] = False,
    state: Annotated[
        Path | None,
        typer.Option(dir_okay=False, help="The checkpoint file [default: FILE.import-state.json]."),
    ] = None,
    quiet: Quiet = False,
    as_json: Json = False,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> None:
    """Import tasks from JSON Lines: all or nothing per batch, resumable.

    A line is a task as `taskhex export` writes it, or just the fields of a new
    task (title, description, status, priority, due_date, tags, project_id,
    assignee_id); blank lines are skipped. Each task gets a new id.

    All or nothing per batch: the lines of a batch are stored in one
    transaction, or none of them is. After each committed batch a checkpoint
    (FILE.import-state.json) records the line reached and a digest of the file
    up to it. When an import stops (a bad line, a lost connection, Ctrl-C), fix
    what is wrong after that line and run the same command with --resume: it
    checks that the imported part is unchanged and goes on after it. Without
    --resume, an unfinished import of the same file into the same database is
    refused (exit 4), so nothing is imported twice.
    """
    path = checkpoint.state_path(file, state)
    source = str(file.resolve())

    async def body(services: Container) -> tuple[checkpoint.Checkpoint, int]:
        database = services.settings().safe_database_url
        fresh = checkpoint.Checkpoint(source, database, workspace=workspace.strip())
        handler = services.import_tasks()
        with file.open("rb") as stream, output.progress(quiet=quiet, in_bytes=True) as bar:
            reached, hasher = checkpoint.start(checkpoint.load(path), fresh, resume, stream, path)
            begun_at = reached.imported
            progress = bar.add_task("importing tasks", total=os.fstat(stream.fileno()).st_size)
            bar.update(progress, completed=reached.offset)
            reader = _Lines(stream, hasher, reached.offset, reached.line)
            while batch := reader.batch(batch_size):
                await _import(handler, batch, reached, path)
                reached = reader.checkpoint(reached, imported=len(batch))
                checkpoint.save(path, reached)
                bar.update(progress, completed=reader.offset)
        # Trailing blank lines belong to the finished import too.
        reached = replace(reader.checkpoint(reached, imported=0), finished=True)
        checkpoint.save(path, reached)
        return reached, reached.imported - begun_at

    reached, imported = run(ctx, body)
    summary = {"imported": imported, "lines": reached.line, "total_imported": reached.imported}
    if as_json:
        output.print_json(summary)
    else:
        typer.echo(f"imported {imported} task(s) from {file} (up to line {reached.line})")


class _Lines:
    """The input, read line by line: offset, line number and digest of what was read."""

    def __init__(self, stream: IO[bytes], hasher: Any, offset: int, number: int) -> None:
        self._stream, self._hasher = stream, hasher
        self.offset, self.number = offset, number

    def batch(self, size: int) -> list[tuple[int, bytes]]:
        """The next ``size`` lines that are not blank, with their numbers."""
        found: list[tuple[int, bytes]] = []
        while len(found) < size and (raw := self._stream.readline()):
            self._hasher.update(raw)
            self.offset, self.number = self.offset + len(raw), self.number + 1
            if raw.strip():
                found.append((self.number, raw))
        return found

    def checkpoint(self, previous: checkpoint.Checkpoint, imported: int) -> checkpoint.Checkpoint:
        return previous.after(
            offset=self.offset,
            line=self.number,
            imported=previous.imported + imported,
            digest=self._hasher.hexdigest(),
        )


async def _import(
    handler: ImportTasksHandler,
    lines: list[tuple[int, bytes]],
    reached: checkpoint.Checkpoint,
    path: Path,
) -> None:
    """Parse and import one batch; a failure says what is and is not imported."""
    try:
        commands = [parse_line(number, raw) for number, raw in lines]
        try:
            await handler(ImportTasks(commands))
        except InvalidTaskInBatch as error:
            problems = "; ".join(f"{v.field}: {v.message}" for v in error.violations)
            raise CliError(f"line {lines[error.index][0]}: {problems}", ExitCode.INVALID) from None
    except CliError as error:
        kept = f"; lines 1-{reached.line} are (see {path})" if reached.line else ""
        raise CliError(
            f"{error}; lines {lines[0][0]}-{lines[-1][0]} were not imported{kept}: "
            "fix the file and run again with --resume",
            error.code,
        ) from None
