from __future__ import annotations

from application.lookup import GetHandler
from application.views import ProjectView


class GetProjectHandler(GetHandler[ProjectView]):
    resource = "project"
