"""A new API key's secret, as the application receives it from the ``KeySecrets`` port."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class IssuedSecret:
    """A new key: ``secret`` is shown to its owner once and never stored; ``key_hash`` is."""

    secret: str = field(repr=False)
    prefix: str
    key_hash: bytes = field(repr=False)
