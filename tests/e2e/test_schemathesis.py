"""The app against its own OpenAPI document: Schemathesis generates the requests.

The app runs in process (ASGI) on real PostgreSQL, with a container of its own.
Every operation gets the examples of the document, Schemathesis' boundary
(coverage) cases and a small budget of generated ones, valid and invalid. Each
answer must not be a 5xx, must have a documented status code, content type,
body schema and headers, and a request the document forbids must get a 4xx.

Left out, on purpose: ``positive_data_acceptance`` (a schema-valid request may
still break a rule the schema cannot express: an unknown ``project_id``, an
address without a dot, ``cursor`` with ``offset``, a stale ``If-Match``) and
``unsupported_method`` (``PATCH /api/v1/tasks/stats`` is ``PATCH
/api/v1/tasks/{task_id}`` with a non-integer id, which the contract makes a
422, not a 405). The checks that follow links need a stateful run.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import ASGIClient, get_client, shutdown_lifespans
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import create_engine, text

from interfaces.api.app import create_app
from tests.support.databases import make_container

pytestmark = pytest.mark.postgres

BASE_URL = "http://testserver"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,
    missing_required_header,
]

# The document does not depend on the database: it is read once, at collection,
# from an app that is never started; Schemathesis makes a test per operation of it.
schema = schemathesis.openapi.from_dict(create_app().openapi())


def empty_tables(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("TRUNCATE task_tag, task, tag, project, app_user RESTART IDENTITY CASCADE")
            )
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def http(postgres_url: str) -> Iterator[ASGIClient]:
    """A client of the real app on PostgreSQL, in process; the app stops with the module."""
    empty_tables(postgres_url)
    app = create_app(make_container(postgres_url))
    with get_client(app) as client:
        yield client
    # Schemathesis runs the app's lifespan in an event loop of its own; ending it
    # there disposes of the container's connection pool.
    shutdown_lifespans()


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(
    case: schemathesis.Case, http: ASGIClient
) -> None:
    case.call_and_validate(session=http, base_url=BASE_URL, checks=CHECKS)
