"""The Redis of the rate-limited service: a private ``redis-server`` (or ``BENCH_REDIS_URL``),
and how many commands clients sent it.

``INFO commandstats`` counts the commands a script runs as well as the script's
``EVALSHA``: the limiter's script runs one ``INCRBY`` and, on a window's first
request, one ``EXPIRE``, which are not round trips, so they are left out (and
so is the ``INFO`` that asks).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import redis

_INSIDE_SCRIPTS = frozenset({"incrby", "expire"})
_ASKING = frozenset({"info", "client|setinfo", "hello"})


@dataclass(frozen=True)
class Counters:
    url: str

    def sent(self) -> int:
        """Commands clients have sent so far (not those scripts ran, nor ours)."""
        with redis.Redis.from_url(self.url, socket_timeout=5, protocol=2) as client:
            stats = client.info("commandstats")
        calls = {name.removeprefix("cmdstat_"): int(v["calls"]) for name, v in stats.items()}
        return sum(n for name, n in calls.items() if name not in _INSIDE_SCRIPTS | _ASKING)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def redis_for_bench() -> Iterator[Counters | None]:
    """``BENCH_REDIS_URL``, else a private ``redis-server`` for the run; ``None`` without one."""
    given = os.environ.get("BENCH_REDIS_URL")
    if given:
        yield Counters(given)
        return
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="taskhex-bench-redis-"))
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder), "--logfile", str(folder / "redis.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    counters = Counters(f"redis://127.0.0.1:{port}/0")
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                counters.sent()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start; see {folder}") from None
                time.sleep(0.05)
        yield counters
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)
