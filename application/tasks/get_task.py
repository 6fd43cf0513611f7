from __future__ import annotations

from application.lookup import GetHandler
from application.views import TaskView


class GetTaskHandler(GetHandler[TaskView]):
    resource = "task"
