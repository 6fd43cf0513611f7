"""wrk as the load generator: one run at a fixed concurrency, and the medians of runs.

Each run (a warm-up or a round) is one wrk process; its Lua script (``bench/wrk``) prints wrk's own
counters as JSON. The CPU time wrk and the server used in each round is
measured too, so the table can show that the load generator is not the
bottleneck.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WRK_DIR = Path(__file__).parent / "wrk"
_MARK = "BENCH_RESULT "


@dataclass(frozen=True)
class Round:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    wrk_cpu: float  # share of one core used by wrk
    server_cpu: float  # share of one core used by the server
    shed: int = 0  # 503s with Retry-After (not errors: load turned away on purpose)
    refused: int = 0  # 401s and 403s: the key was not accepted (counted in errors too)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_us(self) -> float:
        """The server's CPU time per request, in microseconds: robust to a busy machine."""
        return self.server_cpu * self.seconds / self.requests * 1e6 if self.requests else 0.0


@dataclass(frozen=True)
class Load:
    """How one wrk run is driven."""

    connections: int
    seconds: int
    threads: int = 1
    timeout: int = 10


@dataclass
class Measured:
    rounds: list[Round] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return statistics.median(r.rps for r in self.rounds)

    @property
    def p50_ms(self) -> float:
        return statistics.median(r.p50_ms for r in self.rounds)

    @property
    def p99_ms(self) -> float:
        return statistics.median(r.p99_ms for r in self.rounds)

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.rounds)

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.rounds)

    @property
    def wrk_cpu(self) -> float:
        return max(r.wrk_cpu for r in self.rounds)

    @property
    def refused(self) -> int:
        return sum(r.refused for r in self.rounds)

    @property
    def server_cpu(self) -> float:
        return statistics.median(r.server_cpu for r in self.rounds)

    @property
    def cpu_us(self) -> float:
        return statistics.median(r.cpu_us for r in self.rounds)


def ensure_wrk() -> str:
    """wrk's path; installed from Debian (``apt-get install wrk``) when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise SystemExit("wrk is missing: install it (Debian: apt-get install wrk)")
    print("wrk is missing: installing Debian's package", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk could not be installed")
    return found


def wrk_version(wrk: str) -> str:
    out = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
    return (out.stdout or out.stderr).splitlines()[0].split(" Copyright")[0].strip()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_wrk(
    wrk: str,
    url: str,
    script: str,
    args: Sequence[str],
    load: Load,
    server_cpu: Callable[[], float],
) -> Round:
    command = [
        wrk,
        f"-t{load.threads}",
        f"-c{load.connections}",
        f"-d{load.seconds}s",
        f"--timeout={load.timeout}s",
        "-s",
        script,
        url,
        "--",
        *args,
    ]
    cpu_before, server_before = _children_cpu(), server_cpu()
    out = subprocess.run(command, capture_output=True, text=True, check=False, cwd=WRK_DIR)
    cpu_after, server_after = _children_cpu(), server_cpu()
    lines = [line for line in out.stdout.splitlines() if line.startswith(_MARK)]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr.strip() or out.stdout}")
    data = json.loads(lines[-1][len(_MARK) :])
    return round_of(
        data, wrk_cpu_s=cpu_after - cpu_before, server_cpu_s=server_after - server_before
    )


def round_of(data: dict[str, Any], *, wrk_cpu_s: float, server_cpu_s: float) -> Round:
    """A round from wrk's counters (``common.lua``): 503s with Retry-After are shed, not
    errors; 401s and 403s are errors, and counted apart as refused too."""
    elapsed = data["duration_us"] / 1e6
    shed = data["shed"]
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout")) - shed
    return Round(
        requests=data["requests"],
        seconds=elapsed,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=errors,
        shed=shed,
        refused=data.get("refused", 0),
        wrk_cpu=wrk_cpu_s / elapsed if elapsed else 0.0,
        server_cpu=server_cpu_s / elapsed if elapsed else 0.0,
    )
