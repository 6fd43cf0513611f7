"""The OpenAPI document: what FastAPI derives from the routes, completed once.

- Every error answer is ``application/problem+json`` with the ``Problem``
  schema and an example; FastAPI's own 422 shape, which this API never sends,
  is replaced.
- Every operation documents the 500 it may answer, and every answer the
  ``X-Request-ID`` header (see ``middleware.request_id``).
- Every ``/api/v1`` operation needs a bearer key and documents the 401 and
  403 of ``middleware.authentication``, and the 429 of its rate limits.
- Schemas, answers and request bodies get examples (``examples.BY_SCHEMA``)
  when they have none of their own.

Routes need not repeat any of this. ``interfaces.api.print_openapi`` prints
the document.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from interfaces.api.middleware.authentication import is_protected
from interfaces.api.middleware.request_id import REQUEST_ID_HEADER
from interfaces.api.openapi import examples
from interfaces.api.problems.answers import PROBLEM_JSON
from interfaces.api.problems.documented import INVALID_INPUT
from interfaces.api.schemas.common import Problem

_METHODS: Final = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
_SCHEMAS: Final = "#/components/schemas/"
_PROBLEM_REF: Final = {"$ref": f"{_SCHEMAS}Problem"}
_FASTAPI_ONLY: Final = ("HTTPValidationError", "ValidationError")
_REQUEST_ID_PARAMETER: Final = {
    "name": REQUEST_ID_HEADER,
    "in": "header",
    "required": False,
    # Never refused: a value that is not a plausible id is replaced, not rejected.
    "description": "Your id for this request (echoed back and logged): 1..128 letters, "
    "digits or `._~:/+=-`. Any other value is replaced by a fresh id, as is a missing one.",
    "schema": {"type": "string"},
}
_REQUEST_ID_HEADER: Final = {
    "description": "The request id: the one sent, or the one the server made.",
    "schema": {"type": "string"},
}
_DESCRIPTIONS: Final = {
    "400": "The cursor was tampered with, or made for another collection, sort or filter",
    "422": INVALID_INPUT,
    "500": "Unexpected error; quote `correlation_id` (the request id) when reporting it",
    "401": "No `Authorization: Bearer` key, or one that is malformed, unknown or revoked",
    "403": "The key's role does not allow this request",
    "429": "Over the rate limit of the key (or, without a valid key, of the client address): "
    "retry after `Retry-After` seconds. Every answer carries `RateLimit-Policy` and `RateLimit`",
}
_RETRY_AFTER: Final = {
    "description": "Seconds until the rate limit's window starts again.",
    "schema": {"type": "integer"},
}
_BEARER: Final = {
    "type": "http",
    "scheme": "bearer",
    "description": "An API key (`thx_...`), made with `taskhex workspaces create` or "
    "`POST /api/v1/keys`; or, with AUTH=jwt, a token of the identity provider.",
}


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """Complete the document that FastAPI generated, in place; return it."""
    components = document.setdefault("components", {})
    schemas: dict[str, Any] = components.setdefault("schemas", {})
    _add_problem(schemas)
    for name, example in examples.BY_SCHEMA.items():
        if name in schemas:
            schemas[name].setdefault("examples", [example])
    components.setdefault("parameters", {})["RequestId"] = _REQUEST_ID_PARAMETER
    components.setdefault("headers", {})["RequestId"] = _REQUEST_ID_HEADER
    components.setdefault("securitySchemes", {})["bearer"] = _BEARER
    for path, path_item in document.get("paths", {}).items():
        for method, operation in path_item.items():
            if method in _METHODS:
                if is_protected(path):
                    _authenticated(operation)
                _complete_operation(operation, schemas)
    _link_created_resources(document.get("paths", {}))
    _integral_bounds(document)
    text = json.dumps(document)
    for name in _FASTAPI_ONLY:
        if f'"{_SCHEMAS}{name}"' not in text:
            schemas.pop(name, None)
    return document


_ITEM_PATH: Final = re.compile(r"^(?P<collection>.+)/\{(?P<name>\w+_id)\}$")


def _link_created_resources(paths: dict[str, Any]) -> None:
    """OpenAPI links from each create (a ``201`` of ``POST`` on a collection) to what
    can be done with the resource it made: the operations on ``{collection}/{id}``."""
    for path, item in paths.items():
        found = _ITEM_PATH.match(path)
        created = paths.get(found["collection"], {}).get("post", {}) if found else {}
        if not found or "201" not in created.get("responses", {}):
            continue
        links = created["responses"]["201"].setdefault("links", {})
        for method, operation in item.items():
            if method in _METHODS and "operationId" in operation:
                links[f"{method}_created"] = {
                    "operationId": operation["operationId"],
                    "parameters": {found["name"]: "$response.body#/id"},
                    "description": f"{method.upper()} the resource just created",
                }


_BOUNDS: Final = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_LARGEST_ID: Final = 2**63 - 1


def _integral_bounds(node: Any) -> None:
    """FastAPI's schema model keeps bounds as floats, which turns the largest id, 2**63-1,
    into 2**63: every integral bound is written back as the integer it was."""
    if isinstance(node, list):
        for item in node:
            _integral_bounds(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in _BOUNDS and isinstance(value, float) and value.is_integer():
                node[key] = _LARGEST_ID if value == float(_LARGEST_ID) else int(value)
            else:
                _integral_bounds(value)


def _add_problem(schemas: dict[str, Any]) -> None:
    if "Problem" not in schemas:
        problem = Problem.model_json_schema(ref_template=_SCHEMAS + "{model}")
        schemas.update(problem.pop("$defs", {}))
        schemas["Problem"] = problem
    schemas["Problem"].setdefault("examples", [examples.problem(404), examples.problem(422)])


def _authenticated(operation: dict[str, Any]) -> None:
    operation["security"] = [{"bearer": []}]
    responses = operation.setdefault("responses", {})
    for code in ("401", "403"):
        responses.setdefault(code, {"description": _DESCRIPTIONS[code]})
    responses.setdefault(
        "429", {"description": _DESCRIPTIONS["429"], "headers": {"Retry-After": _RETRY_AFTER}}
    )


def _complete_operation(operation: dict[str, Any], schemas: dict[str, Any]) -> None:
    parameters = operation.setdefault("parameters", [])
    if not any(p.get("name") == REQUEST_ID_HEADER for p in parameters):
        parameters.append({"$ref": "#/components/parameters/RequestId"})
    responses: dict[str, Any] = operation.setdefault("responses", {})
    responses.setdefault("500", {"description": _DESCRIPTIONS["500"]})
    if any(p.get("name") == "cursor" and p.get("in") == "query" for p in parameters):
        responses.setdefault("400", {"description": _DESCRIPTIONS["400"]})
    for code, response in responses.items():
        if code.isdigit() and int(code) >= 400:
            if code == "422" and response.get("description") in (None, "Validation Error"):
                response["description"] = _DESCRIPTIONS["422"]
            response["content"] = {
                PROBLEM_JSON: {"schema": _PROBLEM_REF, "example": examples.problem(int(code))}
            }
        else:
            _add_examples(response.get("content", {}), schemas)
        response.setdefault("headers", {})[REQUEST_ID_HEADER] = {
            "$ref": "#/components/headers/RequestId"
        }
    if body := operation.get("requestBody"):
        _add_examples(body.get("content", {}), schemas)


def _add_examples(content: dict[str, Any], schemas: dict[str, Any]) -> None:
    for media in content.values():
        if "example" in media or "examples" in media:
            continue
        example = _example_of(media.get("schema", {}), schemas)
        if example is not None:
            media["example"] = example


def _example_of(schema: dict[str, Any], schemas: dict[str, Any]) -> Any:
    """The first example of ``schema``, of the component it names, or of its title."""
    if schema.get("examples"):
        return schema["examples"][0]
    name = schema.get("$ref", "").removeprefix(_SCHEMAS) or schema.get("title", "")
    component = schemas.get(name, {})
    if component.get("examples"):
        return component["examples"][0]
    return examples.BY_SCHEMA.get(name)
