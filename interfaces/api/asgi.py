"""The app as ``taskhex serve`` runs it, built once in every worker process.

uvicorn is told not to configure logging (``log_config=None``): each worker
configures it here from the settings (``LOG_LEVEL``, ``LOG_FORMAT``) before it
builds the app, so that its own lines and uvicorn's come out alike.
"""

from __future__ import annotations

from fastapi import FastAPI

from infrastructure.logging import configure_logging
from interfaces.api import app
from interfaces.container import Container


def create_app() -> FastAPI:
    container = Container()
    settings = container.settings()
    configure_logging(settings.log_level, settings.log_format)
    return app.create_app(container)
