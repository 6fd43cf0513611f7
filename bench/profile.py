"""Where the server's time goes: py-spy samples of the running server, summarised.

``py-spy record --format raw`` writes collapsed stacks, one line each:
``outer (file.py);...;leaf (file.py) COUNT``. Only the thread holding the GIL
is sampled (``--gil``): with one worker, that is the time that limits
throughput, and idle threads (anyio's pool) stay out. The summary gives the share of
samples spent in each component (by the file of the innermost frame), the
functions with the most self time, and the service's own functions with the
most inclusive time.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^()]*)\)$")

# First match wins: the innermost frame's file decides where a sample's time goes.
COMPONENTS: tuple[tuple[str, str], ...] = (
    ("/sqlalchemy/", "SQLAlchemy"),
    ("/asyncpg/", "asyncpg"),
    ("/pydantic_core/", "pydantic"),
    ("/pydantic/", "pydantic"),
    ("/fastapi/", "FastAPI"),
    ("/starlette/", "Starlette"),
    ("/uvicorn/", "uvicorn"),
    ("/h11/", "h11 (HTTP parser)"),
    ("/structlog/", "logging"),
    ("/logging/", "logging"),
    ("/dependency_injector/", "dependency-injector"),
    ("/tenacity/", "tenacity"),
    ("/anyio/", "anyio"),
    ("/asyncio/", "asyncio"),
    ("/greenlet/", "greenlet"),
    ("/sqlmodel/", "SQLModel"),
    ("/domain/", "taskhex"),
    ("/application/", "taskhex"),
    ("/infrastructure/", "taskhex"),
    ("/interfaces/", "taskhex"),
    ("/bench/", "bench baselines"),
)
_OWN = ("/domain/", "/application/", "/infrastructure/", "/interfaces/")


def component(file: str) -> str:
    file = file if file.startswith("/") else "/" + file  # py-spy shortens paths
    for needle, name in COMPONENTS:
        if needle in file:
            return name
    return "python / other"


def parse(lines: Iterable[str]) -> list[tuple[list[tuple[str, str]], int]]:
    """Stacks (outermost first) of ``(function, file)`` with their sample counts."""
    stacks = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        stack_text, _, count = line.rpartition(" ")
        frames = []
        for frame in stack_text.split(";"):
            match = _FRAME.match(frame)
            frames.append((match["function"], match["file"]) if match else (frame, ""))
        stacks.append((frames, int(count)))
    return stacks


def _short(file: str) -> str:
    if not file.startswith("/"):
        return file
    for marker in ("site-packages/", "/lib/python3"):
        if marker in file:
            return file.split(marker, 1)[1]
    for own in _OWN:
        if own in file:
            return own.strip("/") + "/" + file.split(own, 1)[1]
    return file


def summarise(stacks: list[tuple[list[tuple[str, str]], int]], top: int = 15) -> list[str]:
    total = sum(count for _, count in stacks)
    if not total:
        return ["no samples"]
    by_component: Counter[str] = Counter()
    by_self: Counter[str] = Counter()
    own_inclusive: Counter[str] = Counter()
    for frames, count in stacks:
        # py-spy's leaf frame is the innermost Python frame.
        function, file = frames[-1]
        by_component[component(file)] += count
        by_self[f"{function} ({_short(file)})"] += count
        seen = set()
        for function, file in frames:
            if component(file) == "taskhex":
                name = f"{function} ({_short(file)})"
                if name not in seen:
                    seen.add(name)
                    own_inclusive[name] += count
    lines = [f"{total} samples", "", "self time by component (innermost frame):"]
    lines += [f"  {n / total:6.1%}  {name}" for name, n in by_component.most_common()]
    lines += ["", f"top {top} functions by self time:"]
    lines += [f"  {n / total:6.1%}  {name}" for name, n in by_self.most_common(top)]
    lines += ["", f"top {top} taskhex functions by inclusive time:"]
    lines += [f"  {n / total:6.1%}  {name}" for name, n in own_inclusive.most_common(top)]
    return lines


def py_spy() -> str | None:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return found if Path(found).exists() else None


def start(pid: int, output: Path, rate: int = 250) -> subprocess.Popen[bytes]:
    spy = py_spy()
    if spy is None:
        raise SystemExit("py-spy is missing: install the bench extra (make bench does)")
    return subprocess.Popen(
        [spy, "record", "--pid", str(pid), "--output", str(output), "--format", "raw",
         "--rate", str(rate), "--nolineno", "--gil"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip


def stop(recorder: subprocess.Popen[bytes]) -> None:
    recorder.send_signal(signal.SIGINT)
    try:
        recorder.wait(timeout=30)
    except subprocess.TimeoutExpired:
        recorder.kill()
        recorder.wait()
