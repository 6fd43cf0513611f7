from datetime import UTC, date, datetime

import pytest

from application.errors import InvalidCursor, InvalidQuery
from application.pagination import PageQuery
from infrastructure.cursors import HmacCursorCodec
from infrastructure.settings import Settings

CODEC = HmacCursorCodec(b"secret")
POSITION = (
    datetime(2026, 11, 24, 17, 5, 0, 123456, tzinfo=UTC),
    date(2026, 12, 1),
    "tïtle",
    None,
    7,
)


def test_a_cursor_round_trips_every_kind_of_sort_value() -> None:
    assert (
        CODEC.decode(CODEC.encode(POSITION, "tasks|-created_at"), "tasks|-created_at") == POSITION
    )


def test_a_cursor_is_opaque() -> None:
    cursor = CODEC.encode(POSITION, "scope")
    assert "tïtle" not in cursor
    assert "2026" not in cursor


def flip(text: str, at: int) -> str:
    return text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1 :]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: flip(c, 3),
        lambda c: flip(c, len(c) - 2),
        lambda c: c[:-5],
        lambda c: c.split(".")[0],
        lambda c: c + ".x",
        lambda c: "",
        lambda c: "é" + c,
        lambda c: HmacCursorCodec(b"other").encode(POSITION, "scope"),
    ],
)
def test_a_tampered_truncated_or_foreign_cursor_is_refused(tamper: object) -> None:
    cursor = tamper(CODEC.encode(POSITION, "scope"))  # type: ignore[operator]
    with pytest.raises(InvalidCursor):
        CODEC.decode(cursor, "scope")


def test_a_cursor_made_for_another_scope_is_refused() -> None:
    with pytest.raises(InvalidCursor):
        CODEC.decode(CODEC.encode(POSITION, "tasks|-created_at"), "tasks|created_at")


def test_values_that_cannot_be_sort_keys_are_refused_when_encoding() -> None:
    for value in (1.5, True):
        with pytest.raises(TypeError):
            CODEC.encode((value,), "scope")


def test_the_secret_comes_from_the_settings_or_is_derived_from_the_database_url() -> None:
    configured = HmacCursorCodec.from_settings(Settings(cursor_secret="s3cret"))  # type: ignore[arg-type]
    derived = HmacCursorCodec.from_settings(Settings(database_url="sqlite:///a.db"))  # type: ignore[arg-type]
    again = HmacCursorCodec.from_settings(Settings(database_url="sqlite:///a.db"))  # type: ignore[arg-type]
    cursor = derived.encode(POSITION, "s")
    assert again.decode(cursor, "s") == POSITION
    with pytest.raises(InvalidCursor):
        configured.decode(cursor, "s")


def test_cursor_and_offset_together_are_refused() -> None:
    with pytest.raises(InvalidQuery):
        PageQuery(offset=0, cursor="x")
