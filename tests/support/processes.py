"""``taskhex serve`` as a real process: started, waited for (a condition, bounded), stopped."""

from __future__ import annotations

import contextlib
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

TASKHEX = str(Path(sys.executable).with_name("taskhex"))
_USAGE = re.compile(r"^Authorization: Bearer (thx_\S+)$")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Served:
    base: str
    output: list[str] = field(default_factory=list)
    """What the server printed so far, line by line (stdout and stderr)."""

    def printed_keys(self) -> list[str]:
        return [found[1] for line in self.output if (found := _USAGE.search(line))]


@contextlib.contextmanager
def serving(
    env: Mapping[str, str], cwd: Path, *args: str, ready_within: float = 30
) -> Iterator[Served]:
    """``taskhex serve --port <free> *args``, once ``/health/live`` answers 200."""
    port = free_port()
    process = subprocess.Popen(
        [TASKHEX, "serve", "--port", str(port), *args],
        env=dict(env),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    served = Served(f"http://127.0.0.1:{port}")
    # Read as it comes, so that the pipe never fills and what came first is there to look at.
    reader = threading.Thread(
        target=lambda: served.output.extend(line.rstrip("\n") for line in process.stdout or ()),
        daemon=True,
    )
    reader.start()
    try:
        deadline = time.monotonic() + ready_within
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{served.base}/health/live").status_code == 200:
                    break
            assert process.poll() is None, "\n".join(served.output)
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        yield served
    finally:
        # Ctrl-C rather than SIGTERM: uvicorn stops gracefully either way, but
        # re-raises SIGTERM afterwards, which ends the process before coverage
        # can save what the child ran; after SIGINT it exits normally.
        process.send_signal(signal.SIGINT)
        process.wait(timeout=15)
        reader.join(timeout=5)
