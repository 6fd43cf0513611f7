"""``python -m bench`` (``make bench``): the service against its baselines, in one run.

1. Creates its own database (``BENCH_DATABASE_URL``, default
   ``postgresql://postgres@127.0.0.1:5432/taskhex_bench``), migrates it with
   ``taskhex db upgrade`` and seeds it in SQL: users, projects, tags, 120k tasks,
   all in the ``default`` workspace; then makes an admin API key of that workspace.
2. Starts the service (``taskhex serve``, one worker, ``AUTH=api_keys`` with a
   ``KEY_HASH_SECRET`` of this run) and the baselines (``bench/baselines.py``, the
   same uvicorn set-up, no authentication), each in its own process.
3. Drives every scenario with wrk at a fixed concurrency, every request with
   ``Authorization: Bearer <key>`` (the baselines get it too, and ignore it): a
   warm-up, then several rounds; medians of the rounds, p99 from wrk's
   histogram. A 401 or 403 is an error.
4. Prints the table, the ratios to the baselines, the targets and the servers'
   peak RSS; drops the database.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import platform
import secrets
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import counters, database, loadgen, profile, report
from bench.loadgen import Load, Measured, Round
from bench.servers import Server, start_baselines, start_service

TASKS = "/api/v1/tasks"
FILTERED_PAGES = {
    "status": "status=todo", "tag": "tag=tag-07", "project": "project_id=7",
    "assignee": "assignee_id=14",
}  # fmt: skip
POST_BODY = (
    json.dumps(
        {
            "title": "Benchmark task {n}",
            "description": "Created by the benchmark",
            "priority": "high",
            "due_date": "2030-01-01",
            "tags": ["tag-01", "tag-02", "bench"],
            "project_id": 0,
            "assignee_id": 0,
        },
        separators=(",", ":"),
    )
    .replace('"project_id":0', '"project_id":{p}')
    .replace('"assignee_id":0', '"assignee_id":{u}')
)
PATCH_BLOCK = 2000  # tasks patched by one wrk run (each run starts from version 1)
DEPTH = 100_000


@dataclass
class Context:
    tasks: int
    depth: int
    key: str = ""  # the API key every request sends (the bench's admin key)
    deep_cursor: str = ""  # the next_cursor at depth ``depth``
    second_cursor: str = ""  # the next_cursor of the first page


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    server: str  # "service" or "baselines"
    script: str
    args: Callable[[Context, int], list[str]]
    connections: int | None = None  # None: the run's fixed concurrency
    rows_per_request: int = 1
    baseline: str | None = None


def _ids(prefix: str) -> Callable[[Context, int], list[str]]:
    return lambda ctx, _: [prefix, "1", str(ctx.tasks)]


def _fixed(path: str) -> Callable[[Context, int], list[str]]:
    return lambda ctx, _: [
        path.format(depth=ctx.depth, cursor=ctx.deep_cursor, second=ctx.second_cursor)
    ]


def _patch(ctx: Context, run: int) -> list[str]:
    return [f"{TASKS}/", str(1 + run * PATCH_BLOCK), str((run + 1) * PATCH_BLOCK)]


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("bare", "(1) baseline: bare JSON", "baselines", "get.lua", _fixed("/bare")),
    Scenario("raw_get", "(2) baseline: raw asyncpg GET", "baselines", "get.lua",
             _ids("/raw/tasks/")),
    Scenario("naive_get", "(4) baseline: naive SQLModel GET (sync)", "baselines", "get.lua",
             _ids("/naive/tasks/")),
    Scenario("naive_async_get", "(4) baseline: naive SQLModel GET (async)", "baselines",
             "get.lua", _ids("/naive-async/tasks/")),
    Scenario("get", "GET task by id", "service", "get.lua", _ids(f"{TASKS}/"),
             baseline="raw_get"),
    # The same service with two worker processes (`--workers 2`) on the same machine,
    # each with a pool of TWO_WORKERS_POOL connections (see MOST_CONNECTIONS).
    Scenario("get_2w", "GET task by id, two workers", "two_workers", "get.lua",
             _ids(f"{TASKS}/"), baseline="get"),
    # The same service with rate limits on, counted in Redis (the other servers run with
    # RATE_LIMITS=false); its budget is too large for wrk to spend.
    Scenario("get_limited", "GET task by id, rate limits on (Redis)", "limited", "get.lua",
             _ids(f"{TASKS}/"), baseline="get"),
    # The same service with task reads through SQLAlchemy (DB_FAST_READS=false): what
    # the asyncpg fast path must beat by 15% to stay (the one-path rule).
    Scenario("get_shared", "GET task by id, shared read path", "shared", "get.lua",
             _ids(f"{TASKS}/")),
    Scenario("list_cursor_shared", "GET cursor page 2, shared read path", "shared", "get.lua",
             _fixed(f"{TASKS}?limit=50&cursor={{second}}")),
    Scenario("list", "GET page of 50 with tags (first page)", "service", "get.lua",
             _fixed(f"{TASKS}?limit=50"), baseline="get"),
    Scenario("list_cursor", "GET page of 50 with tags (cursor, 2nd page)", "service",
             "get.lua", _fixed(f"{TASKS}?limit=50&cursor={{second}}"), baseline="get"),
    Scenario("cursor_deep", "GET cursor page at depth 100k", "service", "get.lua",
             _fixed(f"{TASKS}?limit=50&cursor={{cursor}}"), baseline="list"),
    Scenario("offset_deep", "GET offset page at depth 100k", "service", "get.lua",
             _fixed(f"{TASKS}?limit=50&offset={{depth}}"), baseline="list"),
    # Latency without queueing: one connection, one request at a time.
    Scenario("list_1", "latency (1 conn.): first page", "service", "get.lua",
             _fixed(f"{TASKS}?limit=50"), connections=1),
    Scenario("list_cursor_1", "latency (1 conn.): cursor page 2", "service", "get.lua",
             _fixed(f"{TASKS}?limit=50&cursor={{second}}"), connections=1, baseline="list_1"),
    Scenario("cursor_deep_1", "latency (1 conn.): cursor page at depth 100k", "service",
             "get.lua", _fixed(f"{TASKS}?limit=50&cursor={{cursor}}"), connections=1,
             baseline="list_1"),
    Scenario("stats", "GET stats", "service", "get.lua", _fixed(f"{TASKS}/stats"),
             baseline="get"),
    # The first page with one filter each; of the seeded tasks, status todo matches 40,000,
    # tag-07 4,800, project 7 1,200 and assignee 14 103. Beside stats, not between the
    # shared and fast cursor pages: what slow answers leave running when a round ends
    # falls on the next scenario.
    *(
        Scenario(f"list_{name}", f"GET first page of 50, {name} filter", "service", "get.lua",
                 _fixed(f"{TASKS}?limit=50&{query}"), baseline="get")
        for name, query in FILTERED_PAGES.items()
    ),
    Scenario("stats_project", "GET stats of one project", "service", "get.lua",
             _fixed(f"{TASKS}/stats?project_id=7"), baseline="get"),
    # A number in one of the 120k titles: substring search, page of 50 with its total.
    Scenario("search", "GET search q= (rare), page of 50", "service", "get.lua",
             _fixed(f"{TASKS}?q=98765&limit=50"), baseline="get"),
    Scenario("raw_post", "(3) baseline: raw asyncpg insert", "baselines", "post.lua",
             lambda ctx, _: ["/raw/tasks", POST_BODY]),
    Scenario("post", "POST task", "service", "post.lua",
             lambda ctx, _: [TASKS, POST_BODY], baseline="raw_post"),
    Scenario("patch", "PATCH with If-Match", "service", "patch.lua", _patch, baseline="post"),
    Scenario("bulk", "POST bulk of 1000 (1 connection)", "service", "bulk.lua",
             lambda ctx, _: [f"{TASKS}/bulk", "1000"], connections=1, rows_per_request=1000),
)  # fmt: skip
LEVEL_SCENARIOS = ("get", "list_cursor", "post")
# Every server's pool may be full at once: the service and the shared path 20 each
# (DB_POOL_SIZE's default), two workers of 5, the baselines 20 (raw) + 2 x 15 (naive,
# SQLAlchemy's default 5 + 10). Over max_connections (100 by default) the naive
# baselines' overflow connections were refused mid-run, which showed as errors. Five
# a worker is no limit here: GET by id holds its connection for one statement.
TWO_WORKERS_POOL = 5
MOST_CONNECTIONS = 2 * 20 + 2 * TWO_WORKERS_POOL + 20 + 2 * 15
# Run only when asked for (--only get,get_limited): the rate-limited server must have the
# service's pool (20) for the comparison to be fair, and beside every other server that
# is more than PostgreSQL's 100 connections. (A pool of 5 made it 0.62x, limits or not.)
APART = frozenset({"get_limited"})
# A short run that only checks the bench works end to end (its figures mean little).
SMOKE = {
    "tasks": 10_000, "warmup": 1, "duration": 2, "rounds": 1, "levels": "1,32",
    "level_duration": 1,
}  # fmt: skip


def _http(method: str, url: str, body: object = None, key: str = "") -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None


def machine(url: str, wrk: str) -> list[str]:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = "?"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"

    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "absent"

    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return [
        f"machine: {cpu}, {os.cpu_count()} cores, {memory}, Linux {platform.release()}",
        f"software: Python {platform.python_version()}, PostgreSQL "
        f"{database.server_version(url)}, {loadgen.wrk_version(wrk)}",
        f"server: uvicorn {version('uvicorn')} ({loop} loop, {http}), one worker, "
        f"FastAPI {version('fastapi')}, SQLAlchemy {version('sqlalchemy')}, "
        f"asyncpg {version('asyncpg')}, pydantic {version('pydantic')}",
    ]


def _sanity(service: Server, baselines: Server, ctx: Context) -> list[str]:
    """Authentication is on; the baselines answer what the service answers; the cursors."""
    notes = []
    task_id = ctx.tasks // 2
    status, _ = _http("GET", f"{service.base}{TASKS}/{task_id}")
    if status != 401:
        raise SystemExit(f"GET task {task_id} without a key: {status}, not 401")
    notes.append(
        "authentication on: without a key the service answers 401; every request of the "
        "runs sends the admin key of the bench's workspace"
    )
    status, ours = _http("GET", f"{service.base}{TASKS}/{task_id}", key=ctx.key)
    raw_status, raw = _http("GET", f"{baselines.base}/raw/tasks/{task_id}")
    if status != 200 or raw_status != 200:
        raise SystemExit(f"GET task {task_id}: service {status}, raw baseline {raw_status}")
    same = "the same JSON" if ours == raw else f"DIFFERENT JSON: {ours} vs {raw}"
    notes.append(f"GET {task_id}: service and raw asyncpg baseline answer {same}")
    body = json.loads(POST_BODY.replace("{n}", "0").replace("{p}", "1").replace("{u}", "1"))
    for name, url in (
        ("service", f"{service.base}{TASKS}"),
        ("raw", f"{baselines.base}/raw/tasks"),
    ):
        status, _ = _http("POST", url, body, key=ctx.key)
        if status != 201:
            raise SystemExit(f"POST to the {name} endpoint answered {status}")
    status, page = _http(
        "GET", f"{service.base}{TASKS}?limit=50&offset={ctx.depth - 50}", key=ctx.key
    )
    if status != 200 or not page.get("next_cursor"):
        raise SystemExit(f"no cursor at depth {ctx.depth}: {status}")
    ctx.deep_cursor = page["next_cursor"]
    status, page = _http("GET", f"{service.base}{TASKS}?limit=50", key=ctx.key)
    if status != 200 or not page.get("next_cursor"):
        raise SystemExit(f"no cursor after the first page: {status}")
    ctx.second_cursor = page["next_cursor"]
    return notes


def redis_commands_per_request(
    server: Server, ctx: Context, redis: counters.Counters, requests: int = 200
) -> float:
    """Commands sent to Redis per GET by id, one request at a time (exact: nothing else
    is in flight), on the rate-limited server, once its connection to Redis is open and
    its script loaded."""
    _http("GET", f"{server.base}{TASKS}/1", key=ctx.key)
    before = redis.sent()
    for n in range(requests):
        status, _ = _http("GET", f"{server.base}{TASKS}/{1 + n % ctx.tasks}", key=ctx.key)
        if status != 200:
            raise SystemExit(f"GET with rate limits on answered {status}")
    return (redis.sent() - before) / requests


def bulk_available(service: Server, key: str) -> bool:
    body = {"items": [{"title": "probe"}]}
    status, _ = _http("POST", f"{service.base}{TASKS}/bulk", body, key=key)
    return status == 201


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a short run that checks the bench end to end: "
        + ", ".join(f"--{k.replace('_', '-')} {v}" for k, v in SMOKE.items())
        + " unless given",
    )
    parser.add_argument("--tasks", type=int, default=120_000, help="tasks to seed (>= 100,050)")
    parser.add_argument("--connections", type=int, default=32, help="the fixed concurrency")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up a scenario")
    parser.add_argument("--duration", type=int, default=5, help="seconds a round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--levels", default="1,8,32,64,256", help="connections for the load levels")
    parser.add_argument("--level-duration", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated scenario keys")
    parser.add_argument("--profile", default="", help="scenario keys to profile with py-spy")
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    parser.add_argument("--keep-logs", action="store_true", help="keep the servers' logs")
    parser.add_argument(
        "--service-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for the service (an experiment, e.g. DB_POOL_PRE_PING=false)",
    )
    args = parser.parse_args(argv)
    if args.smoke:  # its values as defaults: an option given explicitly still wins
        parser.set_defaults(**SMOKE)
        args = parser.parse_args(argv)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)

    url = os.environ.get("BENCH_DATABASE_URL", database.DEFAULT_URL)
    wanted = {k for k in args.only.split(",") if k}
    profiled = {k for k in args.profile.split(",") if k}
    selected = [s for s in SCENARIOS if s.key in wanted or (not wanted and s.key not in APART)]
    scenarios = list(selected)
    levels = [int(c) for c in args.levels.split(",") if c]
    wrk = loadgen.ensure_wrk()
    logs = Path(tempfile.mkdtemp(prefix="taskhex-bench-"))
    started = time.monotonic()
    results: dict[str, Measured] = {}
    warmups: dict[str, Round | None] = {}
    level_runs: dict[str, list[tuple[int, Round]]] = {}
    profiles: dict[str, list[str]] = {}
    servers: dict[str, Server] = {}
    redis_per_request = report.NAN

    def say(text: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {text}", flush=True)

    try:
        with database.own_database(url) as db_url, counters.redis_for_bench() as redis:
            say("database created; migrating (taskhex db upgrade)")
            database.migrate(db_url)
            workspace = database.default_workspace(db_url)
            seeded = database.seed(db_url, tasks=args.tasks, workspace=workspace)
            say(
                f"seeded {seeded.tasks:,} tasks, {seeded.links:,} tag links, {seeded.users:,} "
                f"users, {seeded.projects} projects, {seeded.tags} tags in {seeded.seconds:.1f} s "
                f"(workspace {workspace})"
            )
            # The service checks keys as deployed: AUTH=api_keys, a hash secret of its own.
            hash_secret = secrets.token_urlsafe(32)
            # Rate limits off, but for the server that measures them (get_limited).
            auth_env = {"AUTH": "api_keys", "KEY_HASH_SECRET": hash_secret, "RATE_LIMITS": "false"}
            key = database.create_key(db_url, hash_secret.encode(), workspace=workspace)
            say(f"made an admin API key of workspace {workspace} (key {key[:12]}...)")
            header = machine(db_url, wrk)
            if (free := database.free_connections(db_url)) < MOST_CONNECTIONS:
                say(
                    f"warning: the server has {free} free connections; "
                    f"the bench may use {MOST_CONNECTIONS}"
                )
            load_before = os.getloadavg()[0]
            ctx = Context(tasks=seeded.tasks, depth=min(DEPTH, seeded.tasks - 100), key=key)
            service_env = dict(item.split("=", 1) for item in args.service_env)
            if service_env:
                header.append(f"service settings changed for this run: {service_env}")
            header.append(
                f"authentication: on for the service (AUTH=api_keys, an admin key of workspace "
                f"{workspace}, checked from memory for 4 s after each lookup); the baselines "
                "receive the same Authorization header and do not check it"
            )
            servers["service"] = start_service(db_url, logs, {**auth_env, **service_env})
            servers["baselines"] = start_baselines(db_url, logs, workspace)
            if any(s.server == "shared" for s in scenarios):
                shared = {**auth_env, **service_env, "DB_FAST_READS": "false"}
                servers["shared"] = start_service(db_url, logs, shared, name="shared")
            if any(s.server == "two_workers" for s in scenarios):
                two = {**auth_env, "DB_POOL_SIZE": str(TWO_WORKERS_POOL), **service_env}
                servers["two_workers"] = start_service(
                    db_url, logs, two, name="two_workers", workers=2
                )
            if any(s.server == "limited" for s in scenarios):
                if redis is None:
                    say("no redis-server (nor BENCH_REDIS_URL): get_limited is skipped")
                    scenarios = [s for s in scenarios if s.server != "limited"]
                else:
                    limited = {
                        **auth_env, **service_env, "RATE_LIMITS": "true",
                        "REDIS_URL": redis.url, "RATE_LIMIT_ADMIN": "1000000000",
                    }  # fmt: skip
                    servers["limited"] = start_service(db_url, logs, limited, name="limited")
            notes = _sanity(servers["service"], servers["baselines"], ctx)
            if "limited" in servers and redis is not None:
                redis_per_request = redis_commands_per_request(servers["limited"], ctx, redis)
                notes.append(
                    f"rate limits on (get_limited): {redis_per_request:.2f} Redis commands "
                    "per GET by id (200 requests one at a time, INFO commandstats); the other "
                    "servers run with RATE_LIMITS=false"
                )
            for note in notes:
                say(note)
            if any(s.key == "bulk" for s in scenarios) and not bulk_available(
                servers["service"], key
            ):
                say("POST /api/v1/tasks/bulk is not there yet: the bulk scenario is skipped")
                notes.append("bulk create: the endpoint does not exist yet, not measured")
                scenarios = [s for s in scenarios if s.key != "bulk"]

            def run(scenario: Scenario, run: int, load: Load) -> Round:
                server = servers[scenario.server]
                return loadgen.run_wrk(
                    wrk, server.base, scenario.script, [ctx.key, *scenario.args(ctx, run)], load,
                    server.cpu_seconds,
                )  # fmt: skip

            def report_run(scenario: Scenario, what: str, r: Round) -> None:
                unit = "rows/s" if scenario.rows_per_request > 1 else "req/s"
                say(
                    f"{scenario.label}, {what}: {r.rps * scenario.rows_per_request:,.0f} {unit}, "
                    f"p50 {r.p50_ms:.2f} ms, p99 {r.p99_ms:.2f} ms, errors {r.errors}"
                    + (f" (401/403: {r.refused})" if r.refused else "")
                )

            def load(scenario: Scenario, seconds: int) -> Load:
                return Load(scenario.connections or args.connections, seconds)

            # Every scenario warms up first; then the rounds go round-robin over
            # the scenarios, so that a slow spell of the machine falls on all of
            # them alike rather than on one (the ratios are what matter).
            # The load levels come next; the bulk creates last (most rows).
            phases = [
                [s for s in scenarios if s.key != "bulk"],
                [s for s in scenarios if s.key == "bulk"],
            ]
            for number, phase in enumerate(phases):
                if number == 1 and levels:
                    level_keys = [k for k in LEVEL_SCENARIOS if any(s.key == k for s in scenarios)]
                    for key in level_keys:
                        scenario = next(s for s in scenarios if s.key == key)
                        for connections in levels:
                            r = run(scenario, 0, Load(connections, args.level_duration))
                            level_runs.setdefault(key, []).append((connections, r))
                            report_run(scenario, f"{connections} connections", r)
                for scenario in phase:
                    if args.warmup:
                        warm = run(scenario, 0, load(scenario, args.warmup))
                        warmups[scenario.key] = warm
                        report_run(scenario, "warm-up", warm)
                for round_number in range(1, args.rounds + 1):
                    for scenario in phase:
                        r = run(scenario, round_number, load(scenario, args.duration))
                        results.setdefault(scenario.key, Measured()).rounds.append(r)
                        report_run(scenario, f"round {round_number}", r)
                    for server in servers.values():
                        server.read_peak_rss()
            for key in profiled:
                scenario = next(s for s in SCENARIOS if s.key == key)
                profiles[key] = _profile(
                    scenario, servers[scenario.server], logs, run, load, args.rounds + 1
                )
            for server in servers.values():
                server.stop()
            total_tasks = database.count_tasks(db_url)
            header.append(
                f"load average (1 min) of the machine: {load_before:.2f} before the runs, "
                f"{os.getloadavg()[0]:.2f} after (the bench alone keeps it near 2)"
            )
    finally:
        for server in servers.values():
            server.stop()
        if not args.keep_logs:
            shutil.rmtree(logs, ignore_errors=True)

    rows = [report.Row(s.key, s.label, s.rows_per_request, s.baseline) for s in selected]
    labels = {s.key: s.label for s in SCENARIOS}
    found = report.targets(results, level_runs, warmups, redis_per_request)
    print()
    print(*header, sep="\n")
    print(
        f"load: wrk, 1 thread, {args.connections} connections (bulk and latency rows: 1), "
        f"{args.warmup} s warm-up, "
        f"{args.rounds} rounds x {args.duration} s; medians of the rounds; "
        f"database: {seeded.tasks:,} tasks seeded, {total_tasks:,} at the end"
    )
    print(*notes, sep="\n")
    print()
    print(*report.scenario_table(rows, results), sep="\n")
    if level_runs:
        print()
        print(*report.levels_table(level_runs, lambda k: labels[k]), sep="\n")
    print()
    print(*report.targets_table(found), sep="\n")
    print()
    for server in servers.values():
        print(f"peak RSS of the {server.name} server: {server.peak_rss_kib / 1024:.1f} MiB")
    for key, lines in profiles.items():
        print(f"\nprofile of the service under '{labels[key]}' (py-spy):")
        print(*lines, sep="\n")
    print(f"\nbench finished in {time.monotonic() - started:.0f} s")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": header,
                    "results": {k: [asdict(r) for r in m.rounds] for k, m in results.items()},
                    "levels": {k: [(c, asdict(r)) for c, r in v] for k, v in level_runs.items()},
                    "targets": [{**asdict(t), "met": t.met} for t in found],
                    "peak_rss_kib": {s.name: s.peak_rss_kib for s in servers.values()},
                },
                indent=1,
            )
        )
    return 0


def _profile(
    scenario: Scenario,
    server: Server,
    logs: Path,
    run: Callable[[Scenario, int, Load], Round],
    load: Callable[[Scenario, int], Load],
    run_number: int,
) -> list[str]:
    """An extra run under py-spy (not counted in the figures), summarised."""
    output = logs / f"profile-{scenario.key}.txt"
    recorder = profile.start(server.process.pid, output)
    time.sleep(0.5)
    try:
        run(scenario, run_number, load(scenario, 10))
    finally:
        profile.stop(recorder)
    kept = Path(tempfile.gettempdir()) / f"taskhex-bench-profile-{scenario.key}-{os.getpid()}.txt"
    shutil.copyfile(output, kept)
    lines = profile.summarise(profile.parse(output.read_text().splitlines()))
    return [*lines, f"(raw collapsed stacks: {kept})"]


if __name__ == "__main__":
    sys.exit(main())
