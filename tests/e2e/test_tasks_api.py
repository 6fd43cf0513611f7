"""The single-task part of the REST contract, checked from outside over HTTP.

Create, read, change and delete one task: validation, trimming, tags,
timestamps, versions, ETag/If-Match, ids and the problem+json error shape.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

TASKS = "/api/v1/tasks"
MAX_ID = 2**63 - 1
JSON = {"content-type": "application/json"}

TASK_KEYS = {
    "id",
    "title",
    "description",
    "status",
    "priority",
    "due_date",
    "project_id",
    "assignee_id",
    "tags",
    "created_at",
    "updated_at",
    "completed_at",
    "version",
}
RFC3339_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|\+00:00)")


async def create(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    response = await client.post(TASKS, json={"title": "A task", **fields})
    assert response.status_code == 201, response.text
    task: dict[str, Any] = response.json()
    return task


async def fetch(client: httpx.AsyncClient, task_id: int) -> dict[str, Any]:
    response = await client.get(f"{TASKS}/{task_id}")
    assert response.status_code == 200, response.text
    task: dict[str, Any] = response.json()
    return task


async def stored_count(client: httpx.AsyncClient) -> int:
    response = await client.get(TASKS)
    assert response.status_code == 200, response.text
    total: int = response.json()["total"]
    return total


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """An RFC 9457 problem document with the given status; a 422 also lists its errors."""
    request = response.request
    assert response.status_code == status, (request.method, str(request.url), request.content[:200])
    assert response.headers["content-type"].split(";")[0] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    for key in ("type", "title", "detail"):
        assert isinstance(body[key], str)
        assert body[key]
    if status == 422:
        assert isinstance(body["errors"], list)
        assert body["errors"]
        for error in body["errors"]:
            assert isinstance(error["loc"], list)
            assert error["loc"]
            assert isinstance(error["msg"], str)
            assert isinstance(error["type"], str)
    return body


def assert_invalid(response: httpx.Response, *loc: str | int) -> dict[str, Any]:
    """A 422 problem with an error located at (or under) ``loc``."""
    body = assert_problem(response, 422)
    locs = [error["loc"] for error in body["errors"]]
    assert any(found[: len(loc)] == list(loc) for found in locs), locs
    return body


def timestamp(value: str) -> datetime:
    assert RFC3339_UTC.fullmatch(value), value
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.utcoffset() is not None
    assert parsed.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    return parsed


# --- creating ------------------------------------------------------------------------------------


async def test_creating_a_task_answers_201_with_location_etag_and_defaults(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(TASKS, json={"title": "Write the report"})

    assert response.status_code == 201
    assert response.headers["content-type"].split(";")[0] == "application/json"
    task = response.json()
    assert set(task) == TASK_KEYS
    assert isinstance(task["id"], int)
    assert task["id"] > 0
    assert response.headers["location"] == f"{TASKS}/{task['id']}"
    assert response.headers["etag"] == '"1"'
    assert task["title"] == "Write the report"
    assert task["description"] is None
    assert task["status"] == "todo"
    assert task["priority"] == "medium"
    assert task["due_date"] is None
    assert task["project_id"] is None
    assert task["assignee_id"] is None
    assert task["tags"] == []
    assert task["completed_at"] is None
    assert task["version"] == 1
    assert timestamp(task["created_at"]) == timestamp(task["updated_at"])


async def test_the_location_of_a_created_task_serves_that_task(client: httpx.AsyncClient) -> None:
    created = await client.post(TASKS, json={"title": "Follow me", "tags": ["b", "a"]})

    response = await client.get(created.headers["location"])

    assert response.status_code == 200
    assert response.json() == created.json()
    assert response.headers["etag"] == '"1"'


async def test_a_task_can_be_created_with_every_writable_field(client: httpx.AsyncClient) -> None:
    task = await create(
        client,
        title="Plan Q4",
        description="Budget and hiring",
        status="in_progress",
        priority="high",
        due_date="2026-12-01",
        tags=["q4", "docs"],
    )

    assert {k: task[k] for k in ("title", "description", "status", "priority", "due_date")} == {
        "title": "Plan Q4",
        "description": "Budget and hiring",
        "status": "in_progress",
        "priority": "high",
        "due_date": "2026-12-01",
    }
    assert task["tags"] == ["docs", "q4"]
    assert await fetch(client, task["id"]) == task


async def test_every_created_task_gets_its_own_id(client: httpx.AsyncClient) -> None:
    ids = [(await create(client, title=f"task {n}"))["id"] for n in range(3)]

    assert len(set(ids)) == 3
    assert all(isinstance(i, int) and i > 0 for i in ids)


async def test_nullable_fields_accept_null_on_create(client: httpx.AsyncClient) -> None:
    task = await create(client, description=None, due_date=None)

    assert task["description"] is None
    assert task["due_date"] is None


async def test_a_json_content_type_with_parameters_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post(
        TASKS,
        content=b'{"title": "charset"}',
        headers={"content-type": "application/json; charset=utf-8"},
    )

    assert response.status_code == 201, response.text
    assert response.json()["title"] == "charset"


# --- trimming and empty strings ------------------------------------------------------------------


async def test_every_string_in_a_create_body_is_trimmed_enums_included(
    client: httpx.AsyncClient,
) -> None:
    sent = {
        "title": "  Write it \t",
        "description": "\n notes  ",
        "status": " done ",
        "priority": "\thigh\n",
        "due_date": " 2026-12-01 ",
        "tags": ["  docs ", "q4\t"],
    }
    stored = {
        "title": "Write it",
        "description": "notes",
        "status": "done",
        "priority": "high",
        "due_date": "2026-12-01",
        "tags": ["docs", "q4"],
    }

    task = await create(client, **sent)

    assert {key: task[key] for key in stored} == stored
    assert await fetch(client, task["id"]) == task


async def test_inner_whitespace_of_a_string_is_kept(client: httpx.AsyncClient) -> None:
    task = await create(client, title=" inner   spaces\tstay ", description="a\n\nb")

    assert (task["title"], task["description"]) == ("inner   spaces\tstay", "a\n\nb")


async def test_an_optional_string_that_is_empty_after_trimming_counts_as_missing_on_create(
    client: httpx.AsyncClient,
) -> None:
    cases = [
        ("description", "", None),
        ("description", "   ", None),
        ("status", "  ", "todo"),
        ("priority", "", "medium"),
        ("due_date", " ", None),
    ]

    stored = [
        (field, sent, (await create(client, **{field: sent}))[field]) for field, sent, _ in cases
    ]

    assert stored == cases


async def test_a_title_that_is_empty_after_trimming_is_missing_on_create(
    client: httpx.AsyncClient,
) -> None:
    for title in ["", "   ", "\t\n "]:
        response = await client.post(TASKS, json={"title": title})

        body = assert_invalid(response, "body", "title")
        assert [e["type"] for e in body["errors"] if e["loc"] == ["body", "title"]] == ["missing"]
    assert await stored_count(client) == 0


# --- invalid bodies ------------------------------------------------------------------------------

TWENTY_ONE_TAGS = [f"tag{n}" for n in range(21)]

INVALID_VALUES: dict[str, list[tuple[str, Any]]] = {
    "texts": [
        ("title", None),
        ("title", 42),
        ("title", ["a list"]),
        ("title", "x" * 256),
        ("title", "a\x00b"),
        ("description", "x" * 2001),
        ("description", "nul \x00 inside"),
        ("description", 7),
    ],
    "enums": [
        ("status", "archived"),
        ("status", "DONE"),
        ("status", None),
        ("status", 1),
        ("priority", "urgent"),
        ("priority", "High"),
        ("priority", None),
    ],
    "tags": [
        ("tags", None),
        ("tags", "docs"),
        ("tags", [""]),
        ("tags", ["   "]),
        ("tags", ["has space"]),
        ("tags", ["dot.ted"]),
        ("tags", ["slash/ed"]),
        ("tags", ["ünïcode"]),
        ("tags", ["a" * 51]),
        ("tags", ["nul\x00"]),
        ("tags", [1]),
        ("tags", TWENTY_ONE_TAGS),
    ],
    "due_date": [
        ("due_date", "2026-13-01"),
        ("due_date", "2026-02-30"),
        ("due_date", "01/12/2026"),
        ("due_date", "20261201"),
        ("due_date", "2026-12-01T10:00:00Z"),
        ("due_date", "2026-12-01T00:00:00"),
        ("due_date", 20261201),
        ("due_date", 0),
    ],
    "unknown or server-owned": [
        ("unknown", 1),
        ("Title", "wrong case"),
        ("project", None),
        ("id", 5),
        ("created_at", "2026-11-24T17:05:00Z"),
        ("updated_at", "2026-11-24T17:05:00Z"),
        ("completed_at", "2026-11-24T17:05:00Z"),
        ("completed_at", None),
        ("version", 3),
        ("version", None),
    ],
}


@pytest.mark.parametrize("kind", INVALID_VALUES)
async def test_an_invalid_field_on_create_is_a_422_naming_it_and_stores_nothing(
    client: httpx.AsyncClient, kind: str
) -> None:
    for field, value in INVALID_VALUES[kind]:
        response = await client.post(TASKS, json={"title": "A task", field: value})

        assert_invalid(response, "body", field)
    assert await stored_count(client) == 0


@pytest.mark.parametrize("kind", INVALID_VALUES)
async def test_an_invalid_field_on_patch_is_a_422_naming_it_and_changes_nothing(
    client: httpx.AsyncClient, kind: str
) -> None:
    task = await create(client, description="keep", tags=["keep"])

    for field, value in INVALID_VALUES[kind]:
        response = await client.patch(f"{TASKS}/{task['id']}", json={field: value})

        assert_invalid(response, "body", field)
    assert await fetch(client, task["id"]) == task


async def test_every_broken_field_is_reported_at_once(client: httpx.AsyncClient) -> None:
    response = await client.post(
        TASKS, json={"title": "x" * 256, "status": "nope", "priority": "nope", "extra": 1}
    )

    body = assert_problem(response, 422)
    locs = {tuple(e["loc"][:2]) for e in body["errors"]}
    assert {("body", "title"), ("body", "status"), ("body", "priority"), ("body", "extra")} <= locs


NOT_AN_OBJECT = [b"", b"   ", b'{"title": ', b"{'title': 'x'}", b'{"title": "x"} trailing']
NOT_AN_OBJECT += [b"[]", b'[{"title": "x"}]', b'"x"', b"42", b"null", b"true", b"\xff\xfe"]
NOT_AN_OBJECT += [b'{"title": "caf\xe9"}', b"[" * 100_000]  # Latin-1, not UTF-8; too deep


async def test_a_body_that_is_not_a_json_object_is_a_422(client: httpx.AsyncClient) -> None:
    task = await create(client)

    for method, url in [("POST", TASKS), ("PATCH", f"{TASKS}/{task['id']}")]:
        for content in NOT_AN_OBJECT:
            response = await client.request(method, url, content=content, headers=JSON)

            assert_problem(response, 422)
    assert await stored_count(client) == 1
    assert await fetch(client, task["id"]) == task


NOT_JSON = [
    ("text/plain", b'{"title": "plain"}'),
    ("application/x-www-form-urlencoded", b"title=form"),
    ("multipart/form-data; boundary=x", b'--x\r\nContent-Disposition: form-data; name="title"'),
    ("application/xml", b"<task><title>xml</title></task>"),
]


async def test_a_body_that_is_not_declared_as_json_is_a_415(client: httpx.AsyncClient) -> None:
    task = await create(client)

    for method, url in [("POST", TASKS), ("PATCH", f"{TASKS}/{task['id']}")]:
        for content_type, content in NOT_JSON:
            response = await client.request(
                method, url, content=content, headers={"content-type": content_type}
            )

            assert_problem(response, 415)
    assert await stored_count(client) == 1
    assert await fetch(client, task["id"]) == task


# --- lengths in code points ----------------------------------------------------------------------


@pytest.mark.parametrize(("field", "limit"), [("title", 255), ("description", 2000)])
async def test_lengths_count_code_points_not_bytes(
    client: httpx.AsyncClient, field: str, limit: int
) -> None:
    for char in ["a", "é", "€", "😀"]:  # 1 to 4 bytes in UTF-8
        at_limit = await client.post(TASKS, json={"title": "A task", field: char * limit})
        over_limit = await client.post(TASKS, json={"title": "A task", field: char * (limit + 1)})

        assert at_limit.status_code == 201, at_limit.text
        assert (await fetch(client, at_limit.json()["id"]))[field] == char * limit
        assert_invalid(over_limit, "body", field)


async def test_surrounding_whitespace_does_not_count_towards_the_title_length(
    client: httpx.AsyncClient,
) -> None:
    task = await create(client, title="  " + "t" * 255 + "  ")

    assert task["title"] == "t" * 255


# --- tags ----------------------------------------------------------------------------------------


async def test_tags_are_trimmed_lower_cased_merged_and_sorted(client: httpx.AsyncClient) -> None:
    cases = [
        ([" Q4", "docs", "DOCS", "b-team", "a_b", "q4 "], ["a_b", "b-team", "docs", "q4"]),
        (["zeta", "alpha", "Mid"], ["alpha", "mid", "zeta"]),
        (["x", "x", "x"], ["x"]),
        (["0-9_az"], ["0-9_az"]),
        ([], []),
    ]

    created = [(sent, await create(client, tags=sent)) for sent, _ in cases]

    assert [(sent, task["tags"]) for sent, task in created] == cases
    assert [(sent, (await fetch(client, t["id"]))["tags"]) for sent, t in created] == cases


async def test_twenty_tags_after_merging_duplicates_and_fifty_characters_a_tag_are_allowed(
    client: httpx.AsyncClient,
) -> None:
    distinct = [f"tag{n:02d}" for n in range(19)] + ["z" * 50]

    task = await create(client, tags=distinct + [t.upper() for t in distinct] + [" tag00 "])

    assert task["tags"] == distinct
    assert (await fetch(client, task["id"]))["tags"] == distinct


async def test_the_same_tag_on_two_tasks_is_shared_not_duplicated(
    client: httpx.AsyncClient,
) -> None:
    first = await create(client, tags=["shared", "one"])
    second = await create(client, tags=["SHARED", "two"])

    assert (await fetch(client, first["id"]))["tags"] == ["one", "shared"]
    assert (await fetch(client, second["id"]))["tags"] == ["shared", "two"]


# --- reading and deleting, ids -------------------------------------------------------------------


async def test_a_task_that_does_not_exist_is_a_404_problem(client: httpx.AsyncClient) -> None:
    task = await create(client)

    for method in ["GET", "PATCH", "DELETE"]:
        kwargs: dict[str, Any] = {"json": {"title": "new"}} if method == "PATCH" else {}
        for task_id in (task["id"] + 1, 10**12, MAX_ID):
            response = await client.request(method, f"{TASKS}/{task_id}", **kwargs)

            assert_problem(response, 404)
    assert await fetch(client, task["id"]) == task


BAD_IDS = ["0", "-1", "-0", "abc", "1.5", "1e3", "0x10", str(MAX_ID + 1), "9" * 30, "%20", "1%00"]


async def test_a_path_id_that_is_not_a_positive_64_bit_integer_is_a_422(
    client: httpx.AsyncClient,
) -> None:
    task = await create(client)

    for method in ["GET", "PATCH", "DELETE"]:
        kwargs: dict[str, Any] = {"json": {"title": "new"}} if method == "PATCH" else {}
        for raw_id in BAD_IDS:
            response = await client.request(method, f"{TASKS}/{raw_id}", **kwargs)

            assert_invalid(response, "path", "task_id")
    assert await fetch(client, task["id"]) == task


async def test_deleting_a_task_answers_204_and_the_task_is_gone(client: httpx.AsyncClient) -> None:
    task = await create(client, tags=["gone"])
    kept = await create(client, title="kept", tags=["gone"])

    response = await client.delete(f"{TASKS}/{task['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert_problem(await client.get(f"{TASKS}/{task['id']}"), 404)
    assert_problem(await client.delete(f"{TASKS}/{task['id']}"), 404)
    assert_problem(await client.patch(f"{TASKS}/{task['id']}", json={"title": "x"}), 404)
    assert await fetch(client, kept["id"]) == kept
    assert await stored_count(client) == 1


# --- partial updates -----------------------------------------------------------------------------


PATCHES: list[tuple[str, Any, Any]] = [
    ("title", "Renamed", "Renamed"),
    ("description", "Now with notes", "Now with notes"),
    ("status", "in_progress", "in_progress"),
    ("priority", "low", "low"),
    ("due_date", "2027-01-31", "2027-01-31"),
    ("tags", ["New", "docs", "new"], ["docs", "new"]),
    ("tags", [], []),
    ("description", None, None),
    ("due_date", None, None),
    ("description", "   ", None),
]


async def test_a_patch_changes_only_the_fields_present(client: httpx.AsyncClient) -> None:
    for field, value, stored in PATCHES:
        task = await create(
            client,
            title="Original",
            description="Original notes",
            priority="high",
            due_date="2026-12-01",
            tags=["docs", "q4"],
        )

        response = await client.patch(f"{TASKS}/{task['id']}", json={field: value})

        assert response.status_code == 200, response.text
        changed = response.json()
        assert (field, changed[field]) == (field, stored)
        assert changed["version"] == 2
        assert response.headers["etag"] == '"2"'
        untouched = TASK_KEYS - {field, "version", "updated_at"}
        assert {k: changed[k] for k in untouched} == {k: task[k] for k in untouched}
        assert await fetch(client, task["id"]) == changed


async def test_a_patch_trims_every_string_including_enums(client: httpx.AsyncClient) -> None:
    task = await create(client)

    response = await client.patch(
        f"{TASKS}/{task['id']}",
        json={
            "title": "  Trimmed  ",
            "description": " notes ",
            "status": " in_progress ",
            "priority": " low\t",
            "due_date": " 2026-12-24 ",
            "tags": [" Xmas "],
        },
    )

    assert response.status_code == 200, response.text
    changed = response.json()
    assert (changed["title"], changed["description"]) == ("Trimmed", "notes")
    assert (changed["status"], changed["priority"]) == ("in_progress", "low")
    assert (changed["due_date"], changed["tags"]) == ("2026-12-24", ["xmas"])
    assert changed["version"] == 2


async def test_a_title_that_is_empty_after_trimming_is_a_422_on_patch(
    client: httpx.AsyncClient,
) -> None:
    task = await create(client)

    for title in ["", "   ", "\n\t"]:
        response = await client.patch(f"{TASKS}/{task['id']}", json={"title": title})

        assert_invalid(response, "body", "title")
    assert await fetch(client, task["id"]) == task


async def test_null_for_a_field_that_is_not_nullable_is_a_422_on_patch(
    client: httpx.AsyncClient,
) -> None:
    task = await create(client, tags=["keep"])

    for field in ["title", "status", "priority", "tags"]:
        response = await client.patch(f"{TASKS}/{task['id']}", json={field: None})

        assert_invalid(response, "body", field)
    assert await fetch(client, task["id"]) == task


NO_OP_PATCHES: list[dict[str, Any]] = [
    {},
    {"title": "Same"},
    {"title": "  Same "},
    {"description": None},
    {"description": "  "},
    {"status": "todo"},
    {"priority": " medium "},
    {"due_date": None},
    {"tags": ["b", "a"]},
    {"tags": ["A", " b", "a"]},
    {"title": "Same", "status": "todo", "tags": ["a", "b"]},
]


async def test_a_patch_that_changes_nothing_keeps_version_and_updated_at(
    client: httpx.AsyncClient,
) -> None:
    task = await create(client, title="Same", tags=["a", "b"])

    for change in NO_OP_PATCHES:
        response = await client.patch(f"{TASKS}/{task['id']}", json=change)

        assert response.status_code == 200, response.text
        assert (change, response.json()) == (change, task)
        assert response.headers["etag"] == '"1"'
    assert await fetch(client, task["id"]) == task


async def test_every_real_change_adds_exactly_one_to_the_version(
    client: httpx.AsyncClient,
) -> None:
    task = await create(client)
    url = f"{TASKS}/{task['id']}"
    changes: list[dict[str, Any]] = [
        {"title": "Two"},
        {"title": "Two"},
        {"status": "done", "priority": "high", "tags": ["x", "y"], "due_date": "2026-01-01"},
        {"tags": ["y", "x"]},
        {"status": "todo"},
        {"description": "four"},
    ]
    versions = []
    for change in changes:
        response = await client.patch(url, json=change)
        assert response.status_code == 200, response.text
        versions.append(response.json()["version"])

    assert versions == [2, 2, 3, 3, 4, 5]
    assert (await fetch(client, task["id"]))["version"] == 5


async def test_updated_at_moves_forward_on_a_change_and_created_at_never_changes(
    client: httpx.AsyncClient,
) -> None:
    task = await create(client)
    url = f"{TASKS}/{task['id']}"
    seen = [task]
    for n in range(3):
        response = await client.patch(url, json={"title": f"Version {n + 2}"})
        seen.append(response.json())

    assert {t["created_at"] for t in seen} == {task["created_at"]}
    updated = [timestamp(t["updated_at"]) for t in seen]
    assert updated == sorted(updated)
    assert len(set(updated)) == len(updated)


async def test_a_rejected_patch_changes_neither_version_nor_updated_at(
    client: httpx.AsyncClient,
) -> None:
    task = await create(client, title="Stable")

    response = await client.patch(
        f"{TASKS}/{task['id']}", json={"title": "Changed", "tags": ["not valid"]}
    )

    assert_invalid(response, "body", "tags")
    assert await fetch(client, task["id"]) == task


# --- completed_at --------------------------------------------------------------------------------


async def test_creating_a_done_task_stamps_completed_at(client: httpx.AsyncClient) -> None:
    task = await create(client, status="done")

    assert task["completed_at"] is not None
    assert timestamp(task["created_at"]) <= timestamp(task["completed_at"])
    assert (await fetch(client, task["id"]))["completed_at"] == task["completed_at"]


async def test_completing_a_task_stamps_completed_at(client: httpx.AsyncClient) -> None:
    task = await create(client)

    response = await client.patch(f"{TASKS}/{task['id']}", json={"status": "done"})

    done = response.json()
    assert done["completed_at"] is not None
    completed = timestamp(done["completed_at"])
    assert timestamp(task["created_at"]) <= completed <= timestamp(done["updated_at"])
    assert (await fetch(client, task["id"]))["completed_at"] == done["completed_at"]


async def test_leaving_done_clears_completed_at_and_coming_back_stamps_a_new_one(
    client: httpx.AsyncClient,
) -> None:
    task = await create(client, status="done")
    url = f"{TASKS}/{task['id']}"

    seen = [(await client.patch(url, json={"status": s})).json() for s in ("todo", "done")]
    seen += [(await client.patch(url, json={"status": "in_progress"})).json()]

    assert [t["version"] for t in seen] == [2, 3, 4]
    assert [t["completed_at"] is None for t in seen] == [True, False, True]
    assert timestamp(seen[1]["completed_at"]) > timestamp(task["completed_at"])
    assert (await fetch(client, task["id"]))["completed_at"] is None


async def test_a_done_task_that_stays_done_keeps_its_completed_at(
    client: httpx.AsyncClient,
) -> None:
    task = await create(client)
    url = f"{TASKS}/{task['id']}"
    done = (await client.patch(url, json={"status": "done"})).json()

    for change, version in [
        ({"status": "done"}, 2),
        ({"status": "done", "title": "Renamed"}, 3),
        ({"tags": ["z"]}, 4),
    ]:
        response = await client.patch(url, json=change)

        assert response.status_code == 200, response.text
        assert response.json()["completed_at"] == done["completed_at"]
        assert response.json()["version"] == version
    assert (await fetch(client, task["id"]))["completed_at"] == done["completed_at"]


# --- timestamps ----------------------------------------------------------------------------------


async def test_timestamps_are_rfc3339_in_utc(client: httpx.AsyncClient) -> None:
    task = await create(client, status="done")
    fetched = await fetch(client, task["id"])

    for body in (task, fetched):
        for key in ("created_at", "updated_at", "completed_at"):
            timestamp(body[key])
    now = datetime.now(UTC)
    assert abs((now - timestamp(task["created_at"])).total_seconds()) < 3600


async def test_timestamps_keep_their_microseconds_through_the_database(
    client: httpx.AsyncClient,
) -> None:
    created = [await create(client, title=f"t{n}") for n in range(3)]
    changed = (await client.patch(f"{TASKS}/{created[0]['id']}", json={"status": "done"})).json()

    stored = [await fetch(client, t["id"]) for t in created]

    for before, after in zip(created[1:], stored[1:], strict=True):
        assert after["created_at"] == before["created_at"]
        assert after["updated_at"] == before["updated_at"]
    assert stored[0]["updated_at"] == changed["updated_at"]
    assert stored[0]["completed_at"] == changed["completed_at"]
    micros = {timestamp(t["created_at"]).microsecond for t in stored}
    assert micros != {0}


# --- ETag and If-Match ---------------------------------------------------------------------------


async def test_if_match_naming_the_current_version_lets_the_change_through(
    client: httpx.AsyncClient,
) -> None:
    task = await create(client)
    url = f"{TASKS}/{task['id']}"

    for version, if_match in enumerate(['"1"', 'W/"2"', "*", ' "4" '], start=1):
        response = await client.patch(
            url, json={"title": f"Matched {version}"}, headers={"If-Match": if_match}
        )

        assert response.status_code == 200, (if_match, response.text)
        assert response.json()["version"] == version + 1
        assert response.headers["etag"] == f'"{version + 1}"'
    assert (await fetch(client, task["id"]))["title"] == "Matched 4"


async def test_if_match_naming_another_version_is_a_412_and_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    task = await create(client)

    for if_match in ['"2"', 'W/"0"', '"999"', '"01x"', '"-1"']:
        for change in ({"title": "Lost"}, {}):  # even a change that changes nothing
            response = await client.patch(
                f"{TASKS}/{task['id']}", json=change, headers={"If-Match": if_match}
            )

            assert_problem(response, 412)
    assert await fetch(client, task["id"]) == task


async def test_an_etag_from_before_a_change_no_longer_matches(client: httpx.AsyncClient) -> None:
    created = await client.post(TASKS, json={"title": "Shared"})
    url = created.headers["location"]
    stale = created.headers["etag"]
    first = await client.patch(url, json={"title": "First"}, headers={"If-Match": stale})

    second = await client.patch(url, json={"title": "Second"}, headers={"If-Match": stale})

    assert first.status_code == 200
    assert_problem(second, 412)
    current = await client.get(url)
    assert current.json()["title"] == "First"
    assert current.headers["etag"] == first.headers["etag"] == '"2"'


async def test_a_missing_task_is_a_404_before_a_bad_body_or_a_stale_if_match(
    client: httpx.AsyncClient,
) -> None:
    await create(client)

    for content in [
        b'{"title": ""}',
        b'{"nope": 1}',
        b'{"tags": ["bad tag"]}',
        b"{broken",
        b"[]",
        b"",
    ]:
        response = await client.patch(
            f"{TASKS}/{MAX_ID}", content=content, headers={**JSON, "If-Match": '"7"'}
        )

        assert_problem(response, 404)


async def test_a_bad_body_is_a_422_before_a_stale_if_match(client: httpx.AsyncClient) -> None:
    task = await create(client)

    for content, field in [
        (b'{"title": ""}', "title"),
        (b'{"nope": 1}', "nope"),
        (b'{"version": 7}', "version"),
        (b'{"tags": ["bad tag"]}', "tags"),
        (b'{"title": "nul\\u0000"}', "title"),
        (b'{"status": "closed"}', "status"),
    ]:
        response = await client.patch(
            f"{TASKS}/{task['id']}", content=content, headers={**JSON, "If-Match": '"7"'}
        )

        assert_invalid(response, "body", field)
    assert_problem(
        await client.patch(
            f"{TASKS}/{task['id']}", content=b"[]", headers={**JSON, "If-Match": '"7"'}
        ),
        422,
    )
    assert await fetch(client, task["id"]) == task


async def test_every_single_task_answer_carries_the_etag_of_its_version(
    client: httpx.AsyncClient,
) -> None:
    created = await client.post(TASKS, json={"title": "Tagged"})
    url = created.headers["location"]
    patched = await client.patch(url, json={"priority": "high"})
    noop = await client.patch(url, json={"priority": "high"})
    fetched = await client.get(url)

    for response in (created, patched, noop, fetched):
        assert response.headers["etag"] == f'"{response.json()["version"]}"'
    assert [r.json()["version"] for r in (created, patched, noop, fetched)] == [1, 2, 2, 2]


# --- routes and methods --------------------------------------------------------------------------


async def test_an_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    for path in ["/", "/api/v1/nope", "/api/v2/tasks", "/api/v1/task", f"{TASKS}/1/comments"]:
        assert_problem(await client.get(path), 404)


WRONG_METHODS = [
    ("PUT", TASKS + "/{id}"),
    ("POST", TASKS + "/{id}"),
    ("DELETE", TASKS),
    ("PUT", TASKS),
    ("PATCH", TASKS),
    ("POST", f"{TASKS}/stats"),
]


async def test_a_wrong_method_is_a_405_problem(client: httpx.AsyncClient) -> None:
    task = await create(client)

    for method, path in WRONG_METHODS:
        response = await client.request(method, path.format(id=task["id"]), json={})

        assert_problem(response, 405)
    assert await fetch(client, task["id"]) == task
    assert await stored_count(client) == 1
