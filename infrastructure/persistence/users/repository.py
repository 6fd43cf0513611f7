from __future__ import annotations

from application.ports import Repository
from domain.users import User
from infrastructure.persistence.repository import SqlRepository
from infrastructure.persistence.users.table import user


class SqlUserRepository(SqlRepository[User], Repository[User]):
    table = user
    resource = "user"
    conflict = "a user with this email already exists"
    aggregate = User
