"""The errors of the use cases: what they carry and how they read.

Their messages are the ``detail`` of a problem+json answer and the CLI's error line;
their violations become the ``errors`` of a 422.
"""

from application.errors import (
    ApplicationError,
    ConcurrentUpdate,
    IdempotencyMismatch,
    InvalidCursor,
    InvalidQuery,
    InvalidReference,
    NotFound,
    PreconditionFailed,
    RequestInFlight,
)
from domain.errors import DomainError, Violation


def test_not_found_names_the_resource_and_its_identifier() -> None:
    error = NotFound("task", "3, 5")
    assert (error.resource, error.identifier) == ("task", "3, 5")
    assert str(error) == "task 3, 5 does not exist"


def test_a_failed_precondition_says_the_current_version_when_it_is_known() -> None:
    known = PreconditionFailed("task", 4, 7)
    assert known.current_version == 7
    assert str(known) == "task 4 is at version 7; it does not match If-Match"
    unknown = PreconditionFailed("project", 2)
    assert unknown.current_version is None
    assert str(unknown) == "project 2 has changed; it does not match If-Match"


def test_an_invalid_cursor_says_to_start_again() -> None:
    assert str(InvalidCursor()) == (
        "The cursor is not valid for this collection, sort and filter; "
        "start again from the first page"
    )


def test_a_concurrent_update_says_to_retry() -> None:
    assert str(ConcurrentUpdate("user", 9)) == "user 9 was changed concurrently; retry the request"


def test_a_request_in_flight_says_to_retry_shortly() -> None:
    error = RequestInFlight()
    assert isinstance(error, ApplicationError)
    assert str(error) == "A request with this Idempotency-Key is still in progress; retry shortly"


def test_a_reused_idempotency_key_is_a_violation_of_the_header() -> None:
    error = IdempotencyMismatch()
    assert isinstance(error, DomainError)
    assert error.violations == [
        Violation(
            "Idempotency-Key",
            "this key was already used with a different request body",
            "idempotency_key_reused",
        )
    ]


def test_an_invalid_query_without_a_code_is_a_value_error() -> None:
    error = InvalidQuery("q", "too vague")
    assert isinstance(error, DomainError)
    assert error.violations == [Violation("q", "too vague", "value_error")]


def test_an_invalid_reference_names_each_field_and_what_it_should_name() -> None:
    error = InvalidReference({"project_id": "project", "assignee_id": "user"})
    assert error.violations == [
        Violation("project_id", "project does not exist", "reference_not_found"),
        Violation("assignee_id", "user does not exist", "reference_not_found"),
    ]
