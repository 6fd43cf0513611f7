"""A private ``redis-server`` for the tests: its own port and folder, no persistence.

Debian's ``redis-server`` package provides the binary (``.ci/run`` installs it);
without it ``NoRedis`` says so, and the tests that need it skip, or fail when
``TASKHEX_REQUIRE_REDIS`` is set (as on CI).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import redis

from tests.support.processes import free_port

_PLACES = ("/usr/bin/redis-server", "/usr/local/bin/redis-server")


class NoRedis(Exception):
    pass


def binary() -> str | None:
    found = shutil.which("redis-server")
    return found or next((p for p in _PLACES if Path(p).exists()), None)


@dataclass
class RedisServer:
    """A running ``redis-server`` that a test may stop and start again on the same port."""

    executable: str
    folder: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5, protocol=2)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.executable,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
                "--logfile",
                str(self.folder / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(redis.ConnectionError), self.client() as client:
                if client.ping():
                    return
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = (self.folder / "redis.log").read_text(errors="replace")[-2000:]
                raise NoRedis(f"redis-server did not start on port {self.port}: {log}")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def commands(self) -> dict[str, int]:
        """Calls of each command since the server started (``INFO commandstats``),
        without those of the connection that asks (``INFO``, ``CLIENT SETINFO``).
        Commands a script runs are counted too."""
        with self.client() as client:
            stats = client.info("commandstats")
        return {
            name.removeprefix("cmdstat_"): int(value["calls"])
            for name, value in stats.items()
            if name not in ("cmdstat_info", "cmdstat_client|setinfo")
        }


@contextlib.contextmanager
def redis_server() -> Iterator[RedisServer]:
    executable = binary()
    if executable is None:
        raise NoRedis("no redis-server binary (Debian: apt-get install redis-server)")
    folder = Path(tempfile.mkdtemp(prefix="taskhex-redis-"))
    server = RedisServer(executable, folder)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
