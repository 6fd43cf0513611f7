"""The app as ``taskhex serve`` runs it, built once in every worker process.

uvicorn is told not to configure logging (``log_config=None``): each worker
configures it here from the settings (``LOG_LEVEL``, ``LOG_FORMAT``) before it
builds the app, so that its own lines and uvicorn's come out alike.

Once the app is built, what the worker holds for its lifetime (modules,
routes, schemas, compiled statements) is moved out of the garbage
collector's sight (``gc.freeze``): the collections that requests trigger
then walk only the objects requests made, not the whole program again. And
they come less often (``GC_THRESHOLDS``): with Python's default, a collection
every 700 new objects, they took 12% of GET by id's CPU (bench/RESULTS.md).
"""

from __future__ import annotations

import gc
from typing import Final

from fastapi import FastAPI

from infrastructure.logging import configure_logging
from interfaces.api import app
from interfaces.container import Container

GC_THRESHOLDS: Final = (20_000, 20, 20)


def create_app() -> FastAPI:
    container = Container()
    settings = container.settings()
    configure_logging(settings.log_level, settings.log_format)
    built = app.create_app(container)
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    return built
