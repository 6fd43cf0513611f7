"""Value objects of the task domain and the rules that make a value valid."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from typing import Final, TypeVar

from domain.errors import InvalidValue

TITLE_MAX: Final = 255
DESCRIPTION_MAX: Final = 2000
TAG_MAX: Final = 50
TAGS_PER_TASK_MAX: Final = 20
NAME_MAX: Final = 120
EMAIL_MAX: Final = 254

T = TypeVar("T")

SPACES: Final = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
"""The characters ``str.strip()`` removes, spelled out for patterns (regex engines differ
on what ``\\s`` means)."""
TAG_CHARACTERS: Final = r"[A-Za-z0-9_-]"
"""What a tag is made of before lower-casing: ASCII only (no sign whose lower case is ASCII)."""
EMAIL_SHAPE: Final = rf"[^@{SPACES}\x00]+@[^@.{SPACES}\x00]+(?:\.[^@.{SPACES}\x00]+)+"
"""``local@domain`` with a dot in the domain, no white space and no NUL."""
_TAG_PATTERN: Final = re.compile(f"{TAG_CHARACTERS}+")
_EMAIL_PATTERN: Final = re.compile(EMAIL_SHAPE)


class Status(enum.StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class Priority(enum.StrEnum):
    """Ordered by rank, not alphabetically: low < medium < high."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _PRIORITY_RANK[self]

    @classmethod
    def from_rank(cls, rank: int) -> Priority:
        return _PRIORITY_BY_RANK[rank]


_PRIORITY_RANK: Final = {Priority.LOW: 1, Priority.MEDIUM: 2, Priority.HIGH: 3}
_PRIORITY_BY_RANK: Final = {rank: p for p, rank in _PRIORITY_RANK.items()}


class Tags(tuple[str, ...]):
    """A task's tags: each 1..50 characters of ``[a-z0-9_-]`` after trimming and
    lower-casing; duplicates merged; alphabetical; at most 20 after merging."""

    __slots__ = ()

    def __new__(cls, names: Iterable[str] = ()) -> Tags:
        merged = sorted({tag(name) for name in names})
        if len(merged) > TAGS_PER_TASK_MAX:
            raise InvalidValue(
                "tags", f"at most {TAGS_PER_TASK_MAX} distinct tags", "too_many_tags"
            )
        return super().__new__(cls, merged)


class Unset(enum.Enum):
    """Marks a field that a partial change leaves alone (distinct from ``None``)."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET


def text(field: str, value: str, *, max_length: int) -> str:
    """Trim ``value`` and check it is 1..max_length code points without NUL."""
    value = value.strip()
    if not value:
        raise InvalidValue(field, "must not be empty", "string_too_short")
    if len(value) > max_length:
        raise InvalidValue(field, f"must be at most {max_length} characters", "string_too_long")
    if "\x00" in value:
        raise InvalidValue(field, "must not contain NUL characters", "string_nul")
    return value


def title(value: str) -> str:
    return text("title", value, max_length=TITLE_MAX)


def description(value: str | None) -> str | None:
    """A description that is empty after trimming is no description."""
    if value is None or not value.strip():
        return None
    return text("description", value, max_length=DESCRIPTION_MAX)


def name(value: str) -> str:
    return text("name", value, max_length=NAME_MAX)


def status(value: str) -> Status:
    try:
        return Status(value.strip())
    except ValueError:
        raise _not_one_of("status", Status) from None


def priority(value: str) -> Priority:
    try:
        return Priority(value.strip())
    except ValueError:
        raise _not_one_of("priority", Priority) from None


def _not_one_of(field: str, kind: type[enum.StrEnum]) -> InvalidValue:
    return InvalidValue(field, f"must be one of {', '.join(m.value for m in kind)}", "enum")


def tag(value: str) -> str:
    """One tag, trimmed and lower-cased."""
    found = value.strip()
    if not found:
        raise InvalidValue("tags", "a tag must not be empty", "string_too_short")
    if len(found) > TAG_MAX:
        raise InvalidValue("tags", f"a tag must be at most {TAG_MAX} characters", "string_too_long")
    if not _TAG_PATTERN.fullmatch(found):
        raise InvalidValue(
            "tags", "a tag may only contain a-z, 0-9, '_' and '-'", "string_pattern_mismatch"
        )
    return found.lower()


def email(value: str) -> str:
    """``local@domain`` with a dot in the domain, at most 254 characters, lower-cased."""
    address = value.strip().lower()
    if len(address) > EMAIL_MAX:
        raise InvalidValue("email", f"must be at most {EMAIL_MAX} characters", "string_too_long")
    if not _EMAIL_PATTERN.fullmatch(address):
        raise InvalidValue("email", "must be an address like name@example.org", "value_error")
    return address


def given(value: T | Unset) -> T | None:
    """The value of a partial-change field, or ``None`` when it was left ``UNSET``."""
    return None if isinstance(value, Unset) else value
