"""``taskhex seed``: generated data, reproducible by its seed, on in-memory adapters."""

from __future__ import annotations

import json
import random
from datetime import date

from dependency_injector import providers
from typer.testing import CliRunner

from infrastructure.memory.store import InMemoryStore
from infrastructure.memory.unit_of_work import InMemoryUnitOfWork
from interfaces.cli.main import app as taskhex
from interfaces.cli.seed import batches, generate_tasks
from interfaces.container import Container

TODAY = date(2026, 11, 24)


def test_the_same_seed_generates_the_same_tasks() -> None:
    first = list(generate_tasks(200, random.Random(7), TODAY, projects=[1, 2], assignees=[3]))
    again = list(generate_tasks(200, random.Random(7), TODAY, projects=[1, 2], assignees=[3]))
    other = list(generate_tasks(200, random.Random(8), TODAY, projects=[1, 2], assignees=[3]))
    assert first == again
    assert first != other


def test_generated_tasks_only_name_the_projects_and_users_given() -> None:
    tasks = list(generate_tasks(300, random.Random(1), TODAY, projects=[5], assignees=[9]))
    assert {t.project_id for t in tasks} == {5, None}
    assert {t.assignee_id for t in tasks} == {9, None}
    assert {t.status for t in tasks} == {"todo", "in_progress", "done"}
    assert all(t.due_date is None or abs((t.due_date - TODAY).days) <= 60 for t in tasks)
    assert not any(t.project_id for t in generate_tasks(50, random.Random(1), TODAY))


def test_batches_cut_a_stream_into_pieces_of_at_most_the_size() -> None:
    tasks = list(generate_tasks(7, random.Random(1), TODAY))
    assert [len(b) for b in batches(tasks, 3)] == [3, 3, 1]
    assert list(batches([], 3)) == []


def seeded(services: Container, *args: str) -> dict[str, object]:
    result = CliRunner().invoke(taskhex, ["seed", *args, "--json"], obj=lambda: services)
    assert result.exit_code == 0, result.output
    summary: dict[str, object] = json.loads(result.stdout)
    return summary


def test_seeding_adds_users_then_projects_then_tasks_that_use_them(
    services: Container, store: InMemoryStore
) -> None:
    summary = seeded(services, "--tasks", "25", "--users", "3", "--projects", "2", "--seed", "11")
    assert {k: summary[k] for k in ("seed", "users", "projects", "tasks")} == {
        "seed": 11,
        "users": 3,
        "projects": 2,
        "tasks": 25,
    }
    assert len(store.users) == 3
    assert {p.owner_id for p in store.projects.values()} <= set(store.users)
    assert {t.project_id for t in store.tasks.values()} <= {*store.projects, None}


def test_seeding_twice_with_one_seed_gives_the_same_tasks(services: Container) -> None:
    titles = []
    for _ in range(2):
        store = InMemoryStore()
        services.unit_of_work.override(providers.Factory(InMemoryUnitOfWork, store))
        seeded(services, "--tasks", "30", "--batch-size", "7", "--seed", "5")
        titles.append([t.title for t in store.tasks.values()])
    assert titles[0] == titles[1]
    assert len(titles[0]) == 30


def test_without_a_seed_the_one_chosen_is_printed_for_next_time(services: Container) -> None:
    result = CliRunner().invoke(taskhex, ["seed", "--tasks", "2"], obj=lambda: services)
    assert result.exit_code == 0, result.output
    assert "seeded 0 user(s), 0 project(s) and 2 task(s)" in result.stdout
    assert "(seed " in result.stdout
