"""The OpenAPI document: valid, and complete enough for a client to rely on."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from typer.testing import CliRunner

from interfaces.api.app import TaskhexAPI, create_app
from interfaces.api.schemas.common import HealthOut
from interfaces.cli.main import app as taskhex
from interfaces.container import Container

TASKHEX = str(Path(sys.executable).with_name("taskhex"))
METHODS = {"get", "put", "post", "delete", "patch"}
PROBLEM_JSON = "application/problem+json"

Operation = tuple[str, str, dict[str, Any]]


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    schema: dict[str, Any] = create_app(Container()).openapi()
    return schema


def operations(document: dict[str, Any]) -> Iterator[Operation]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method.upper(), path, operation


def named(operation: Operation) -> str:
    return f"{operation[0]} {operation[1]}"


def example_of(media: dict[str, Any], document: dict[str, Any]) -> Any:
    if "example" in media:
        return media["example"]
    ref = media.get("schema", {}).get("$ref", "")
    examples = document["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {}).get("examples")
    return examples[0] if examples else None


def test_the_document_is_a_valid_openapi_3_1_document(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_every_operation_has_a_summary_and_tags(document: dict[str, Any]) -> None:
    for operation in operations(document):
        assert operation[2].get("summary"), named(operation)
        assert operation[2].get("tags"), named(operation)


def test_every_operation_documents_its_errors_as_problem_json(document: dict[str, Any]) -> None:
    for operation in operations(document):
        errors = {code: r for code, r in operation[2]["responses"].items() if int(code) >= 400}
        assert "500" in errors, named(operation)
        for code, response in errors.items():
            assert list(response["content"]) == [PROBLEM_JSON], (named(operation), code)
            media = response["content"][PROBLEM_JSON]
            assert media["schema"] == {"$ref": "#/components/schemas/Problem"}
            assert media["example"]["status"] == int(code), (named(operation), code)
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_a_collection_that_takes_a_cursor_documents_the_400_for_a_bad_one(
    document: dict[str, Any],
) -> None:
    lists = [
        op
        for op in operations(document)
        if any(p.get("name") == "cursor" for p in op[2].get("parameters", []))
    ]
    for operation in lists:
        assert "400" in operation[2]["responses"], named(operation)


def test_every_request_and_answer_with_a_body_has_an_example(document: dict[str, Any]) -> None:
    for operation in operations(document):
        contents = {
            "request": operation[2].get("requestBody", {}).get("content", {}),
            **{code: r.get("content", {}) for code, r in operation[2]["responses"].items()},
        }
        for where, content in contents.items():
            for media in content.values():
                assert example_of(media, document) is not None, (named(operation), where)


def test_every_example_fits_its_schema(document: dict[str, Any]) -> None:
    components = {"components": document["components"]}
    for operation in operations(document):
        contents = [operation[2].get("requestBody", {}).get("content", {})]
        contents += [r.get("content", {}) for r in operation[2]["responses"].values()]
        for content in contents:
            for media in content.values():
                example = example_of(media, document)
                validator = Draft202012Validator({**media["schema"], **components})
                errors = [e.message for e in validator.iter_errors(example)]
                assert errors == [], (named(operation), errors)


def test_every_answer_names_the_request_id_header(document: dict[str, Any]) -> None:
    for operation in operations(document):
        for code, response in operation[2]["responses"].items():
            assert "X-Request-ID" in response["headers"], (named(operation), code)


async def test_the_served_document_is_the_completed_one(document: dict[str, Any]) -> None:
    app = create_app(Container())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        served = await client.get("/openapi.json")
    assert served.status_code == 200
    assert served.json() == document


def test_taskhex_openapi_prints_the_document(document: dict[str, Any], tmp_path: Path) -> None:
    printed = subprocess.run(
        [TASKHEX, "openapi"], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(printed.stdout) == document
    target = tmp_path / "openapi.json"
    written = CliRunner().invoke(taskhex, ["openapi", "--output", str(target)])
    assert written.exit_code == 0, written.output
    assert str(target) in written.stdout
    assert json.loads(target.read_text()) == document


def test_a_route_that_documents_nothing_still_gets_its_errors_examples_and_request_id() -> None:
    bare = TaskhexAPI()

    @bare.get("/ping", summary="Ping", tags=["misc"])
    async def ping() -> HealthOut:
        return HealthOut(status="ok")

    schema = bare.openapi()
    validate(schema)
    [operation] = [op for _, _, op in operations(schema)]
    assert operation["responses"]["500"]["content"][PROBLEM_JSON]["example"]["status"] == 500
    assert operation["responses"]["200"]["content"]["application/json"]["example"] == {
        "status": "ok",
        "database": "ok",
    }
    assert "Problem" in schema["components"]["schemas"]
    assert bare.openapi() is schema


def test_the_key_operations_document_their_answers(document: dict[str, Any]) -> None:
    keys = document["paths"]["/api/v1/keys"]
    answers = {
        ("post", "/api/v1/keys"): {"201", "401", "403", "415", "422", "429", "500"},
        ("get", "/api/v1/keys"): {"200", "400", "401", "403", "422", "429", "500"},
        ("delete", "/api/v1/keys/{key_id}"): {
            "204",
            "401",
            "403",
            "404",
            "409",
            "422",
            "429",
            "500",
        },
    }
    for (method, path), codes in answers.items():
        assert set(document["paths"][path][method]["responses"]) == codes, (method, path)
    created = keys["post"]["responses"]["201"]["content"]["application/json"]
    assert created["example"]["secret"].startswith("thx_")
    listed = document["components"]["schemas"]["KeyOut"]
    assert "secret" not in listed["properties"]
    assert listed["properties"]["role"]["enum"] == ["reader", "writer", "admin"]
