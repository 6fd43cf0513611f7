"""The value rules of the domain: what each accepts, and exactly how it refuses the rest.

Clients see every violation's field, message and code (422 bodies, CLI errors), so
they are pinned here; the values are built inside the tests, not at collection.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from domain import values
from domain.errors import DomainError, InvalidValue, Violation
from domain.projects import Project
from domain.tasks import Task
from domain.users import User
from domain.values import Tags

NOW = datetime(2026, 11, 24, 17, 5, tzinfo=UTC)

RULES: dict[str, Callable[[Any], Any]] = {
    "title": values.title,
    "description": values.description,
    "name": values.name,
    "status": values.status,
    "priority": values.priority,
    "tag": values.tag,
    "tags": Tags,
    "email": values.email,
}


def refusal(rule: str, value: object) -> list[Violation]:
    with pytest.raises(DomainError) as error:
        RULES[rule](value)
    return error.value.violations


@pytest.mark.parametrize(
    ("rule", "value", "field", "message", "code"),
    [
        ("title", " \t ", "title", "must not be empty", "string_too_short"),
        ("title", "x" * 256, "title", "must be at most 255 characters", "string_too_long"),
        ("title", "a\x00b", "title", "must not contain NUL characters", "string_nul"),
        ("description", "d" * 2001, "description", "must be at most 2000 characters",
         "string_too_long"),
        ("description", "a\x00b", "description", "must not contain NUL characters", "string_nul"),
        ("name", "", "name", "must not be empty", "string_too_short"),
        ("name", "n" * 121, "name", "must be at most 120 characters", "string_too_long"),
        ("name", "a\x00", "name", "must not contain NUL characters", "string_nul"),
        ("status", "finished", "status", "must be one of todo, in_progress, done", "enum"),
        ("priority", "urgent", "priority", "must be one of low, medium, high", "enum"),
        ("tag", "  ", "tags", "a tag must not be empty", "string_too_short"),
        ("tag", "x" * 51, "tags", "a tag must be at most 50 characters", "string_too_long"),
        ("tag", "semi;colon", "tags", "a tag may only contain a-z, 0-9, '_' and '-'",
         "string_pattern_mismatch"),
        ("email", "ada", "email", "must be an address like name@example.org", "value_error"),
        ("email", "x" * 243 + "@example.org", "email", "must be at most 254 characters",
         "string_too_long"),
    ],
)  # fmt: skip
def test_a_broken_rule_names_its_field_message_and_code(
    rule: str, value: str, field: str, message: str, code: str
) -> None:
    assert refusal(rule, value) == [Violation(field, message, code)]


def test_more_than_twenty_distinct_tags_are_refused_as_a_set() -> None:
    names = [f"t{i}" for i in range(21)]
    assert refusal("tags", names) == [
        Violation("tags", "at most 20 distinct tags", "too_many_tags")
    ]


@pytest.mark.parametrize(
    ("rule", "value", "expected"),
    [
        ("title", lambda: " " + "t" * 255 + " ", "t" * 255),
        ("description", lambda: "d" * 2000, "d" * 2000),
        ("name", lambda: "n" * 120, "n" * 120),
        ("tag", lambda: " " + "T" * 50 + "\n", "t" * 50),
        ("tag", lambda: "Under_score-9", "under_score-9"),
        ("email", lambda: " " + "X" * 242 + "@example.org ", "x" * 242 + "@example.org"),
    ],
)
def test_a_value_of_exactly_the_maximum_length_after_trimming_is_accepted(
    rule: str, value: Callable[[], str], expected: str
) -> None:
    assert RULES[rule](value()) == expected


@pytest.mark.parametrize("value", ["\u212a", "caf\u00e9", "\u0131d", "a b", "tag\x00"])
def test_a_tag_is_ascii_letters_digits_underscores_and_hyphens_only(value: str) -> None:
    # U+212A (Kelvin) and U+0131 (dotless i) lower-case or fold to ASCII letters.
    assert [v.code for v in refusal("tag", value)] == ["string_pattern_mismatch"]


@pytest.mark.parametrize("value", ["a@b.c\x00", "a\u00a0b@example.org", "a@b\u3000.org"])
def test_an_email_has_no_nul_and_no_space_of_any_kind(value: str) -> None:
    assert [v.code for v in refusal("email", value)] == ["value_error"]


def test_status_and_priority_are_trimmed() -> None:
    assert (values.status(" done "), values.priority("\thigh\n")) == ("done", "high")


def test_a_blank_description_is_no_description() -> None:
    assert values.description(" \n ") is None
    assert values.description(None) is None
    assert values.description("  kept  ") == "kept"


@pytest.mark.parametrize(
    "now",
    [
        lambda: datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=1))),
        lambda: datetime(2026, 1, 1),  # naive
    ],
)
def test_every_aggregate_refuses_a_clock_that_is_not_utc(now: Callable[[], datetime]) -> None:
    expected = [Violation("now", "timestamps must be timezone-aware UTC", "timezone")]
    for make in (
        lambda: Task.create(title="x", now=now()),
        lambda: User.register(email="a@b.co", name="a", now=now()),
        lambda: Project.create(name="p", now=now()),
    ):
        with pytest.raises(DomainError) as error:
            make()
        assert error.value.violations == expected


def test_a_new_user_and_project_are_created_and_updated_now() -> None:
    user = User.register(email="a@b.co", name="a", now=NOW)
    project = Project.create(name="p", now=NOW)
    assert (user.created_at, user.updated_at, user.version) == (NOW, NOW, 1)
    assert (project.created_at, project.updated_at, project.version) == (NOW, NOW, 1)


def test_a_user_name_error_is_reported_under_name() -> None:
    with pytest.raises(DomainError) as error:
        User.register(email="a@b", name=" ", now=NOW)
    assert [(v.field, v.code) for v in error.value.violations] == [
        ("email", "value_error"),
        ("name", "string_too_short"),
    ]


def test_an_error_reads_as_each_field_and_message_in_order() -> None:
    with pytest.raises(DomainError) as error:
        Task.create(title="", status="nope", now=NOW)
    assert str(error.value) == (
        "title: must not be empty; status: must be one of todo, in_progress, done"
    )


def test_an_invalid_value_without_a_code_is_a_value_error() -> None:
    error = InvalidValue("due_date", "must be a date")
    assert error.violations == [Violation("due_date", "must be a date", "value_error")]
    assert str(error) == "due_date: must be a date"


def test_a_violation_moved_inside_a_batch_keeps_its_rule_and_prefixes_its_place() -> None:
    violation = Violation("title", "must not be empty", "string_too_short")
    inner = violation.inside("items", 3)
    assert inner == Violation("title", "must not be empty", "string_too_short", ("items", 3))
    assert inner.location == ("items", 3, "title")
    outer = inner.inside("body")
    assert outer.within == ("body", "items", 3)
    assert outer.location == ("body", "items", 3, "title")
    assert violation.location == ("title",)
