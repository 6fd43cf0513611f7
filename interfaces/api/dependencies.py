"""Small FastAPI dependencies shared by the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Path, Request

from interfaces.container import Container

MAX_ID = 2**63 - 1

Id = Annotated[int, Path(gt=0, le=MAX_ID, description="A positive 64-bit id.")]


# Dependencies are ``async``: FastAPI runs a sync one in its thread pool, a hop per request.
async def container(request: Request) -> Container:
    found: Container = request.app.state.container
    return found


Services = Annotated[Container, Depends(container)]


async def require_json(
    request: Request,
    content_type: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> None:
    """A body must be JSON: any other content type, or none, is a 415.

    A request without a body and without a content type goes on, to be told
    that its body is missing (422).
    """
    if content_type is None:
        has_body = request.headers.get("content-length", "0") != "0" or (
            "transfer-encoding" in request.headers
        )
        if has_body:
            raise HTTPException(415, "Content-Type must be application/json")
        return
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise HTTPException(415, f"Content-Type must be application/json, not {media_type!r}")


def parse_if_match(value: str | None) -> frozenset[int] | None:
    """The versions an ``If-Match`` header accepts; ``None`` when any version does.

    Takes ``"N"``, ``W/"N"``, lists of them, or ``*``. A value naming no
    version (malformed) accepts none, so it fails as a precondition.
    """
    if value is None or value.strip() == "*":
        return None
    versions: set[int] = set()
    for raw_tag in value.split(","):
        tag = raw_tag.strip().removeprefix("W/")
        if len(tag) >= 3 and tag[0] == tag[-1] == '"' and tag[1:-1].isdigit():
            versions.add(int(tag[1:-1]))
    return frozenset(versions)
