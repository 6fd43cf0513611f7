"""Roles, and the caller a driving adapter establishes for one request."""

from __future__ import annotations

import asyncio
import contextvars
from datetime import UTC, datetime

import pytest

from application import callers
from application.callers import Caller, acting_as
from application.errors import Forbidden, Unauthenticated
from domain.errors import DomainError
from domain.workspaces import Permission, Role, Workspace


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.READER, {Permission.READ}),
        (Role.WRITER, {Permission.READ, Permission.WRITE}),
        (Role.ADMIN, {Permission.READ, Permission.WRITE, Permission.ADMINISTER}),
    ],
)
def test_each_role_holds_the_permissions_of_the_roles_before_it(
    role: Role, allowed: set[Permission]
) -> None:
    assert {p for p in Permission if role.allows(p)} == allowed


def test_a_caller_without_the_permission_is_forbidden_and_told_why() -> None:
    reader = Caller(workspace_id=1, role=Role.READER)
    reader.require(Permission.READ)
    with pytest.raises(Forbidden, match="the role reader may not write") as refused:
        reader.require(Permission.WRITE)
    assert refused.value.role == Role.READER


def test_nothing_runs_outside_a_caller() -> None:
    # A context of its own, outside the caller every test acts as (tests/conftest.py).
    with pytest.raises(Unauthenticated, match=r"^no caller has been established$"):
        contextvars.Context().run(callers.current)


async def test_a_caller_holds_for_its_own_request_only(caller: Caller) -> None:
    seen: dict[int, int] = {}

    async def request(workspace_id: int) -> None:
        with acting_as(Caller(workspace_id + 10, Role.WRITER)):
            await asyncio.sleep(0)
            seen[workspace_id] = callers.current().workspace_id

    await asyncio.gather(request(1), request(2))
    assert seen == {1: 11, 2: 12}
    assert callers.current() == caller


def test_a_workspace_name_is_trimmed_and_required() -> None:
    now = datetime(2026, 12, 2, tzinfo=UTC)
    created = Workspace.create("  acme ", now)
    assert (created.id, created.name, created.created_at) == (None, "acme", now)
    with pytest.raises(DomainError):
        Workspace.create("   ", now)
