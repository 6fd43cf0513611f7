"""The bench's own pieces: the table and targets come from the measurements, the
profile summary reads py-spy's output, the baseline app answers. No load, no timing."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bench import baselines, database, loadgen, profile, report, run
from bench.loadgen import WRK_DIR, Measured, Round


def measured(*rps: float, p50: float = 1.0, errors: int = 0) -> Measured:
    return Measured([Round(int(r * 5), 5.0, p50, p50 * 3, errors, 0.05, 0.9) for r in rps])


RESULTS = {
    "raw_get": measured(1000, 1100, 900),
    "naive_get": measured(200, 210, 190),
    "naive_async_get": measured(300, 320, 280),
    "get": measured(700, 600, 650),
    "raw_post": measured(400),
    "post": measured(100),
    "list": measured(250, p50=10.0),
    "list_cursor": measured(300, p50=4.0),
    "list_1": measured(100, p50=10.0),
    "list_cursor_1": measured(250, p50=4.0),
    "cursor_deep_1": measured(240, p50=4.4),
    "bulk": measured(30),
}


def test_each_figure_is_the_median_of_its_rounds() -> None:
    m = measured(700, 600, 650)
    assert m.rps == pytest.approx(650)
    assert m.requests == 5 * (700 + 600 + 650)
    assert m.rounds[0].cpu_us == pytest.approx(0.9 * 5 / 3500 * 1e6)


def test_the_targets_are_ratios_of_the_medians() -> None:
    found = {t.label: t for t in report.targets(RESULTS, {}, {})}
    by_raw = found["GET by id / raw asyncpg GET (2)"]
    assert by_raw.measured == pytest.approx(650 / 1000)
    assert by_raw.met
    # The tutorials' sync pattern, and its async variant, each held to 2.5x.
    assert found["GET by id / naive SQLModel (4)"].measured == pytest.approx(650 / 200)
    assert found["GET by id / naive SQLModel (4)"].met
    async_variant = found["GET by id / naive SQLModel, async variant"]
    assert async_variant.measured == pytest.approx(650 / 300)
    assert not async_variant.met
    assert found["POST / raw asyncpg insert (3)"].measured == pytest.approx(0.25)
    deep = found["cursor page at depth 100k / cursor page 2 (p50, 1 connection)"]
    assert deep.measured == pytest.approx(1.1)
    assert deep.met
    assert found["bulk create of 1000: rows/s"].measured == pytest.approx(30_000)
    assert found["errors, every run and load level"].met


def test_the_authentication_targets_hold_get_and_post_to_the_raw_baselines() -> None:
    found = {t.label: t for t in report.targets(RESULTS, {}, {})}
    get = found[f"{report.AUTHENTICATION} GET by id / raw asyncpg GET (2)"]
    assert get.measured == pytest.approx(0.65)
    assert (get.required, get.met) == (0.55, True)
    post = found[f"{report.AUTHENTICATION} POST / raw asyncpg insert (3)"]
    assert post.measured == pytest.approx(0.25)
    assert (post.required, post.met) == (0.5, False)
    assert found[f"{report.AUTHENTICATION} 401/403 answers, every run and load level"].met
    text = "\n".join(report.targets_table(list(found.values())))
    assert "authentication on: GET by id / raw asyncpg GET (2)" in text
    assert ">= 0.55 x" in text


def test_a_401_or_403_anywhere_is_an_error_and_misses_the_authentication_target() -> None:
    counters = {"requests": 100, "duration_us": 1_000_000, "p50_us": 1000, "p99_us": 2000}
    counters |= {"connect": 0, "read": 0, "write": 0, "timeout": 0, "status": 3, "shed": 0}
    refused = loadgen.round_of({**counters, "refused": 3}, wrk_cpu_s=0.1, server_cpu_s=0.9)
    assert (refused.errors, refused.refused) == (3, 3)
    warm = {"get": refused}
    found = {t.label: t for t in report.targets(RESULTS, {}, warm)}
    assert found[f"{report.AUTHENTICATION} 401/403 answers, every run and load level"].measured == 3
    assert not found[f"{report.AUTHENTICATION} 401/403 answers, every run and load level"].met
    assert not found["errors, every run and load level"].met
    # A script of before this counter reports none.
    assert loadgen.round_of(counters, wrk_cpu_s=0.1, server_cpu_s=0.9).refused == 0


def test_an_error_anywhere_misses_the_error_target() -> None:
    level = [(256, Round(100, 1.0, 1.0, 2.0, 1, 0.1, 0.9))]
    found = {t.label: t for t in report.targets(RESULTS, {"get": level}, {})}
    assert found["errors, every run and load level"].measured == 1
    assert not found["errors, every run and load level"].met


def test_a_scenario_not_measured_misses_its_target_and_says_so() -> None:
    found = {t.label: t for t in report.targets({}, {}, {})}
    assert not found["bulk create of 1000: rows/s"].met
    table = report.scenario_table([report.Row("bulk", "bulk", 1000)], {})
    assert "not run" in table[-1]
    text = "\n".join(report.targets_table(list(found.values())))
    assert "n/a" in text
    assert "not measured" in text


def test_the_table_shows_rows_per_second_and_the_ratio_to_the_baseline() -> None:
    rows = [report.Row("get", "GET", baseline="raw_get"), report.Row("bulk", "bulk", 1000)]
    table = "\n".join(report.scenario_table(rows, RESULTS))
    assert "650 req/s" in table
    assert "0.65x raw_get" in table
    assert "30,000 rows/s" in table


def test_the_profile_summary_attributes_samples_to_components() -> None:
    stacks = profile.parse(
        [
            "main (interfaces/cli/main.py);get (infrastructure/persistence/task_reader.py);"
            "execute (sqlalchemy/engine/base.py) 3",
            "main (interfaces/cli/main.py);emit (logging/__init__.py) 1",
        ]
    )
    lines = profile.summarise(stacks)
    assert lines[0] == "4 samples"
    assert any("75.0%  SQLAlchemy" in line for line in lines)
    assert any("25.0%  logging" in line for line in lines)
    assert any("75.0%  get (infrastructure/persistence/task_reader.py)" in line for line in lines)


def test_every_wrk_script_reports_through_the_common_one() -> None:
    scripts = sorted(p for p in Path(WRK_DIR).glob("*.lua") if p.name != "common.lua")
    assert {p.name for p in scripts} >= {"get.lua", "post.lua", "patch.lua", "bulk.lua"}
    for script in scripts:
        assert 'dofile("common.lua")' in script.read_text()


def test_every_wrk_script_sends_the_key_its_first_argument_names() -> None:
    common = (Path(WRK_DIR) / "common.lua").read_text()
    assert 'headers["Authorization"] = "Bearer " .. key' in common
    assert "table.remove(args, 1)" in common
    for script in sorted(p for p in Path(WRK_DIR).glob("*.lua") if p.name != "common.lua"):
        text = script.read_text()
        assert "Arguments: KEY " in text, script.name
        init = text.index("function init(args)")
        # The key comes off the arguments before the script reads its own.
        assert text.index("authorize(args, ", init) < text.index("args[1]", init), script.name
        # Every request is built with the headers that carry it.
        formats = [line for line in text.splitlines() if "wrk.format(" in line]
        assert formats, script.name
        assert all("headers" in line for line in formats), script.name
    patch = (Path(WRK_DIR) / "patch.lua").read_text()
    assert '["Authorization"] = authorization["Authorization"]' in patch


def test_the_seed_and_the_raw_baselines_write_rows_of_the_workspace() -> None:
    inserts = [s for s in database.SEED.split(";") if "INSERT INTO" in s]
    assert len(inserts) == 5
    for insert in inserts:
        columns = insert.split("INSERT INTO", 1)[1].split("(", 1)[1].split(")", 1)[0]
        assert columns.split(",")[0].strip() == "workspace_id", insert
        assert "%(workspace)s" in insert
    assert "ON CONFLICT (workspace_id, name)" in database.SEED
    for statement in (baselines.INSERT_TASK, baselines.INSERT_TAGS, baselines.INSERT_LINKS):
        assert "(workspace_id, " in statement
    assert "ON CONFLICT (workspace_id, name)" in baselines.INSERT_TAGS
    assert "t.workspace_id = $1" in baselines.GET_TASK


def test_smoke_is_a_short_run_whose_options_can_still_be_given() -> None:
    full = run.parse_args([])
    assert (full.tasks, full.rounds, full.duration) == (120_000, 3, 5)
    smoke = run.parse_args(["--smoke"])
    assert (smoke.tasks, smoke.rounds, smoke.duration, smoke.levels) == (10_000, 1, 2, "1,32")
    assert run.parse_args(["--smoke", "--rounds", "2"]).rounds == 2


async def test_the_baseline_app_answers_without_a_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BENCH_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    from bench.baselines import create_app

    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        response = await client.get("/bare")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_overload_target_compares_the_tails_at_256_and_32_connections() -> None:
    level = [
        (32, Round(1000, 1.0, 5.0, 20.0, 0, 0.1, 0.9)),
        (256, Round(1000, 1.0, 50.0, 300.0, 0, 0.1, 0.9)),
    ]
    found = {t.label: t for t in report.targets(RESULTS, {"get": level}, {})}
    tail = found["GET by id p99, 256 connections / 32 connections"]
    assert tail.measured == pytest.approx(15.0)
    assert not tail.met


def test_503s_with_retry_after_are_shed_load_not_errors() -> None:
    counters = {"requests": 1000, "duration_us": 2_000_000, "p50_us": 1500, "p99_us": 9000}
    counters |= {"connect": 0, "read": 0, "write": 0, "timeout": 1, "status": 40, "shed": 30}
    measured = loadgen.round_of(counters, wrk_cpu_s=0.2, server_cpu_s=1.8)
    assert (measured.errors, measured.shed, measured.rps) == (11, 30, 500)
    assert (measured.p99_ms, measured.server_cpu) == (9.0, 0.9)
    table = "\n".join(report.levels_table({"get": [(256, measured)]}, str))
    assert "shed (503)" in table
    assert "| 11     | 30" in table


def test_rate_limits_are_held_to_ten_percent_of_get_and_one_redis_command() -> None:
    results = {**RESULTS, "get_limited": measured(600, 580, 590)}
    found = {t.label: t for t in report.targets(results, {}, {}, redis_per_request=1.0)}
    ratio = found["GET by id, limits on / off"]
    assert ratio.measured == pytest.approx(590 / 650)
    assert ratio.met
    assert found["Redis commands per request (limits on)"].met
    missed = {t.label: t for t in report.targets(RESULTS, {}, {}, redis_per_request=2.0)}
    assert not missed["Redis commands per request (limits on)"].met
    assert not missed["GET by id, limits on / off"].met  # not measured
