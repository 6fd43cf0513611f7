"""Users, projects and tags: rules and use cases on in-memory adapters."""

from datetime import UTC, datetime

import pytest

from application.errors import Conflict, InvalidReference, NotFound, PreconditionFailed
from application.pagination import NameSort, PageQuery
from application.projects.create_project import CreateProject
from application.projects.update_project import UpdateProject
from application.tasks.create_task import CreateTask
from application.tasks.update_task import UpdateTask
from application.users.register_user import RegisterUser
from application.users.update_user import UpdateUser
from domain.errors import DomainError
from domain.projects import Project, ProjectChanges
from domain.tasks import TaskChanges
from domain.users import User, UserChanges
from domain.values import Status
from infrastructure.memory.store import InMemoryStore
from interfaces.container import Container
from tests.support.clock import FakeClock

NOW = datetime(2026, 11, 24, 17, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    "email",
    ["ada", "ada@example", "@example.org", "ada@.org", "ada@example.", "a b@example.org",
     "ada@@example.org", "x" * 250 + "@example.org"],
)  # fmt: skip
def test_an_email_needs_a_local_part_and_a_dotted_domain(email: str) -> None:
    with pytest.raises(DomainError) as error:
        User.register(email=email, name="Ada", now=NOW)
    assert [v.field for v in error.value.violations] == ["email"]


def test_an_email_is_trimmed_and_lower_cased() -> None:
    assert User.register(email=" Ada@Example.ORG ", name="Ada", now=NOW).email == "ada@example.org"


def test_a_user_name_is_1_to_120_characters() -> None:
    with pytest.raises(DomainError):
        User.register(email="a@b.co", name="n" * 121, now=NOW)
    user = User.register(email="a@b.co", name="n" * 120, now=NOW)
    assert user.change(UserChanges(name="Other"), NOW)
    assert user.version == 2


def test_a_project_description_may_be_cleared_and_its_owner_changed() -> None:
    project = Project.create(name=" Launch ", description="d", owner_id=3, now=NOW)
    assert project.name == "Launch"
    assert project.change(ProjectChanges(description=" ", owner_id=None), NOW)
    assert (project.description, project.owner_id, project.version) == (None, None, 2)


async def test_emails_are_unique_without_regard_to_case(services: Container) -> None:
    await services.register_user()(RegisterUser(email="ada@example.org", name="Ada"))
    with pytest.raises(Conflict):
        await services.register_user()(RegisterUser(email="ADA@example.org", name="Other"))


async def test_changing_an_email_to_a_taken_one_is_a_conflict(services: Container) -> None:
    await services.register_user()(RegisterUser(email="ada@example.org", name="Ada"))
    bob = await services.register_user()(RegisterUser(email="bob@example.org", name="Bob"))
    with pytest.raises(Conflict):
        await services.update_user()(UpdateUser(bob.id, UserChanges(email="Ada@example.org")))


async def test_a_user_update_checks_the_version(services: Container, clock: FakeClock) -> None:
    ada = await services.register_user()(RegisterUser(email="ada@example.org", name="Ada"))
    with pytest.raises(PreconditionFailed):
        await services.update_user()(UpdateUser(ada.id, UserChanges(name="A"), frozenset({7})))
    clock.advance(seconds=1)
    changed = await services.update_user()(
        UpdateUser(ada.id, UserChanges(name="A"), frozenset({1}))
    )
    assert (changed.name, changed.version, changed.updated_at) == ("A", 2, clock.now())


async def test_project_names_are_unique_per_owner_and_among_ownerless(services: Container) -> None:
    ada = await services.register_user()(RegisterUser(email="ada@example.org", name="Ada"))
    await services.create_project()(CreateProject(name="Launch", owner_id=ada.id))
    await services.create_project()(CreateProject(name="Launch"))
    with pytest.raises(Conflict):
        await services.create_project()(CreateProject(name="Launch", owner_id=ada.id))
    with pytest.raises(Conflict):
        await services.create_project()(CreateProject(name="Launch"))
    await services.create_project()(CreateProject(name="launch"))


async def test_references_to_missing_rows_name_their_fields(services: Container) -> None:
    with pytest.raises(InvalidReference) as error:
        await services.create_task()(CreateTask(title="x", project_id=5, assignee_id=6))
    assert [v.field for v in error.value.violations] == ["project_id", "assignee_id"]
    with pytest.raises(InvalidReference):
        await services.create_project()(CreateProject(name="p", owner_id=9))
    task = await services.create_task()(CreateTask(title="x"))
    with pytest.raises(InvalidReference):
        await services.update_task()(UpdateTask(task.id, TaskChanges(assignee_id=4)))
    project = await services.create_project()(CreateProject(name="p"))
    with pytest.raises(InvalidReference):
        await services.update_project()(UpdateProject(project.id, ProjectChanges(owner_id=4)))


async def test_deleting_a_user_unassigns_tasks_and_disowns_projects_as_changes(
    services: Container, store: InMemoryStore
) -> None:
    ada = await services.register_user()(RegisterUser(email="ada@example.org", name="Ada"))
    project = await services.create_project()(CreateProject(name="p", owner_id=ada.id))
    task = await services.create_task()(
        CreateTask(title="x", assignee_id=ada.id, project_id=project.id)
    )
    await services.delete_user()(ada.id)
    assert store.users == {}
    assert (store.tasks[task.id].assignee_id, store.tasks[task.id].version) == (None, 2)
    assert (store.projects[project.id].owner_id, store.projects[project.id].version) == (None, 2)
    with pytest.raises(NotFound):
        await services.delete_user()(ada.id)


async def test_a_user_whose_project_name_an_ownerless_project_has_is_not_deleted(
    services: Container, store: InMemoryStore
) -> None:
    ada = await services.register_user()(RegisterUser(email="ada@example.org", name="Ada"))
    await services.create_project()(CreateProject(name="Launch", owner_id=ada.id))
    await services.create_project()(CreateProject(name="Other", owner_id=ada.id))
    await services.create_project()(CreateProject(name="Launch"))
    task = await services.create_task()(CreateTask(title="x", assignee_id=ada.id))
    with pytest.raises(Conflict, match="'Launch'") as refused:
        await services.delete_user()(ada.id)
    assert "'Other'" not in str(refused.value)
    assert ada.id in store.users
    assert (store.tasks[task.id].assignee_id, store.tasks[task.id].version) == (ada.id, 1)
    assert {p.owner_id for p in store.projects.values()} == {ada.id, None}


def test_disowning_a_project_is_a_change() -> None:
    project = Project.create(name="p", owner_id=3, now=NOW)
    assert project.disown(NOW) == {"owner_id"}
    assert (project.owner_id, project.version) == (None, 2)
    assert project.disown(NOW) == frozenset()


async def test_deleting_a_project_deletes_its_tasks(
    services: Container, store: InMemoryStore
) -> None:
    project = await services.create_project()(CreateProject(name="p"))
    await services.create_task()(CreateTask(title="in", project_id=project.id))
    kept = await services.create_task()(CreateTask(title="out"))
    await services.delete_project()(project.id)
    assert list(store.tasks) == [kept.id]
    with pytest.raises(NotFound):
        await services.delete_project()(project.id)


async def test_a_project_view_counts_its_tasks_by_status(services: Container) -> None:
    project = await services.create_project()(CreateProject(name="p"))
    for status in ("todo", "done", "done"):
        await services.create_task()(CreateTask(title="t", status=status, project_id=project.id))
    view = await services.get_project()(project.id)
    assert view.task_counts == {Status.TODO: 2 - 1, Status.IN_PROGRESS: 0, Status.DONE: 2}
    renamed = await services.update_project()(UpdateProject(project.id, ProjectChanges(name="q")))
    assert (renamed.name, renamed.task_counts[Status.DONE]) == ("q", 2)


async def test_missing_users_and_projects_are_not_found(services: Container) -> None:
    with pytest.raises(NotFound):
        await services.get_user()(1)
    with pytest.raises(NotFound):
        await services.get_project()(1)


async def test_users_and_projects_list_by_name_or_age(
    services: Container, clock: FakeClock
) -> None:
    for name in ("bob", "Ada", "cy"):
        await services.register_user()(RegisterUser(email=f"{name}@example.org", name=name))
        await services.create_project()(CreateProject(name=name))
        clock.advance(seconds=1)
    users = await services.list_users()(NameSort.parse("-created_at"), PageQuery(2))
    assert ([u.name for u in users.items], users.total) == (["cy", "Ada"], 3)
    projects = await services.list_projects()(NameSort.parse("name"), PageQuery(10, 1))
    assert [p.name for p in projects.items] == ["bob", "cy"]


async def test_tags_in_use_are_listed_by_name_with_counts(services: Container) -> None:
    await services.create_task()(CreateTask(title="a", tags=("b", "a")))
    await services.create_task()(CreateTask(title="b", tags=("b",)))
    page = await services.list_tags()(PageQuery(10))
    assert [(t.name, t.task_count) for t in page.items] == [("a", 1), ("b", 2)]
