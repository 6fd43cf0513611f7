"""The two servers under load: the service (``taskhex serve``) and the baselines.

Both are uvicorn with one worker, started the same way (``uvicorn.run`` in the
process itself, no access log from uvicorn), each in a process of its own.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bench.database import service_env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: IO[bytes]
    log_path: Path
    peak_rss_kib: int = 0
    _cpu_ticks_mark: int = field(default=0, repr=False)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _status_field(self, name: str) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
        return 0

    def rss_kib(self) -> int:
        return self._status_field("VmRSS")

    def read_peak_rss(self) -> int:
        """The peak resident set size (``VmHWM``) so far, in KiB."""
        if self.process.poll() is None:
            self.peak_rss_kib = max(self.peak_rss_kib, self._status_field("VmHWM"))
        return self.peak_rss_kib

    def cpu_seconds(self) -> float:
        """User + system CPU time the server has used so far, its worker processes' too."""
        return sum(_cpu_ticks(pid) for pid in _family(self.process.pid)) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.read_peak_rss()
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def _family(pid: int) -> list[int]:
    """``pid`` and its descendants (uvicorn's workers are children of its supervisor)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0  # gone since it was listed
    return int(fields[11]) + int(fields[12])


def _wait_ready(server: Server, path: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.name} exited ({server.process.returncode}); see {server.log_path}"
            )
        try:
            with urllib.request.urlopen(server.base + path, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{server.name} did not answer {path} in {seconds} s")
        time.sleep(0.1)


def _start(name: str, command: list[str], env: dict[str, str], port: int, logs: Path) -> Server:
    log_path = logs / f"{name}.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).parent.parent
    )
    return Server(name, port, process, log, log_path)


def start_service(
    url: str,
    logs: Path,
    settings: dict[str, str] | None = None,
    name: str = "service",
    workers: int = 1,
) -> Server:
    """``taskhex serve`` with one worker (unless ``workers``), logging as deployed (JSON
    access lines, INFO).

    Every other setting keeps its default, unless ``settings`` says otherwise.
    """
    port = free_port()
    taskhex = str(Path(sys.executable).with_name("taskhex"))
    command = [taskhex, "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers)]
    env = service_env(url, **{"LOG_LEVEL": "INFO", "LOG_FORMAT": "json", **(settings or {})})
    server = _start(name, command, env, port, logs)
    _wait_ready(server, "/health/ready")
    return server


def start_baselines(url: str, logs: Path, workspace: int = 1) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "bench.baselines", "--port", str(port)]
    env = {**os.environ, "BENCH_DATABASE_URL": url, "BENCH_WORKSPACE_ID": str(workspace)}
    server = _start("baselines", command, env, port, logs)
    _wait_ready(server, "/bare")
    return server
