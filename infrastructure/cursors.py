"""Opaque, signed cursors: a page position that clients can hold but not forge."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import date, datetime
from typing import Any

from application.errors import InvalidCursor
from application.pagination import Position
from application.ports import CursorCodec
from infrastructure.settings import Settings

_SIGNATURE_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _tagged(value: object) -> list[Any]:
    if value is None:
        return ["n", None]
    if isinstance(value, bool):
        raise TypeError("booleans are not sort keys")
    if isinstance(value, int):
        return ["i", value]
    if isinstance(value, str):
        return ["s", value]
    if isinstance(value, datetime):
        return ["t", value.isoformat()]
    if isinstance(value, date):
        return ["d", value.isoformat()]
    raise TypeError(f"cannot put a {type(value).__name__} in a cursor")


_READERS: dict[str, Any] = {
    "n": lambda _: None,
    "i": int,
    "s": str,
    "t": datetime.fromisoformat,
    "d": date.fromisoformat,
}


def _scope_digest(scope: str) -> str:
    return hashlib.sha256(scope.encode()).hexdigest()[:16]


class HmacCursorCodec(CursorCodec):
    """``base64(payload).base64(hmac)``; the payload names the scope it was made for."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    @classmethod
    def from_settings(cls, settings: Settings) -> HmacCursorCodec:
        configured = settings.cursor_secret
        if configured is not None:
            return cls(configured.get_secret_value().encode())
        derived = b"taskhex-cursor:" + settings.database_url.get_secret_value().encode()
        return cls(hashlib.sha256(derived).digest())

    def _sign(self, payload: str) -> str:
        digest = hmac.new(self._secret, payload.encode(), hashlib.sha256).digest()
        return _b64(digest[:_SIGNATURE_BYTES])

    def encode(self, position: Position, scope: str) -> str:
        document = {"s": _scope_digest(scope), "p": [_tagged(v) for v in position]}
        payload = _b64(json.dumps(document, separators=(",", ":")).encode())
        return f"{payload}.{self._sign(payload)}"

    def decode(self, cursor: str, scope: str) -> Position:
        try:
            payload, signature = cursor.split(".")
            if not hmac.compare_digest(signature, self._sign(payload)):
                raise InvalidCursor()
        except (ValueError, TypeError) as error:  # not two parts, or not ASCII
            raise InvalidCursor() from error
        document = json.loads(_unb64(payload))
        if document["s"] != _scope_digest(scope):
            raise InvalidCursor()
        # Signed by us: the payload is well formed.
        return tuple(_READERS[tag](value) for tag, value in document["p"])
