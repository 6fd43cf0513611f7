"""Users, projects and tags: rules and use cases on in-memory adapters."""

from datetime import UTC, datetime

import pytest

from application.errors import Conflict, InvalidReference, NotFound, PreconditionFailed
from application.pagination import NameSort, PageQuery
from application.projects.create_project import CreateProject
from application.projects.update_project import UpdateProject
from application.tasks.create_task import CreateTask
from application.tasks.update_task import UpdateTask
from application.users.delete_user import DeleteUserHandler
from application.users.register_user import RegisterUser
from application.users.update_user import UpdateUser
from domain.errors import DomainError, Violation
from domain.projects import Project, ProjectChanges
from domain.tasks import TaskChanges
from domain.users import User, UserChanges
from domain.values import Status
from infrastructure.memory.store import InMemoryStore
from interfaces.container import Container
from tests.support.clock import FakeClock
from tests.support.recording import Read, RecordingUnitOfWork

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


async def test_a_missing_reference_is_named_with_what_it_should_name(services: Container) -> None:
    with pytest.raises(InvalidReference) as error:
        await services.create_task()(CreateTask(title="x", project_id=5, assignee_id=6))
    assert error.value.violations == [
        Violation("project_id", "project does not exist", "reference_not_found"),
        Violation("assignee_id", "user does not exist", "reference_not_found"),
    ]
    with pytest.raises(InvalidReference) as error:
        await services.create_project()(CreateProject(name="p", owner_id=9))
    assert error.value.violations == [
        Violation("owner_id", "user does not exist", "reference_not_found")
    ]


async def test_views_carry_every_field_of_what_was_stored(
    services: Container, clock: FakeClock
) -> None:
    ada = await services.register_user()(RegisterUser(email=" Ada@Example.org", name="Ada"))
    assert (ada.email, ada.name, ada.version) == ("ada@example.org", "Ada", 1)
    assert ada.created_at == ada.updated_at == clock.now()
    project = await services.create_project()(
        CreateProject(name="Launch", description="the launch", owner_id=ada.id)
    )
    assert (project.name, project.description, project.owner_id, project.version) == (
        "Launch",
        "the launch",
        ada.id,
        1,
    )
    assert project.created_at == project.updated_at == clock.now()
    assert project.task_counts == dict.fromkeys(Status, 0)
    task = await services.create_task()(
        CreateTask(title="x", assignee_id=ada.id, project_id=project.id)
    )
    assert (task.assignee_id, task.project_id) == (ada.id, project.id)
    clock.advance(seconds=1)
    renamed = await services.update_project()(
        UpdateProject(project.id, ProjectChanges(name="Liftoff"))
    )
    assert (renamed.description, renamed.owner_id, renamed.version) == ("the launch", ada.id, 2)
    assert (renamed.created_at, renamed.updated_at) == (project.created_at, clock.now())
    assert renamed.task_counts == {Status.TODO: 1, Status.IN_PROGRESS: 0, Status.DONE: 0}
    again = await services.get_user()(ada.id)
    assert again == ada


async def test_each_use_case_says_which_user_or_project_is_missing(services: Container) -> None:
    calls = [
        (services.update_user(), UpdateUser(9, UserChanges(name="n")), "user 9"),
        (services.delete_user(), 9, "user 9"),
        (services.get_user(), 9, "user 9"),
        (services.update_project(), UpdateProject(9, ProjectChanges(name="n")), "project 9"),
        (services.delete_project(), 9, "project 9"),
        (services.get_project(), 9, "project 9"),
    ]
    for handler, argument, named in calls:
        with pytest.raises(NotFound) as error:
            await handler(argument)
        assert str(error.value) == f"{named} does not exist"


async def test_a_project_update_checks_the_version(
    services: Container, store: InMemoryStore
) -> None:
    project = await services.create_project()(CreateProject(name="p"))
    with pytest.raises(PreconditionFailed) as stale:
        await services.update_project()(
            UpdateProject(project.id, ProjectChanges(name="q"), frozenset({2}))
        )
    assert str(stale.value) == f"project {project.id} is at version 1; it does not match If-Match"
    assert store.projects[project.id].name == "p"
    changed = await services.update_project()(
        UpdateProject(project.id, ProjectChanges(name="q"), frozenset({1, 3}))
    )
    assert (changed.name, changed.version) == ("q", 2)


async def test_deleting_a_user_holds_them_off_other_writers_first(
    services: Container, store: InMemoryStore, clock: FakeClock
) -> None:
    ada = await services.register_user()(RegisterUser(email="ada@example.org", name="Ada"))
    recording = RecordingUnitOfWork(store)
    await DeleteUserHandler(lambda: recording, clock)(ada.id)
    assert recording.reads[0] == Read("users", "get", ada.id, True)
    assert store.users == {}


async def test_a_refused_user_deletion_names_every_clashing_project(
    services: Container,
) -> None:
    ada = await services.register_user()(RegisterUser(email="ada@example.org", name="Ada"))
    for name, owner in [("Launch", ada.id), ("Alpha", ada.id), ("Launch", None), ("Alpha", None)]:
        await services.create_project()(CreateProject(name=name, owner_id=owner))
    with pytest.raises(Conflict) as refused:
        await services.delete_user()(ada.id)
    assert str(refused.value) == (
        f"user {ada.id} owns projects named 'Alpha', 'Launch', and projects without an owner "
        "already have those names: rename or delete one of each pair first"
    )
