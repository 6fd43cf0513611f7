"""Structured logs: JSON lines for machines, a readable console for people.

Every line is rendered by structlog, into one stream. The standard library's
records (the service's own and the frameworks') go through a
``ProcessorFormatter``: fields passed as ``extra={...}`` become fields of the
line. The access line, one a request, is logged with structlog itself
(``structlog.get_logger()``), which renders it with the same processors and
writes it in a third of the time (bench/RESULTS.md); ``configure_logging`` sets
up both. Whatever is bound with ``structlog.contextvars`` (the request id) is a
field of every line. Tracebacks are text, never with local variables, which
could hold secrets.
"""

from __future__ import annotations

import logging
import sys
from typing import Final, Literal, TextIO

import structlog
from pydantic_core import to_json
from structlog.typing import EventDict, Processor

LogFormat = Literal["json", "console"]
LOG_FORMATS: Final[tuple[LogFormat, ...]] = ("json", "console")

# uvicorn installs handlers of its own unless told not to; ours replace them. Its
# access lines are left out: the app writes its own, with the request id.
_FRAMEWORK_LOGGERS: Final = ("uvicorn", "uvicorn.error")
_SILENCED_LOGGERS: Final = ("uvicorn.access",)
# SQLAlchemy's echo (DB_ECHO) prints to stdout, beside a command's output, unless its
# logger has a handler of its own: with one that drops everything, its lines are ours.
_ECHOED_LOGGER: Final = "sqlalchemy.engine.Engine"


class InvalidLogLevel(ValueError):
    def __init__(self, level: str) -> None:
        names = ", ".join(name for name in logging.getLevelNamesMapping() if name != "NOTSET")
        super().__init__(f"LOG_LEVEL must be one of {names}, not {level!r}")


def level_number(level: str) -> int:
    found = logging.getLevelNamesMapping().get(level.strip().upper())
    if found is None:
        raise InvalidLogLevel(level)
    return found


def _drop_color_message(_: object, __: str, event: EventDict) -> EventDict:
    """uvicorn adds a copy of each message with terminal colours; one copy is enough."""
    event.pop("color_message", None)
    return event


def _enrich() -> list[Processor]:
    """The fields every line has (a structlog line names its logger itself: ``logger=``)."""
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def _json(value: object, **_: object) -> str:
    return to_json(value, fallback=repr).decode()


def _render(log_format: LogFormat, colors: bool) -> list[Processor]:
    if log_format == "json":
        return [structlog.processors.format_exc_info, structlog.processors.JSONRenderer(_json)]
    return [
        structlog.dev.ConsoleRenderer(
            colors=colors, exception_formatter=structlog.dev.plain_traceback
        )
    ]


def formatter(log_format: LogFormat, *, colors: bool = False) -> logging.Formatter:
    """A ``logging.Formatter`` that renders records (and their extras) with structlog."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.stdlib.add_logger_name,
            *_enrich(),
            structlog.stdlib.ExtraAdder(),
            _drop_color_message,
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *_render(log_format, colors),
        ],
    )


def configure_logging(
    level: str = "INFO", log_format: LogFormat = "console", stream: TextIO | None = None
) -> None:
    """Send every log line of the process to ``stream`` (stderr), in ``log_format``.

    Calling it again replaces the previous configuration rather than adding to it.
    """
    threshold = level_number(level)
    _skip_unused_record_fields()
    target = stream if stream is not None else sys.stderr
    colors = _is_terminal(target)
    handler = logging.StreamHandler(target)
    handler.setFormatter(formatter(log_format, colors=colors))
    root = logging.getLogger()
    for previous in list(root.handlers):
        root.removeHandler(previous)
    root.addHandler(handler)
    root.setLevel(threshold)
    for name in _FRAMEWORK_LOGGERS:
        framework = logging.getLogger(name)
        framework.handlers.clear()
        framework.propagate = True
    for name in _SILENCED_LOGGERS:
        silenced = logging.getLogger(name)
        silenced.handlers.clear()
        silenced.propagate = False
    echoed = logging.getLogger(_ECHOED_LOGGER)
    if not echoed.handlers:
        echoed.addHandler(logging.NullHandler())
    # Not cached, so that configuring again (as tests do) reaches every logger.
    structlog.configure(
        processors=[*_enrich(), *_render(log_format, colors)],
        logger_factory=structlog.WriteLoggerFactory(target),
        wrapper_class=structlog.make_filtering_bound_logger(threshold),
        cache_logger_on_first_use=False,
    )


def _skip_unused_record_fields() -> None:
    """No line shows the caller's file and line, or the thread and process: don't
    look them up for every record (the logging HOWTO's "Optimization")."""
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
