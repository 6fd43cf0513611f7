"""``taskhex seed``: plausible data, the same for the same ``--seed``.

Users come first, then projects (owned by those users), then tasks (in those
projects, assigned to those users). Tasks are added in batches, each batch
one transaction through the ``import_tasks`` use case, in a fixed number of
statements. A kind of data is a ``generate_*`` function and one step in
``seed``.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import islice
from typing import Annotated, Any, Final

import typer

from application.projects.create_project import CreateProject
from application.tasks.create_task import CreateTask
from application.tasks.import_tasks import ImportTasks
from application.users.register_user import RegisterUser
from domain.values import Priority, Status
from interfaces.cli import output
from interfaces.cli.options import DEFAULT_WORKSPACE, BatchSize, Json, Quiet, Workspace
from interfaces.cli.runtime import run
from interfaces.container import Container

app = typer.Typer()

_VERBS: Final = (
    "Write", "Review", "Fix", "Plan", "Draft", "Test", "Ship", "Document", "Refactor",
    "Measure", "Design", "Migrate", "Triage", "Prepare", "Update",
)  # fmt: skip
_THINGS: Final = (
    "the quarterly report", "the login page", "onboarding emails", "the billing export",
    "API rate limits", "the release notes", "search ranking", "the mobile menu",
    "the backup job", "error budgets", "the style guide", "invoice PDFs", "the data model",
    "flaky tests", "the roadmap", "the status page", "cache invalidation", "the pricing page",
)  # fmt: skip
_DETAILS: Final = (
    "Ask the team for input first.", "Blocked until the design is signed off.",
    "Keep it under a page.", "Pair with someone from support.", "Check the numbers twice.",
)  # fmt: skip
_TAGS: Final = (
    "backend", "frontend", "docs", "bug", "feature", "ops", "infra", "security", "perf", "ux",
    "design", "research", "data", "api", "mobile", "urgent", "q1", "q2", "q3", "q4",
)  # fmt: skip
_NAMES: Final = (
    "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Ken", "Frances",
    "Dennis", "Radia", "Tim", "Katherine", "Linus", "Guido", "Sophie",
)  # fmt: skip
_PROJECTS: Final = (
    "Launch", "Billing", "Onboarding", "Mobile", "Platform", "Search", "Growth", "Support",
    "Security", "Data", "Design system", "Infrastructure",
)  # fmt: skip
_STATUSES: Final = (Status.TODO, Status.IN_PROGRESS, Status.DONE)
_STATUS_WEIGHTS: Final = (45, 25, 30)
_PRIORITIES: Final = (Priority.LOW, Priority.MEDIUM, Priority.HIGH)
_PRIORITY_WEIGHTS: Final = (25, 50, 25)


@dataclass(frozen=True)
class Seeded:
    seed: int
    users: list[int] = field(default_factory=list)
    projects: list[int] = field(default_factory=list)
    tasks: int = 0


def generate_users(count: int, rng: random.Random, seed: int) -> Iterator[RegisterUser]:
    for n in range(count):
        name = rng.choice(_NAMES)
        yield RegisterUser(email=f"{name.lower()}.{n}.s{seed}@example.org", name=name)


def generate_projects(
    count: int, rng: random.Random, owners: Sequence[int]
) -> Iterator[CreateProject]:
    for n in range(count):
        owner = rng.choice(owners) if owners else None
        yield CreateProject(name=f"{rng.choice(_PROJECTS)} {n + 1}", owner_id=owner)


def generate_tasks(
    count: int,
    rng: random.Random,
    today: date,
    projects: Sequence[int] = (),
    assignees: Sequence[int] = (),
) -> Iterator[CreateTask]:
    """``count`` tasks; the same ``rng`` state and ``today`` give the same tasks."""
    for _ in range(count):
        due = today + timedelta(days=rng.randint(-30, 60)) if rng.random() < 0.7 else None
        yield CreateTask(
            title=f"{rng.choice(_VERBS)} {rng.choice(_THINGS)}",
            description=rng.choice(_DETAILS) if rng.random() < 0.4 else None,
            status=rng.choices(_STATUSES, _STATUS_WEIGHTS)[0],
            priority=rng.choices(_PRIORITIES, _PRIORITY_WEIGHTS)[0],
            due_date=due,
            tags=tuple(rng.sample(_TAGS, rng.randint(0, 3))),
            project_id=rng.choice(projects) if projects and rng.random() < 0.8 else None,
            assignee_id=rng.choice(assignees) if assignees and rng.random() < 0.7 else None,
        )


def batches(items: Iterable[CreateTask], size: int) -> Iterator[tuple[CreateTask, ...]]:
    iterator = iter(items)
    while batch := tuple(islice(iterator, size)):
        yield batch


@app.command()
def seed(
    ctx: typer.Context,
    tasks: Annotated[int, typer.Option(min=0, help="How many tasks.")] = 1000,
    users: Annotated[int, typer.Option(min=0, help="How many users.")] = 0,
    projects: Annotated[int, typer.Option(min=0, help="How many projects.")] = 0,
    seed: Annotated[
        int | None,
        typer.Option(min=0, help="Make the data reproducible (printed when left out)."),
    ] = None,
    batch_size: BatchSize = 1000,
    quiet: Quiet = False,
    as_json: Json = False,
    workspace: Workspace = DEFAULT_WORKSPACE,
) -> None:
    """Fill the database with generated users, projects and tasks.

    The same --seed gives the same data (due dates are spread around today).
    Tasks go in batches of --batch-size, each one transaction.
    """
    chosen = secrets.randbelow(2**31) if seed is None else seed
    rng = random.Random(chosen)
    started = time.perf_counter()

    async def body(services: Container) -> Seeded:
        done = Seeded(chosen)
        register, create_project = services.register_user(), services.create_project()
        for user in generate_users(users, rng, chosen):
            done.users.append((await register(user)).id)
        for project in generate_projects(projects, rng, done.users):
            done.projects.append((await create_project(project)).id)
        today = services.clock().now().date()
        added = 0
        with output.progress(quiet=quiet) as bar:
            progress = bar.add_task("seeding tasks", total=tasks)
            import_tasks = services.import_tasks()
            generated = generate_tasks(tasks, rng, today, done.projects, done.users)
            for batch in batches(generated, batch_size):
                added += len(await import_tasks(ImportTasks(batch)))
                bar.advance(progress, len(batch))
        return Seeded(chosen, done.users, done.projects, added)

    result = run(ctx, body)
    seconds = round(time.perf_counter() - started, 2)
    summary: dict[str, Any] = {
        "seed": result.seed,
        "users": len(result.users),
        "projects": len(result.projects),
        "tasks": result.tasks,
        "seconds": seconds,
    }
    if as_json:
        output.print_json(summary)
    else:
        typer.echo(
            f"seeded {summary['users']} user(s), {summary['projects']} project(s) and "
            f"{result.tasks} task(s) in {seconds} s (seed {result.seed})"
        )
