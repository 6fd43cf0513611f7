"""Every table, in one ``metadata``: what the migrations are checked against."""

from infrastructure.persistence.idempotency import IdempotencyRow
from infrastructure.persistence.projects.table import ProjectRow
from infrastructure.persistence.tasks.table import TagRow, TaskRow, TaskTagRow
from infrastructure.persistence.users.table import UserRow
from infrastructure.persistence.workspaces.table import ApiKeyRow, WorkspaceRow

metadata = TaskRow.metadata

__all__ = [
    "ApiKeyRow",
    "IdempotencyRow",
    "ProjectRow",
    "TagRow",
    "TaskRow",
    "TaskTagRow",
    "UserRow",
    "WorkspaceRow",
    "metadata",
]
