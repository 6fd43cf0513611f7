"""Schemathesis' check that a valid request is accepted, narrowed to what a schema can say.

Loaded by the suite (``tests/e2e/test_schemathesis.py``) and by a run from the
command line (``SCHEMATHESIS_HOOKS=tests.support.schema_checks``, see the
README), in place of the built-in ``positive_data_acceptance``: it registers under
that name. It lets pass
exactly the answers to rules that no OpenAPI schema can state, each named by
the problem the server answers with:

- 422 whose every error is ``reference_not_found``: a ``project_id``,
  ``assignee_id`` or ``owner_id`` that names no row (existence is data, not shape);
- 422 ``cursor_with_offset``: ``cursor`` and ``offset`` together (a rule
  between two parameters, which OpenAPI 3.1 has no way to state);
- 422 ``idempotency_key_reused``: a key already used with another body;
- 422 ``too_many_tags``: more than 20 distinct tags once trimmed, lower-cased and
  merged (a schema can bound the list, not count what it merges to);
- 400 ``invalid-cursor``: a cursor is opaque and signed, a string to the schema;
- 412 ``version-mismatch``: an ``If-Match`` that names no current version.

Anything else a schema-valid request is refused with still fails the run.
"""

from __future__ import annotations

from typing import Any, Final

import schemathesis
from schemathesis.checks import CHECKS
from schemathesis.specs.openapi.checks import positive_data_acceptance as built_in

_ERRORS_BEYOND_THE_SCHEMA: Final = {
    "reference_not_found",
    "cursor_with_offset",
    "idempotency_key_reused",
    "too_many_tags",
}
_PROBLEMS_BEYOND_THE_SCHEMA: Final = {
    (400, "urn:taskhex:problem:invalid-cursor"),
    (412, "urn:taskhex:problem:version-mismatch"),
}


def beyond_the_schema(status: int, problem: Any) -> bool:
    """Whether the answer refuses a rule that no schema can state (the list above)."""
    if not isinstance(problem, dict):
        return False
    if (status, problem.get("type")) in _PROBLEMS_BEYOND_THE_SCHEMA:
        return True
    errors = problem.get("errors") or []
    return (
        status == 422
        and bool(errors)
        and all(isinstance(e, dict) and e.get("type") in _ERRORS_BEYOND_THE_SCHEMA for e in errors)
    )


# Checks are registered by name, and a second one of a name is refused: the built-in goes.
CHECKS.unregister("positive_data_acceptance")


@schemathesis.check
def positive_data_acceptance(ctx: Any, response: Any, case: Any) -> bool | None:
    """The built-in check of that name, which this one replaces (checks are registered by
    name), but for the answers to rules beyond any schema."""
    if response.status_code in (400, 412, 422):
        try:
            problem = response.json()
        except ValueError:
            problem = None
        if beyond_the_schema(response.status_code, problem):
            return None
    return built_in(ctx, response, case)
