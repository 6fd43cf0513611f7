"""Idempotency keys: a request sent twice with the same key takes effect once."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

KEEP_FOR: Final = timedelta(hours=24)


@dataclass(frozen=True)
class IdempotencyKey:
    """A client's key, scoped to one operation, with a fingerprint of its request."""

    scope: str
    key: str
    fingerprint: str

    @staticmethod
    def fingerprint_of(document: object) -> str:
        """The same JSON value gives the same fingerprint, whatever its key order or spacing."""
        canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Reply:
    """What was answered to the first request, to be answered again to the next ones."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
