from __future__ import annotations

from application.lookup import GetHandler
from application.views import UserView


class GetUserHandler(GetHandler[UserView]):
    resource = "user"
