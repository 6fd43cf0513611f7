from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TagView:
    name: str
    task_count: int
