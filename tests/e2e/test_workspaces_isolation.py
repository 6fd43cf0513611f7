"""Two workspaces, A and B, through the real app: nothing of one is seen or changed from the other.

Each has a writer key and a client of its own on one container (one database). What
A makes is, to B, exactly what does not exist: a 404 like a missing id, a 422
``reference_not_found`` like a missing reference, nothing in a list, a total, a tag
or a stat, nothing a bulk operation counts; A's cursors are refused in B (400) and
an idempotency key means nothing across them. Uniqueness holds per workspace, and
concurrent traffic of both never mixes.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import httpx
import pytest

from domain.workspaces import Role
from interfaces.container import Container
from tests.support.http import serving
from tests.support.keys import issue_key, make_workspace

MISSING: Final = 2**62
"""An id that no row of any workspace has."""
PROBLEM: Final = "application/problem+json"
RESOURCES: Final = ("tasks", "users", "projects")
COLLECTIONS: Final = ("tasks", "users", "projects", "tags")


@dataclass
class Seeded:
    """What one workspace made: its ids by resource, and its titles' prefix."""

    prefix: str
    users: list[int] = field(default_factory=list)
    projects: list[int] = field(default_factory=list)
    tasks: list[int] = field(default_factory=list)

    def ids(self, resource: str) -> list[int]:
        found: list[int] = getattr(self, resource)
        return found


@dataclass
class Workspaces:
    container: Container
    a: httpx.AsyncClient
    b: httpx.AsyncClient


@pytest.fixture
async def two(container: Container) -> AsyncIterator[Workspaces]:
    """Workspaces ``alpha`` (A) and ``beta`` (B), a writer's client in each."""
    keys = []
    for name in ("alpha", "beta"):
        workspace_id = await make_workspace(container, name)
        keys.append(await issue_key(container, Role.WRITER, workspace_id))
    async with serving(container, key=keys[0]) as a, serving(container, key=keys[1]) as b:
        yield Workspaces(container, a, b)


def created(answer: httpx.Response) -> int:
    assert answer.status_code == 201, answer.text
    made: int = answer.json()["id"]
    return made


async def seed(http: httpx.AsyncClient, prefix: str, extra_tasks: int = 0) -> Seeded:
    """The same names in every workspace (an e-mail, an ownerless project, a project of the
    user's, the tag ``shared``), titles and one tag of the workspace's own."""
    seeded = Seeded(prefix)
    for email in ("same@example.com", f"{prefix}@example.com"):
        body = {"email": email, "name": f"{prefix} {email}"}
        seeded.users.append(created(await http.post("/api/v1/users", json=body)))
    projects: list[dict[str, Any]] = [
        {"name": "Inbox", "description": f"{prefix} inbox"},
        {"name": "Plan", "owner_id": seeded.users[0], "description": f"{prefix} plan"},
    ]
    for body in projects:
        seeded.projects.append(created(await http.post("/api/v1/projects", json=body)))
    yesterday = (datetime.now(UTC) - timedelta(days=2)).date().isoformat()
    tasks: list[dict[str, Any]] = [
        {
            "title": f"{prefix} done",
            "status": "done",
            "tags": ["shared", f"{prefix}-only"],
            "project_id": seeded.projects[1],
            "assignee_id": seeded.users[0],
        },
        {
            "title": f"{prefix} overdue",
            "due_date": yesterday,
            "priority": "high",
            "tags": ["shared"],
        },
        {"title": f"{prefix} inbox", "project_id": seeded.projects[0], "priority": "low"},
        *({"title": f"{prefix} extra {n}", "status": "in_progress"} for n in range(extra_tasks)),
    ]
    for body in tasks:
        seeded.tasks.append(created(await http.post("/api/v1/tasks", json=body)))
    return seeded


async def everything(http: httpx.AsyncClient, seeded: Seeded) -> dict[str, Any]:
    """All a workspace can see: each of its resources, every collection, its stats."""
    seen: dict[str, Any] = {}
    for resource in RESOURCES:
        for id_ in seeded.ids(resource):
            answer = await http.get(f"/api/v1/{resource}/{id_}")
            seen[f"{resource}/{id_}"] = (answer.status_code, answer.json())
    for collection in COLLECTIONS:
        answer = await http.get(f"/api/v1/{collection}", params={"limit": 100})
        assert answer.status_code == 200, answer.text
        seen[collection] = answer.json()
    seen["stats"] = (await http.get("/api/v1/tasks/stats")).json()
    return seen


def normalised(answer: httpx.Response, id_: int) -> tuple[int, str, Any]:
    """An answer with ``id_`` replaced in its text: how it compares with another id's."""
    text = re.sub(rf"\b{id_}\b", "{id}", answer.text)
    return answer.status_code, answer.headers.get("content-type", ""), text


LABELS: Final = {"tasks": "title", "users": "name", "projects": "description", "tags": "name"}


def only_own(page: dict[str, Any], prefix: str, collection: str) -> None:
    """Every item of ``page`` is the workspace's: its label starts with ``prefix`` (a tag's
    name is ``shared``, which both use, or the workspace's own)."""
    for item in page["items"]:
        label = str(item[LABELS[collection]])
        if collection == "tags":
            assert label in {"shared", f"{prefix}-only", f"{prefix}-tag"}, (prefix, item)
        else:
            assert label.startswith(prefix), (collection, prefix, item)


async def test_what_one_workspace_makes_the_other_never_sees_nor_changes(
    two: Workspaces,
) -> None:
    a, b = two.a, two.b
    mine = await seed(b, "beta")
    b_before = await everything(b, mine)
    theirs = await seed(a, "alpha", extra_tasks=2)
    a_before = await everything(a, theirs)
    assert await everything(b, mine) == b_before, "B sees something A made"

    # A's ids in B: a 404 exactly like an id that exists nowhere, for every method.
    for resource in RESOURCES:
        missing = {
            method: normalised(await b.request(method, f"/api/v1/{resource}/{MISSING}"), MISSING)
            for method in ("GET", "DELETE")
        }
        missing["PATCH"] = normalised(
            await b.patch(f"/api/v1/{resource}/{MISSING}", json={"name": "x", "title": "x"}),
            MISSING,
        )
        for id_ in theirs.ids(resource):
            for method in ("GET", "DELETE", "PATCH"):
                body = {"name": "x", "title": "x"} if method == "PATCH" else None
                answer = await b.request(method, f"/api/v1/{resource}/{id_}", json=body)
                assert answer.status_code == 404, (method, resource, answer.text)
                assert answer.headers["content-type"].startswith(PROBLEM)
                assert normalised(answer, id_) == missing[method], (method, resource)
    foreign_task = theirs.tasks[0]
    answer = await b.patch(
        f"/api/v1/tasks/{foreign_task}", json={"status": "todo"}, headers={"If-Match": '"1"'}
    )
    assert answer.status_code == 404

    # Filters naming A's project or user find nothing in B, as a missing one would.
    filters: list[dict[str, Any]] = [
        {"project_id": theirs.projects[1]},
        {"project_id": theirs.projects[0]},
        {"assignee_id": theirs.users[0]},
        {"tag": "alpha-only"},
        {"q": "alpha"},
    ]
    for params in filters:
        listed = (await b.get("/api/v1/tasks", params=params)).json()
        assert (listed["total"], listed["items"]) == (0, []), params
        if "q" not in params:
            stats = (await b.get("/api/v1/tasks/stats", params=params)).json()
            assert stats["total"] == 0, params

    # B's views of its own: its rows only, its counts only.
    tasks = b_before["tasks"]
    assert tasks["total"] == len(mine.tasks)
    assert sorted(t["id"] for t in tasks["items"]) == sorted(mine.tasks)
    for collection in COLLECTIONS:
        only_own(b_before[collection], "beta", collection)
        only_own(a_before[collection], "alpha", collection)
    assert b_before["stats"]["total"] == 3
    assert a_before["stats"]["total"] == 5
    assert a_before["stats"]["by_status"]["in_progress"] == 2
    assert b_before["stats"]["by_status"]["in_progress"] == 0
    assert b_before["stats"]["overdue"] == a_before["stats"]["overdue"] == 1
    assert {t["name"]: t["task_count"] for t in b_before["tags"]["items"]} == {
        "beta-only": 1,
        "shared": 2,
    }
    b_plan = b_before[f"projects/{mine.projects[1]}"][1]
    assert b_plan["task_counts"] == {"todo": 0, "in_progress": 0, "done": 1}
    assert (await b.get("/api/v1/tasks", params={"assignee_id": mine.users[0]})).json()[
        "total"
    ] == 1

    # Naming A's project or user in B is a 422 reference_not_found, like a missing one.
    own_task = mine.tasks[2]
    attempts: list[tuple[str, str, str, dict[str, Any]]] = [
        ("POST", "/api/v1/tasks", "project_id", {"title": "beta x"}),
        ("POST", "/api/v1/tasks", "assignee_id", {"title": "beta x"}),
        ("PATCH", f"/api/v1/tasks/{own_task}", "project_id", {}),
        ("PATCH", f"/api/v1/tasks/{own_task}", "assignee_id", {}),
        ("POST", "/api/v1/projects", "owner_id", {"name": "beta new"}),
        ("PATCH", f"/api/v1/projects/{mine.projects[0]}", "owner_id", {}),
    ]
    foreign = {"project_id": theirs.projects[1], "assignee_id": theirs.users[0]}
    foreign["owner_id"] = theirs.users[1]
    for method, path, name, body in attempts:
        answers = {}
        for id_ in (foreign[name], MISSING):
            answer = await b.request(method, path, json={**body, name: id_})
            assert answer.status_code == 422, (method, path, name, answer.text)
            [error] = answer.json()["errors"]
            assert (error["loc"], error["type"]) == (["body", name], "reference_not_found")
            answers[id_] = normalised(answer, id_)
        assert answers[foreign[name]] == answers[MISSING], (method, path, name)
    for name in ("project_id", "assignee_id"):
        item = {"title": "beta bulk", name: foreign[name]}
        answer = await b.post("/api/v1/tasks/bulk", json={"items": [{"title": "beta ok"}, item]})
        assert answer.status_code == 422, answer.text
        [error] = answer.json()["errors"]
        assert (error["loc"], error["type"]) == (["body", "items", 1, name], "reference_not_found")
        answer = await b.post(
            "/api/v1/tasks/bulk-update",
            json={"ids": mine.tasks, "changes": {name: foreign[name]}},
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["type"] == "reference_not_found"

    # Bulk operations in B naming A's tasks: a 404 (unknown ids) and 0 deleted.
    for ids in (theirs.tasks, [*theirs.tasks, mine.tasks[0]]):
        answer = await b.post(
            "/api/v1/tasks/bulk-update", json={"ids": ids, "changes": {"status": "todo"}}
        )
        assert answer.status_code == 404, answer.text
        assert answer.headers["content-type"].startswith(PROBLEM)
    answer = await b.post("/api/v1/tasks/bulk-delete", json={"ids": theirs.tasks})
    assert answer.json() == {"deleted": 0}

    assert await everything(a, theirs) == a_before, "B changed something of A's"
    assert await everything(b, mine) == b_before, "a refused request changed B"

    # B's own changes touch nothing of A's: names A shares, ids of both in one request.
    answer = await b.post("/api/v1/tasks/bulk-delete", json={"ids": [*theirs.tasks, mine.tasks[1]]})
    assert answer.json() == {"deleted": 1}
    answer = await b.post(
        "/api/v1/tasks/bulk-update", json={"ids": [mine.tasks[0]], "changes": {"status": "todo"}}
    )
    assert answer.json() == {"updated": 1}
    for path in (
        f"/api/v1/users/{mine.users[0]}",  # same@example.com, owner of B's Plan
        f"/api/v1/projects/{mine.projects[0]}",  # B's Inbox, with its task
        f"/api/v1/projects/{mine.projects[1]}",
    ):
        assert (await b.delete(path)).status_code == 204, path
    assert created(await b.post("/api/v1/users", json={"email": "SAME@example.com", "name": "x"}))
    assert await everything(a, theirs) == a_before, "B's changes reached A"
    # B's projects took their tasks with them; A's, of the same names, keep theirs.
    assert (await b.get("/api/v1/tasks")).json()["total"] == 0
    assert (await b.get("/api/v1/tags")).json()["items"] == []


async def test_uniqueness_holds_per_workspace_and_within_each(two: Workspaces) -> None:
    a, b = two.a, two.b
    for http, prefix in ((a, "alpha"), (b, "beta")):
        owner = created(
            await http.post("/api/v1/users", json={"email": "One@Example.com", "name": prefix})
        )
        for project in ({"name": "Roadmap"}, {"name": "Roadmap", "owner_id": owner}):
            created(await http.post("/api/v1/projects", json=project))
        for n in range(2):
            task = {"title": f"{prefix} {n}", "tags": ["shared", "docs"]}
            created(await http.post("/api/v1/tasks", json=task))
    for http in (a, b):
        again = await http.post("/api/v1/users", json={"email": "one@example.COM", "name": "x"})
        assert again.status_code == 409, again.text
        assert again.headers["content-type"].startswith(PROBLEM)
        owner = (await http.get("/api/v1/users")).json()["items"][0]["id"]
        for body in ({"name": "Roadmap"}, {"name": "Roadmap", "owner_id": owner}):
            assert (await http.post("/api/v1/projects", json=body)).status_code == 409, body
        tags = (await http.get("/api/v1/tags")).json()
        assert [(t["name"], t["task_count"]) for t in tags["items"]] == [("docs", 2), ("shared", 2)]
        assert tags["total"] == 2
        assert (await http.get("/api/v1/users")).json()["total"] == 1
        assert (await http.get("/api/v1/projects")).json()["total"] == 2


CURSORED: Final[list[tuple[str, dict[str, str]]]] = [
    ("tasks", {}),
    ("tasks", {"sort": "title", "tag": "shared"}),
    ("users", {}),
    ("projects", {"sort": "-created_at"}),
    ("tags", {}),
]


async def test_a_cursor_made_in_one_workspace_is_a_400_in_the_other(two: Workspaces) -> None:
    a, b = two.a, two.b
    await seed(a, "alpha")
    await seed(b, "beta", extra_tasks=1)
    for collection, params in CURSORED:
        for maker, user in ((a, b), (b, a)):
            path = f"/api/v1/{collection}"
            page = (await maker.get(path, params={**params, "limit": 1})).json()
            cursor = page["next_cursor"]
            assert cursor is not None, (collection, page)
            following = {**params, "limit": 1, "cursor": cursor}
            assert (await maker.get(path, params=following)).status_code == 200
            answer = await user.get(path, params=following)
            assert answer.status_code == 400, (collection, params, answer.text)
            assert answer.headers["content-type"].startswith(PROBLEM)
            assert answer.json()["status"] == 400


async def test_an_idempotency_key_means_nothing_in_another_workspace(two: Workspaces) -> None:
    a, b = two.a, two.b
    for path, body_of in (
        ("/api/v1/tasks", lambda title: {"title": title}),
        ("/api/v1/tasks/bulk", lambda title: {"items": [{"title": title}]}),
    ):

        def made(answer: httpx.Response) -> dict[str, Any]:
            assert answer.status_code == 201, answer.text
            body: dict[str, Any] = answer.json()
            return body["items"][0] if "items" in body else body

        # The same key with another body in B is no conflict, and B gets its own task.
        key = {"Idempotency-Key": f"order-1:{path}"}
        first_a = made(await a.post(path, json=body_of("alpha idem"), headers=key))
        first_b = made(await b.post(path, json=body_of("beta idem"), headers=key))
        assert first_b["title"] == "beta idem"
        assert first_b["id"] != first_a["id"]
        # Each workspace's replay is its own response.
        assert made(await b.post(path, json=body_of("beta idem"), headers=key)) == first_b
        assert made(await a.post(path, json=body_of("alpha idem"), headers=key)) == first_a
        # And within B the key is now B's: another body is a 422 there.
        assert (await b.post(path, json=body_of("beta other"), headers=key)).status_code == 422
        # The same key and the same body in both: each workspace gets a task of its own.
        key = {"Idempotency-Key": f"order-2:{path}"}
        second_a = made(await a.post(path, json=body_of("same idem"), headers=key))
        second_b = made(await b.post(path, json=body_of("same idem"), headers=key))
        assert second_b["id"] != second_a["id"]
        if path == "/api/v1/tasks":
            answer = await b.post(path, json=body_of("same idem"), headers=key)
            assert answer.headers["location"] == f"/api/v1/tasks/{second_b['id']}"
    for http, prefix in ((a, "alpha"), (b, "beta")):
        listed = (await http.get("/api/v1/tasks")).json()
        assert listed["total"] == 4
        titles = sorted(t["title"] for t in listed["items"])
        assert titles == [f"{prefix} idem", f"{prefix} idem", "same idem", "same idem"]
    b_ids = {t["id"] for t in (await b.get("/api/v1/tasks")).json()["items"]}
    for id_ in b_ids:
        assert (await a.get(f"/api/v1/tasks/{id_}")).status_code == 404


async def test_concurrent_traffic_of_two_workspaces_never_mixes(two: Workspaces) -> None:
    clients = {"alpha": two.a, "beta": two.b}
    seeded = {prefix: await seed(http, prefix) for prefix, http in clients.items()}

    async def step(prefix: str, n: int) -> tuple[str, str, httpx.Response]:
        http = clients[prefix]
        other = seeded["beta" if prefix == "alpha" else "alpha"]
        kind = n % 10
        if kind in (0, 5):
            body = {"title": f"{prefix} concurrent {n}", "tags": [f"{prefix}-tag", "shared"]}
            return prefix, "tasks", await http.post("/api/v1/tasks", json=body)
        if kind in (1, 6):
            shared: dict[str, Any] = {"limit": 100, "tag": "shared"}
            return prefix, "tasks", await http.get("/api/v1/tasks", params=shared)
        if kind in (2, 7):
            return prefix, "tags", await http.get("/api/v1/tags", params={"limit": 100})
        if kind in (3, 8):
            return prefix, "stats", await http.get("/api/v1/tasks/stats")
        if kind == 9:
            return prefix, "projects", await http.get("/api/v1/projects", params={"limit": 100})
        foreign = other.tasks[n % len(other.tasks)]
        return prefix, "foreign", await http.get(f"/api/v1/tasks/{foreign}")

    answers = await asyncio.gather(*(step(prefix, n) for n in range(20) for prefix in clients))
    for prefix, what, answer in answers:
        if what == "foreign":
            assert answer.status_code == 404, answer.text
        elif what == "stats":
            assert answer.status_code == 200, answer.text
            assert 3 <= answer.json()["total"] <= 7
        elif answer.request.method == "POST":
            assert created(answer)
            assert answer.json()["title"].startswith(prefix)
        else:
            assert answer.status_code == 200, answer.text
            only_own(answer.json(), prefix, what)
    for prefix, http in clients.items():
        listed = (await http.get("/api/v1/tasks", params={"limit": 100})).json()
        assert listed["total"] == 7
        only_own(listed, prefix, "tasks")
        tags = (await http.get("/api/v1/tags")).json()["items"]
        assert {t["name"]: t["task_count"] for t in tags} == {
            "shared": 6,
            f"{prefix}-only": 1,
            f"{prefix}-tag": 4,
        }
