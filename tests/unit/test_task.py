from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from domain.errors import DomainError
from domain.tasks import Task, TaskChanges
from domain.values import Priority, Status

NOW = datetime(2026, 11, 24, 17, 5, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)


def new_task(**fields: object) -> Task:
    return Task.create(title="Write the report", now=NOW, **fields)  # type: ignore[arg-type]


def fields_in_error(error: pytest.ExceptionInfo[DomainError]) -> list[str]:
    return [v.field for v in error.value.violations]


def test_a_new_task_starts_at_version_one_with_defaults() -> None:
    task = new_task()
    assert (task.status, task.priority, task.version) == (Status.TODO, Priority.MEDIUM, 1)
    assert task.created_at == task.updated_at == NOW
    assert task.completed_at is None
    assert task.tags == ()


def test_creating_a_done_task_stamps_completed_at() -> None:
    assert new_task(status="done").completed_at == NOW


def test_title_and_description_are_trimmed_and_empty_description_is_none() -> None:
    task = Task.create(title="  x  ", description="   ", now=NOW)
    assert task.title == "x"
    assert task.description is None


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"title": "   "}, ["title"]),
        ({"title": "x" * 256}, ["title"]),
        ({"title": "a\x00b"}, ["title"]),
        ({"title": "x", "description": "d" * 2001}, ["description"]),
        ({"title": "x", "status": "finished"}, ["status"]),
        ({"title": "x", "priority": "urgent"}, ["priority"]),
        ({"title": "x", "tags": ["ok", "not ok"]}, ["tags"]),
        ({"title": "", "status": "nope", "priority": "nope"}, ["title", "status", "priority"]),
    ],
)
def test_broken_rules_are_all_reported_by_field(fields: dict[str, object], bad: list[str]) -> None:
    with pytest.raises(DomainError) as error:
        Task.create(now=NOW, **fields)  # type: ignore[arg-type]
    assert fields_in_error(error) == bad


def test_lengths_count_code_points() -> None:
    assert len(Task.create(title="é" * 255, now=NOW).title) == 255


def test_tags_are_normalised_merged_and_sorted() -> None:
    assert new_task(tags=[" Q4 ", "docs", "q4", "DOCS"]).tags == ("docs", "q4")


@pytest.mark.parametrize(
    "tags",
    [[""], ["  "], ["x" * 51], ["semi;colon"], [f"t{i}" for i in range(21)]],
)
def test_invalid_tag_sets_are_refused(tags: list[str]) -> None:
    with pytest.raises(DomainError):
        new_task(tags=tags)


def test_twenty_tags_after_merging_duplicates_are_allowed() -> None:
    tags = [f"t{i}" for i in range(20)] + ["T0", "t1 "]
    assert len(new_task(tags=tags).tags) == 20


def test_the_clock_must_be_utc() -> None:
    with pytest.raises(DomainError):
        Task.create(title="x", now=datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=1))))


def test_a_real_change_bumps_version_and_updated_at_once() -> None:
    task = new_task()
    assert task.change(TaskChanges(title="New", priority="high"), LATER)
    assert (task.title, task.priority, task.version, task.updated_at) == (
        "New",
        Priority.HIGH,
        2,
        LATER,
    )
    assert task.created_at == NOW


def test_a_change_that_changes_nothing_keeps_version_and_updated_at() -> None:
    task = new_task(tags=["a"])
    assert not task.change(TaskChanges(title=" Write the report ", tags=["A"]), LATER)
    assert (task.version, task.updated_at) == (1, NOW)


def test_completing_a_task_stamps_completed_at_and_reopening_clears_it() -> None:
    task = new_task()
    task.change(TaskChanges(status="done"), LATER)
    assert task.completed_at == LATER
    task.change(TaskChanges(status="in_progress"), LATER + timedelta(seconds=1))
    assert task.completed_at is None


def test_done_to_done_keeps_completed_at() -> None:
    task = new_task(status="done")
    task.change(TaskChanges(status="done", title="Other"), LATER)
    assert task.completed_at == NOW
    assert task.version == 2


def test_updated_at_moves_forward_even_if_the_clock_does_not() -> None:
    task = new_task()
    task.change(TaskChanges(title="a"), NOW)
    task.change(TaskChanges(title="b"), NOW)
    assert task.updated_at > NOW


def test_none_clears_nullable_fields() -> None:
    task = new_task(description="d", due_date=date(2026, 12, 1))
    task.change(TaskChanges(description=None, due_date=None), LATER)
    assert (task.description, task.due_date) == (None, None)


def test_a_rejected_change_leaves_the_task_untouched() -> None:
    task = new_task()
    with pytest.raises(DomainError):
        task.change(TaskChanges(title="ok", status="bogus"), LATER)
    assert (task.title, task.version) == ("Write the report", 1)


@pytest.mark.parametrize(
    ("status", "due", "overdue"),
    [
        ("todo", date(2026, 11, 23), True),
        ("done", date(2026, 11, 23), False),
        ("todo", date(2026, 11, 24), False),
        ("todo", None, False),
    ],
)
def test_overdue_means_due_before_today_and_not_done(
    status: str, due: date | None, overdue: bool
) -> None:
    assert new_task(status=status, due_date=due).is_overdue(date(2026, 11, 24)) is overdue


def test_priority_ranks_round_trip() -> None:
    assert [p.rank for p in Priority] == [1, 2, 3]
    assert all(Priority.from_rank(p.rank) is p for p in Priority)


def test_each_transition_is_one_change_with_the_fields_it_changed() -> None:
    task = new_task(tags=["a"])
    steps = [
        (lambda t, at: t.rename(" Renamed ", at), {"title"}),
        (lambda t, at: t.start(at), {"status"}),
        (lambda t, at: t.complete(at), {"status", "completed_at"}),
        (lambda t, at: t.reopen(at), {"status", "completed_at"}),
        (lambda t, at: t.retag(["B", "a", "b"], at), {"tags"}),
        (lambda t, at: t.assign(7, at), {"assignee_id"}),
        (lambda t, at: t.move_to(3, at), {"project_id"}),
        (lambda t, at: t.unassign(at), {"assignee_id"}),
    ]
    for number, (step, fields) in enumerate(steps, start=2):
        at = LATER + timedelta(seconds=number)
        assert step(task, at) == fields
        assert (task.version, task.updated_at) == (number, at)
    assert (task.title, task.status, task.tags) == ("Renamed", Status.TODO, ("a", "b"))
    assert (task.assignee_id, task.project_id, task.completed_at) == (None, 3, None)


def test_a_transition_to_the_state_a_task_is_in_changes_nothing() -> None:
    task = new_task(status="done")
    for step in (task.complete, task.unassign, lambda at: task.retag([], at)):
        assert step(LATER) == frozenset()
    assert (task.version, task.updated_at, task.completed_at) == (1, NOW, NOW)


def test_a_transition_checks_its_value_and_changes_nothing_when_it_breaks_a_rule() -> None:
    task = new_task()
    with pytest.raises(DomainError):
        task.rename("  ", LATER)
    with pytest.raises(DomainError):
        task.retag(["not ok"], LATER)
    assert (task.title, task.tags, task.version) == ("Write the report", (), 1)


def test_completing_stamps_the_new_updated_at_even_when_the_clock_lags() -> None:
    task = new_task()
    task.complete(NOW)
    assert task.completed_at == task.updated_at > NOW
