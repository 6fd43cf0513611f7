"""The app against its own OpenAPI document: Schemathesis' engine, as the command line runs it.

The app runs in process (ASGI) on real PostgreSQL, on a database that already
holds users, projects and tasks with tags. Every phase runs: the document's
examples, coverage (boundary values, unsupported methods), fuzzing with valid
and invalid data, and the stateful phase, which follows the document's links
(a create, then the reads, changes and deletes of what it created) so that
updates, deletes and lists meet rows that exist.

Every check runs, ``unsupported_method`` included; ``positive_data_acceptance``
is the one ``schemathesis.toml`` loads from ``tests/support/schema_checks.py``:
narrowed, for those answers alone, to the rules no schema can state (a reference
to a row that does not exist, a cursor made elsewhere, a stale ``If-Match``...).
The same configuration serves a run from the command line (README). The seed is
fixed, so that a failure here can be replayed; the command line takes a fresh one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from schemathesis import engine
from schemathesis.checks import CHECKS
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events
from schemathesis.python.asgi import shutdown_lifespans
from sqlalchemy import create_engine, text

from interfaces.api.app import create_app
from interfaces.container import dispose
from tests.support import schema_checks
from tests.support.databases import make_container
from tests.support.keys import bearer, issue_key

pytestmark = pytest.mark.postgres

_FILL = (
    "TRUNCATE task_tag, task, tag, project, app_user, idempotency_key CASCADE",
    "INSERT INTO app_user (email, name, created_at, updated_at, version, workspace_id)"
    " SELECT 'user' || n || '@example.org', 'User ' || n, now(), now(), 1, 1"
    " FROM generate_series(1, 10) AS n",
    "INSERT INTO project (name, owner_id, created_at, updated_at, version, workspace_id)"
    " SELECT 'Project ' || n, (SELECT min(id) FROM app_user) + n % 10, now(), now(), 1, 1"
    " FROM generate_series(1, 5) AS n",
    "INSERT INTO task (title, status, priority, due_date, project_id, assignee_id,"
    " created_at, updated_at, version, workspace_id)"
    " SELECT 'Task ' || n, 'todo', 1 + n % 3, date '2026-12-01' + n % 30,"
    " (SELECT min(id) FROM project) + n % 5, (SELECT min(id) FROM app_user) + n % 10,"
    " now(), now(), 1, 1 FROM generate_series(1, 60) AS n",
    "INSERT INTO tag (name, workspace_id) VALUES ('docs', 1), ('q4', 1), ('ops', 1)",
    "INSERT INTO task_tag (task_id, tag_id, workspace_id)"
    " SELECT task.id, tag.id, 1 FROM task JOIN tag ON (task.id + tag.id) % 2 = 0",
)


def fill(url: str) -> None:
    """Empty the tables, then put users, projects and tagged tasks in them."""
    database = create_engine(url)
    try:
        with database.begin() as connection:
            for statement in _FILL:
                connection.execute(text(statement))
    finally:
        database.dispose()


@pytest.fixture
def app_on_data(postgres_url: str) -> Iterator[tuple[Any, str]]:
    """The app on a filled database, and an admin key of its ``default`` workspace."""
    fill(postgres_url)
    container = make_container(postgres_url)
    key = asyncio.run(issue_key(container))
    asyncio.run(dispose(container))
    yield create_app(make_container(postgres_url)), key
    # Schemathesis runs the app's lifespan in an event loop of its own; ending it
    # there disposes of the container's connection pool.
    shutdown_lifespans()


def test_the_acceptance_check_is_the_narrowed_one_and_every_check_is_there() -> None:
    names = set(CHECKS.get_all_names())
    assert {"unsupported_method", "negative_data_rejection", "use_after_free"} <= names
    assert CHECKS.get_one("positive_data_acceptance") is schema_checks.positive_data_acceptance


def test_every_generated_request_is_answered_as_the_schema_says(
    app_on_data: tuple[Any, str],
) -> None:
    app, key = app_on_data
    config = SchemathesisConfig.discover()
    assert str(config.config_path).endswith("schemathesis.toml")
    config.update(seed=20261202, max_failures=None)
    config.projects.override.generation.update(max_examples=25, database="none")
    config.projects.override.checks.update(included_check_names=["all"])
    config.projects.override.update(headers=bearer(key))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=config)

    failures, errors, phases = [], [], set()
    for event in engine.from_schema(schema).execute():
        if isinstance(event, events.PhaseFinished) and event.status is not Status.SKIP:
            phases.add(event.phase.name.value)
        if isinstance(event, events.ScenarioFinished) and event.status is Status.FAILURE:
            failures += [
                f"{case_id}: {check.name}: {check.failure_info.failure.title}"
                for case_id, checks in event.recorder.checks.items()
                for check in checks
                if check.status is Status.FAILURE and check.failure_info is not None
            ]
        if isinstance(event, events.NonFatalError):
            errors.append(f"{event.label}: {event.info.message}")

    assert phases >= {"examples", "coverage", "fuzzing", "stateful"}, phases
    assert failures == [], "\n".join(failures)
    assert errors == [], "\n".join(errors)
