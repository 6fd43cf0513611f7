"""What routes take from a request: the container, ids, paging, and the headers they honour.

Dependencies are ``async``: FastAPI runs a sync one in its thread pool, a hop per request.
"""

from __future__ import annotations

import enum
import re
from typing import Annotated, Final

from fastapi import Depends, Header, HTTPException, Path, Query, Request
from starlette.types import Scope

from application.pagination import LIMIT_DEFAULT, LIMIT_MAX, NameSortKey, PageQuery
from domain.values import SPACES
from interfaces.container import Container

MAX_ID: Final = 2**63 - 1
IDEMPOTENCY_HEADER: Final = "idempotency-key"
_PLAIN_MEDIA_TYPE: Final = re.compile(r"[a-z0-9!#$&^_.+-]{1,40}/[a-z0-9!#$&^_.+-]{1,60}")

Id = Annotated[int, Path(gt=0, le=MAX_ID, description="A positive 64-bit id.")]


async def container(request: Request) -> Container:
    found: Container = request.app.state.container
    return found


Services = Annotated[Container, Depends(container)]


async def page_query(
    limit: Annotated[int, Query(ge=1, le=LIMIT_MAX, description="1..100")] = LIMIT_DEFAULT,
    offset: Annotated[
        int | None, Query(ge=0, le=MAX_ID, description="Offset mode; default 0")
    ] = None,
    cursor: Annotated[
        str | None,
        Query(
            max_length=2048,
            description="Keyset mode: the `next_cursor` of the previous page, sent with "
            "the same sort and filters. A tampered or foreign cursor is a 400.",
        ),
    ] = None,
) -> PageQuery:
    """``limit`` with ``offset`` (offset mode) or ``cursor`` (keyset mode), not both."""
    return PageQuery(limit=limit, offset=offset, cursor=cursor)


Paging = Annotated[PageQuery, Depends(page_query)]


def sort_pattern(keys: type[enum.StrEnum]) -> str:
    """A sort as the schema states it: one of ``keys``, ``-`` for descending, trimmed."""
    blank = f"[{SPACES}]*"
    return rf"^{blank}-?(?:{'|'.join(re.escape(k.value) for k in keys)}){blank}$"


NameOrder = Annotated[
    str,
    Query(
        max_length=50,
        pattern=sort_pattern(NameSortKey),
        description="name, created_at; '-' for descending",
    ),
]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="1..255 visible ASCII characters. The first request with a key is "
        "processed and its successful (2xx) response stored for at least 24 hours; a later "
        "request with the same key and the same JSON body gets that response again and "
        "changes nothing, even if the resource has changed or been deleted since. The same "
        "key with another body is a 422. While the first request is still in progress, a "
        "second one waits for it (up to 5 seconds) and replays its response, or gets a 409 "
        "if the wait is exceeded. Keys are scoped to the endpoint.",
    ),
]


async def expected_versions(
    if_match: Annotated[str | None, Header(max_length=200)] = None,
) -> frozenset[int] | None:
    """The versions the ``If-Match`` header accepts; ``None`` when any version does.

    Takes ``"N"``, ``W/"N"``, lists of them, or ``*``. A value naming no
    version (malformed) accepts none, so it fails as a precondition.
    """
    if if_match is None or if_match.strip() == "*":
        return None
    versions: set[int] = set()
    for raw_tag in if_match.split(","):
        tag = raw_tag.strip().removeprefix("W/")
        if len(tag) >= 3 and tag[0] == tag[-1] == '"' and tag[1:-1].isdigit():
            versions.add(int(tag[1:-1]))
    return frozenset(versions)


ExpectedVersions = Annotated[frozenset[int] | None, Depends(expected_versions)]


def body_framing(scope: Scope) -> tuple[int | None, bool]:
    """What the headers say of the body: its declared length, and whether it streams.

    It streams when its length is known only at its end: ``Transfer-Encoding``,
    or a ``Content-Length`` that is not a number.
    """
    length, streams = None, False
    for key, value in scope.get("headers", ()):
        name = key.lower()
        if name == b"content-length":
            text = value.strip()
            if text.isdigit():
                length = int(text)
            else:
                streams = True
        elif name == b"transfer-encoding":
            streams = True
    return length, streams


def carries_body(scope: Scope) -> bool:
    """Whether the request has a body: one that streams, or a declared length above 0."""
    length, streams = body_framing(scope)
    return streams or bool(length)


async def require_json(
    request: Request,
    content_type: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> None:
    """A body must be JSON: any other content type, or none, is a 415.

    A request without a body and without a content type goes on, to be told
    that its body is missing (422).
    """
    if content_type is None:
        if carries_body(request.scope):
            raise HTTPException(415, "Content-Type must be application/json")
        return
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        # Quoted only when it is short and plain: nothing a client sends is echoed unchecked.
        shown = f", not {media_type!r}" if _PLAIN_MEDIA_TYPE.fullmatch(media_type) else ""
        raise HTTPException(415, f"Content-Type must be application/json{shown}")


JsonBody = Depends(require_json)
