"""The task filters in SQL: conditions on named parameters, built once per combination.

``filter_parameters`` spells a filter as the values of bound parameters;
``filter_conditions`` builds the conditions for a set of parameter names and
keeps them. A statement built from them is the same object for every request
with the same combination of filters, so SQLAlchemy finds it in its compiled
cache by a key it computed once, instead of building the statement and its
key again each time.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, bindparam, exists, or_

from application.tasks.queries import TaskFilter
from infrastructure.persistence.models import metadata

task = metadata.tables["task"]
tag = metadata.tables["tag"]
task_tag = metadata.tables["task_tag"]


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def filter_parameters(task_filter: TaskFilter) -> dict[str, Any]:
    """The filter's values, by the names its conditions bind them to."""
    found: dict[str, Any] = {}
    if task_filter.statuses:
        found["statuses"] = sorted(s.value for s in task_filter.statuses)
    if task_filter.priorities:
        found["priorities"] = sorted(p.rank for p in task_filter.priorities)
    if task_filter.project_id is not None:
        found["project_id"] = task_filter.project_id
    if task_filter.assignee_id is not None:
        found["assignee_id"] = task_filter.assignee_id
    if task_filter.tag is not None:
        found["tag"] = task_filter.tag
    if task_filter.q is not None:
        found["q"] = _like_pattern(task_filter.q)
    if task_filter.due_before is not None:
        found["due_before"] = task_filter.due_before
    if task_filter.due_after is not None:
        found["due_after"] = task_filter.due_after
    return found


@lru_cache(maxsize=256)
def filter_conditions(names: frozenset[str]) -> tuple[ColumnElement[bool], ...]:
    """The conditions on the parameters ``names`` (from ``filter_parameters``), ANDed."""
    found: list[ColumnElement[bool]] = []
    if "statuses" in names:
        found.append(task.c.status.in_(bindparam("statuses", expanding=True)))
    if "priorities" in names:
        found.append(task.c.priority.in_(bindparam("priorities", expanding=True)))
    if "project_id" in names:
        found.append(task.c.project_id == bindparam("project_id"))
    if "assignee_id" in names:
        found.append(task.c.assignee_id == bindparam("assignee_id"))
    if "tag" in names:
        found.append(
            exists()
            .where(task_tag.c.task_id == task.c.id)
            .where(task_tag.c.tag_id == tag.c.id)
            .where(tag.c.name == bindparam("tag"))
        )
    if "q" in names:
        pattern = bindparam("q", type_=task.c.title.type)
        found.append(
            or_(
                task.c.title.ilike(pattern, escape="\\"),
                task.c.description.ilike(pattern, escape="\\"),
            )
        )
    if "due_before" in names:
        found.append(task.c.due_date <= bindparam("due_before"))
    if "due_after" in names:
        found.append(task.c.due_date >= bindparam("due_after"))
    return tuple(found)


def conditions(task_filter: TaskFilter) -> tuple[tuple[ColumnElement[bool], ...], dict[str, Any]]:
    """The conditions of ``task_filter`` and the parameters to execute them with."""
    parameters = filter_parameters(task_filter)
    return filter_conditions(frozenset(parameters)), parameters
