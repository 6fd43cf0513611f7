"""API keys: their shape, their hash, and the authenticator that trusts them for a few seconds."""

from __future__ import annotations

import base64
import string

import pytest

from infrastructure.auth.api_keys import (
    KEY_LENGTH,
    hash_key_from,
    hash_of,
    new_secret,
    prefix_of,
)
from infrastructure.settings import Settings

HASH_KEY = b"unit-tests"
URL_SAFE = set(string.ascii_letters + string.digits + "-_")


def test_a_secret_starts_with_thx_and_carries_its_prefix_and_256_random_bits() -> None:
    issued = new_secret(HASH_KEY)

    scheme, prefix, random_part = issued.secret[:4], issued.secret[4:12], issued.secret[13:]
    assert scheme == "thx_"
    assert issued.secret[12] == "_"
    assert prefix == issued.prefix
    assert set(prefix) <= set(string.ascii_lowercase + string.digits)
    assert set(random_part) <= URL_SAFE
    assert len(base64.urlsafe_b64decode(random_part + "=")) * 8 >= 256
    assert len(issued.secret) == KEY_LENGTH


def test_every_secret_and_prefix_is_new() -> None:
    issued = [new_secret(HASH_KEY) for _ in range(200)]

    assert len({i.secret for i in issued}) == 200
    assert len({i.secret[13:] for i in issued}) == 200
    assert len({i.prefix for i in issued}) > 190


def test_the_hash_is_an_hmac_of_the_whole_secret_under_the_hash_key() -> None:
    issued = new_secret(HASH_KEY)

    assert issued.key_hash == hash_of(issued.secret, HASH_KEY)
    assert len(issued.key_hash) == 32
    assert hash_of(issued.secret, b"another key") != issued.key_hash
    changed_prefix = "thx_" + ("a" if issued.prefix[0] != "a" else "b") + issued.secret[5:]
    assert hash_of(changed_prefix, HASH_KEY) != issued.key_hash


def test_an_issued_secret_shows_neither_the_secret_nor_its_hash_in_its_repr() -> None:
    issued = new_secret(HASH_KEY)

    shown = repr(issued)
    assert issued.prefix in shown
    assert issued.secret not in shown
    assert issued.secret[13:] not in shown
    assert issued.key_hash.hex() not in shown
    assert repr(issued.key_hash) not in shown


def test_a_well_formed_key_is_recognised_by_its_prefix() -> None:
    issued = new_secret(HASH_KEY)

    assert prefix_of(issued.secret) == issued.prefix


def _malformed() -> list[str]:
    key = new_secret(HASH_KEY).secret
    return [
        "",
        "thx_",
        key[:-1],
        key + "A",
        "thy_" + key[4:],
        "THX_" + key[4:],
        key[:12] + "-" + key[13:],
        key[:4] + "ABCDEFGH" + key[12:],
        key[:-1] + "=",
        key[:-1] + "\n",
        key[:-1] + " ",
        key[:-1] + "é",
        key[:-1] + "٣",  # a digit, but not an ASCII one
        " " + key[:-1],
        "Bearer " + key,
        key * 1000,
        "x" * 1_000_000,
    ]


@pytest.mark.parametrize("credentials", _malformed())
def test_anything_not_shaped_like_a_key_has_no_prefix(credentials: str) -> None:
    assert prefix_of(credentials) is None


def test_the_hash_key_is_the_setting_or_a_fixed_label_when_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KEY_HASH_SECRET", raising=False)
    configured = hash_key_from(Settings(key_hash_secret="s3cret"))
    unset = hash_key_from(Settings(database_url="sqlite:///a.db"))
    moved = hash_key_from(Settings(database_url="sqlite:///b.db"))

    assert configured == b"s3cret"
    assert unset == moved
    assert unset != configured
