"""API keys: their secrets, the store that knows them, and the authenticator that trusts them.

A key is ``thx_<prefix>_<secret>``: ``thx_`` lets secret scanners spot one; the
prefix, 8 characters of ``[a-z0-9]``, is stored in clear so that a key can be
listed and recognised; the secret is 256 random bits in unpadded URL-safe
base64. Only a keyed hash of the whole key is stored.

The hash is HMAC-SHA256, a fast hash on purpose: a slow password hash protects
secrets that can be guessed, and 256 random bits cannot, so it would only make
every lookup slower. Keyed by ``KEY_HASH_SECRET``, a copy of the database alone
cannot even confirm a leaked key.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
import string
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, TypeVar

from application.callers import Caller
from application.errors import Unauthenticated
from application.key_secrets import IssuedSecret
from application.ports import Authenticator, Clock, KeySecrets
from domain.workspaces import Role
from infrastructure.settings import Settings

V = TypeVar("V")

__all__ = [
    "ApiKeyAuthenticator",
    "HmacKeySecrets",
    "IssuedSecret",
    "KeyStore",
    "KeyUse",
    "StoredKey",
    "hash_key_from",
    "hash_of",
    "new_secret",
    "prefix_of",
]

SCHEME = "thx_"
PREFIX_LENGTH = 8
_SECRET_BYTES = 32
_SECRET_LENGTH = 43
"""``len(secrets.token_urlsafe(32))``: 256 bits, base64 without its padding."""
KEY_LENGTH = len(SCHEME) + PREFIX_LENGTH + 1 + _SECRET_LENGTH
_PREFIX_ALPHABET = string.ascii_lowercase + string.digits
_SHAPE = re.compile(rf"thx_([a-z0-9]{{{PREFIX_LENGTH}}})_[A-Za-z0-9_-]{{{_SECRET_LENGTH}}}")
_DEVELOPMENT_HASH_KEY = b"taskhex-api-key-hash"
REFUSED = "the API key is missing, malformed, unknown or revoked"
"""The one message of every refusal: it never says which, nor quotes the key."""


def new_secret(hash_key: bytes) -> IssuedSecret:
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
    secret = f"{SCHEME}{prefix}_{secrets.token_urlsafe(_SECRET_BYTES)}"
    return IssuedSecret(secret, prefix, hash_of(secret, hash_key))


class HmacKeySecrets(KeySecrets):
    """New secrets, hashed under ``hash_key`` (``hash_key_from``) as the store keeps them."""

    def __init__(self, hash_key: bytes) -> None:
        self._hash_key = hash_key

    def issue(self) -> IssuedSecret:
        return new_secret(self._hash_key)


def hash_of(secret: str, hash_key: bytes) -> bytes:
    """The HMAC-SHA256 of the whole key under ``hash_key``: what the store keeps (32 bytes)."""
    return hmac.new(hash_key, secret.encode(), hashlib.sha256).digest()


def prefix_of(credentials: str) -> str | None:
    """The public prefix of credentials shaped like a key; ``None`` for anything else.

    Decided before anything is hashed or looked up, in time bounded by the length
    of a key however long the input is.
    """
    if len(credentials) != KEY_LENGTH:
        return None
    shape = _SHAPE.fullmatch(credentials)
    return None if shape is None else shape.group(1)


def hash_key_from(settings: Settings) -> bytes:
    """``KEY_HASH_SECRET``, or a fixed label when it is unset (fine for development).

    Unlike the cursor secret it is not derived from ``DATABASE_URL``: moving the
    database or changing its password must not invalidate every key.
    """
    configured = settings.key_hash_secret
    if configured is None:
        return _DEVELOPMENT_HASH_KEY
    return configured.get_secret_value().encode()


@dataclass(frozen=True)
class StoredKey:
    """A key that has not been revoked, as its store knows it.

    The authenticator compares ``key_hash`` with the hash it asked for, in constant
    time, so that a store that returned the wrong row would let nobody in.
    """

    id: int
    workspace_id: int
    role: Role
    key_hash: bytes = field(repr=False)


class KeyStore(Protocol):
    """The keys of every workspace, found by the hash of their whole secret.

    Looking a key up by its hash (an index in a database, a dict in memory) is
    safe although such a lookup does not take constant time: the hash is an
    HMAC of 256 random bits, which nobody can guess, and what the time of a
    lookup could reveal is at best something about the stored hashes, which
    authenticate nobody (finding a key for a hash means inverting HMAC-SHA256).
    """

    async def find(self, key_hash: bytes) -> StoredKey | None:
        """The key whose hash is ``key_hash``, in whichever workspace it belongs to.

        ``None`` when there is none or it was revoked: a revoked key is never
        returned, so that no caller can forget to check.
        """
        ...

    async def touch(self, last_used: Mapping[KeyUse, datetime]) -> None:
        """Record when each key of ``last_used`` was last used, in one write per workspace.

        A key's ``last_used_at`` only moves forward: the store keeps the later of
        the time it has and the one given (workers flush at their own pace). Ids
        of keys that no longer exist are ignored.
        """
        ...


@dataclass(frozen=True)
class KeyUse:
    """Which key was used, and in which workspace (where its row is written)."""

    workspace_id: int
    key_id: int


@dataclass(frozen=True)
class _Trusted:
    caller: Caller
    key: KeyUse
    until: float


def _remember(entries: OrderedDict[bytes, V], digest: bytes, value: V, limit: int) -> None:
    entries[digest] = value
    entries.move_to_end(digest)
    while len(entries) > limit:
        entries.popitem(last=False)


class ApiKeyAuthenticator(Authenticator):
    """API keys, each trusted from memory for ``trust_seconds`` after it was looked up.

    Most requests thus make no round trip, and a revoked key is refused at most
    ``trust_seconds`` later: each worker has its own memory and looks a key up
    again once its trust has run out, so no worker needs to tell another. The
    time counts from the start of the lookup (a slow lookup that read a key
    just before it was revoked does not stretch the window), and using a key
    does not extend it.

    A hash the store does not know is remembered for ``refuse_seconds``, so that
    a client that keeps sending a revoked key costs a lookup a second, not one a
    request. That never delays a new key: its secret is random and shown only
    once it is stored, so nobody can present it before it exists.

    Memory is bounded: at most ``max_keys`` trusted and ``max_refused`` refused
    hashes, the least recently used forgotten first, in two maps so that a
    flood of made-up keys pushes out only made-up keys. Concurrent requests
    with one hash that is not in memory share a single lookup.

    Each use is noted in memory with the time of ``clock``; ``flush`` writes
    the uses noted since the last flush in one ``KeyStore.touch``.
    """

    def __init__(
        self,
        store: KeyStore,
        hash_key: bytes,
        clock: Clock,
        *,
        trust_seconds: float = 4.0,
        refuse_seconds: float = 1.0,
        max_keys: int = 10_000,
        max_refused: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if trust_seconds < 0 or refuse_seconds < 0:
            raise ValueError("trust_seconds and refuse_seconds cannot be negative")
        if max_keys < 1 or max_refused < 1:
            raise ValueError("max_keys and max_refused must be at least 1")
        self._store = store
        self._hash_key = hash_key
        self._clock = clock
        self._trust_seconds = trust_seconds
        self._refuse_seconds = refuse_seconds
        self._max_keys = max_keys
        self._max_refused = max_refused
        self._monotonic = monotonic
        self._trusted: OrderedDict[bytes, _Trusted] = OrderedDict()
        self._refused: OrderedDict[bytes, float] = OrderedDict()
        self._lookups: dict[bytes, asyncio.Task[_Trusted | None]] = {}
        self._uses: dict[KeyUse, datetime] = {}

    async def authenticate(self, credentials: str) -> Caller:
        if prefix_of(credentials) is None:
            raise Unauthenticated(REFUSED)
        digest = hash_of(credentials, self._hash_key)
        trusted = self._trusted_now(digest)
        if trusted is None and not self._refused_now(digest):
            trusted = await self._look_up(digest)
        if trusted is None:
            raise Unauthenticated(REFUSED)
        self._note_use(trusted.key, self._clock.now())
        return trusted.caller

    async def flush(self) -> None:
        """Write the uses noted since the last flush in one ``touch``; nothing if there are none.

        If the write fails (or is cancelled), the uses stay noted for the next flush.
        """
        if not self._uses:
            return
        pending, self._uses = self._uses, {}
        try:
            await self._store.touch(pending)
        except BaseException:
            for key, used in pending.items():
                self._note_use(key, used)
            raise

    def _note_use(self, key: KeyUse, used: datetime) -> None:
        noted = self._uses.get(key)
        if noted is None or used > noted:
            self._uses[key] = used

    def _trusted_now(self, digest: bytes) -> _Trusted | None:
        trusted = self._trusted.get(digest)
        if trusted is None:
            return None
        if self._monotonic() >= trusted.until:
            del self._trusted[digest]
            return None
        self._trusted.move_to_end(digest)
        return trusted

    def _refused_now(self, digest: bytes) -> bool:
        until = self._refused.get(digest)
        if until is None:
            return False
        if self._monotonic() >= until:
            del self._refused[digest]
            return False
        self._refused.move_to_end(digest)
        return True

    async def _look_up(self, digest: bytes) -> _Trusted | None:
        lookup = self._lookups.get(digest)
        if lookup is None:
            lookup = asyncio.ensure_future(self._find(digest))
            self._lookups[digest] = lookup
            lookup.add_done_callback(lambda _: self._lookups.pop(digest, None))
        # Shielded: a request that is cancelled while it waits cancels neither the
        # lookup nor the other requests waiting for it.
        return await asyncio.shield(lookup)

    async def _find(self, digest: bytes) -> _Trusted | None:
        started = self._monotonic()
        stored = await self._store.find(digest)
        if stored is None or not hmac.compare_digest(stored.key_hash, digest):
            _remember(self._refused, digest, started + self._refuse_seconds, self._max_refused)
            return None
        caller = Caller(stored.workspace_id, stored.role, principal=f"key:{stored.id}")
        trusted = _Trusted(
            caller, KeyUse(stored.workspace_id, stored.id), started + self._trust_seconds
        )
        _remember(self._trusted, digest, trusted, self._max_keys)
        return trusted
