"""The in-memory adapters keep workspaces apart as the SQL ones do: by the caller."""

import pytest

from application.callers import Caller, acting_as
from application.errors import InvalidReference, NotFound
from application.pagination import PageQuery
from application.tasks.create_task import CreateTask, CreateTaskHandler
from application.tasks.delete_task import DeleteTaskHandler
from application.tasks.get_task import GetTaskHandler
from application.tasks.list_tasks import ListTasks, ListTasksHandler
from application.users.register_user import RegisterUser
from domain.workspaces import Role
from interfaces.container import Container

OTHER = Caller(2, Role.WRITER)


async def test_what_one_workspace_creates_another_neither_sees_nor_changes(
    create_task: CreateTaskHandler,
    get_task: GetTaskHandler,
    list_tasks: ListTasksHandler,
    delete_task: DeleteTaskHandler,
) -> None:
    mine = await create_task(CreateTask(title="mine", tags=["shared"]))
    with acting_as(OTHER):
        theirs = await create_task(CreateTask(title="theirs", tags=["shared"]))
        with pytest.raises(NotFound):
            await get_task(mine.id or 0)
        with pytest.raises(NotFound):
            await delete_task(mine.id or 0)
        seen = await list_tasks(ListTasks(page=PageQuery(100, offset=0)))
        assert [t.title for t in seen.items] == ["theirs"]
    assert (await get_task(mine.id or 0)).title == "mine"
    seen = await list_tasks(ListTasks(page=PageQuery(100, offset=0)))
    assert [t.id for t in seen.items] == [mine.id]
    assert theirs.id != mine.id


async def test_a_reference_to_another_workspace_is_a_reference_to_nothing(
    services: Container,
) -> None:
    owner = await services.register_user()(RegisterUser(email="a@example.org", name="A"))
    with acting_as(OTHER):
        # The same e-mail is free here: uniqueness holds per workspace.
        await services.register_user()(RegisterUser(email="a@example.org", name="A"))
        with pytest.raises(InvalidReference):
            await services.create_task()(CreateTask(title="x", assignee_id=owner.id))
