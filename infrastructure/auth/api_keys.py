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

import hashlib
import hmac
import re
import secrets
import string
from dataclasses import dataclass, field

from infrastructure.settings import Settings

SCHEME = "thx_"
PREFIX_LENGTH = 8
_SECRET_BYTES = 32
_SECRET_LENGTH = 43
"""``len(secrets.token_urlsafe(32))``: 256 bits, base64 without its padding."""
KEY_LENGTH = len(SCHEME) + PREFIX_LENGTH + 1 + _SECRET_LENGTH
_PREFIX_ALPHABET = string.ascii_lowercase + string.digits
_SHAPE = re.compile(rf"thx_([a-z0-9]{{{PREFIX_LENGTH}}})_[A-Za-z0-9_-]{{{_SECRET_LENGTH}}}")
_DEVELOPMENT_HASH_KEY = b"taskhex-api-key-hash"


@dataclass(frozen=True)
class IssuedSecret:
    """A new key: ``secret`` is shown to its owner once and never stored; ``key_hash`` is."""

    secret: str = field(repr=False)
    prefix: str
    key_hash: bytes = field(repr=False)


def new_secret(hash_key: bytes) -> IssuedSecret:
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
    secret = f"{SCHEME}{prefix}_{secrets.token_urlsafe(_SECRET_BYTES)}"
    return IssuedSecret(secret, prefix, hash_of(secret, hash_key))


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
