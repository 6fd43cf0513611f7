from __future__ import annotations

from collections import Counter
from typing import Any, TypeVar

from application.pagination import NameSort, NameSortKey, Page, PageRequest
from application.ports import ProjectReader, TagReader, UserReader
from application.views import ProjectView, TagView, UserView
from domain.projects import Project
from infrastructure.memory.paging import page_of
from infrastructure.memory.store import InMemoryStore

T = TypeVar("T")


def _by(sort: NameSort) -> Any:
    key = "name" if sort.key is NameSortKey.NAME else "created_at"
    return lambda item: (getattr(item, key), item.id)


class InMemoryUserReader(UserReader):
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    async def get(self, user_id: int) -> UserView | None:
        user = self._store.users.get(user_id)
        return None if user is None else UserView.of(user)

    async def list(self, sort: NameSort, page: PageRequest) -> Page[UserView]:
        found = sorted(self._store.users.values(), key=_by(sort), reverse=sort.descending)
        return page_of([UserView.of(u) for u in found], page, sort.position, sort.descending)


class InMemoryProjectReader(ProjectReader):
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def _view(self, project: Project) -> ProjectView:
        counts = Counter(t.status for t in self._store.tasks.values() if t.project_id == project.id)
        return ProjectView.of(project, dict(counts))

    async def get(self, project_id: int) -> ProjectView | None:
        project = self._store.projects.get(project_id)
        return None if project is None else self._view(project)

    async def list(self, sort: NameSort, page: PageRequest) -> Page[ProjectView]:
        found = sorted(self._store.projects.values(), key=_by(sort), reverse=sort.descending)
        return page_of([self._view(p) for p in found], page, sort.position, sort.descending)


class InMemoryTagReader(TagReader):
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    async def list(self, page: PageRequest) -> Page[TagView]:
        counts = Counter(tag for task in self._store.tasks.values() for tag in task.tags)
        tags = [TagView(name, counts[name]) for name in sorted(counts)]
        return page_of(tags, page, lambda tag: (tag.name,))
