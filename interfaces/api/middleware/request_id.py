"""Every HTTP request gets an id, ``asgi-correlation-id``'s middleware configured by our rule.

The caller's ``X-Request-ID`` is kept when it is a plausible id (1..128 characters
of letters, digits and ``._~:/+=-``); any other value, or none, is replaced by a
fresh uuid4 hex, so that nothing a client sends is echoed into logs unchecked.
The rule is the library's ``transformer``, not its ``validator``: a validator
that fails makes the library log a warning for every such request.
"""

from __future__ import annotations

import re
import uuid
from typing import Final

from asgi_correlation_id import CorrelationIdMiddleware
from starlette.types import ASGIApp

REQUEST_ID_HEADER: Final = "X-Request-ID"
_PLAUSIBLE_ID: Final = re.compile(r"[A-Za-z0-9._~:/+=-]{1,128}")


def plausible_or_fresh(candidate: str) -> str:
    """The caller's request id when it is plausible, else a new one."""
    candidate = candidate.strip()
    return candidate if _PLAUSIBLE_ID.fullmatch(candidate) else uuid.uuid4().hex


def identified(app: ASGIApp) -> ASGIApp:
    """``app`` with a request id for each request, sent back in ``X-Request-ID``."""
    return CorrelationIdMiddleware(
        app,
        header_name=REQUEST_ID_HEADER,
        update_request_header=False,
        validator=None,
        transformer=plausible_or_fresh,
    )
