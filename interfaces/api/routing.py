"""How a path finds its route: a fixed path is never read as an id, and a 405 names every
method the path supports.

``/api/v1/tasks/stats`` is the stats, whatever the method: ``PATCH`` on it is a
405 (``Allow: GET, HEAD``), not a PATCH of a task whose id is ``stats`` (a 422).
A path that no fixed route names (``/api/v1/tasks/abc``) still reaches the
route with the id, which answers 422 for an id that is not a positive integer.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import Scope


class Paths:
    """The app's routes, as the routers declared them (``app.state.paths``)."""

    def __init__(self, routers: Iterable[APIRouter]) -> None:
        self.routes = [r for router in routers for r in router.routes if isinstance(r, APIRoute)]
        self.fixed = frozenset(r.path for r in self.routes if not r.param_convertors)

    def allowed(self, scope: Scope) -> list[str]:
        """Every method some route answers on the request's path, for ``Allow``."""
        path = scope["path"]
        found: set[str] = set()
        for route in self.routes:
            if route.path_regex.match(path) and (
                not route.param_convertors or path not in self.fixed
            ):
                found |= route.methods or set()
        return sorted(found)


class FixedPathsFirst(APIRoute):
    """An API route that leaves to a fixed route the paths that route names."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is Match.NONE or not self.param_convertors:
            return match, child
        paths: Paths | None = getattr(scope["app"].state, "paths", None)
        if paths is not None and scope["path"] in paths.fixed:
            return Match.NONE, {}
        return match, child
