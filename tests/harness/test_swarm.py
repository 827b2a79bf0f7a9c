"""``soundcheck swarm`` on Dask: seeds drawn, failures found and grouped, resume, a killed worker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.cli import main
from harness.swarm import (
    SWARM_KINDS,
    WORKER_DIED,
    SwarmLog,
    SwarmResult,
    SwarmSpec,
    failure_groups,
    parse_seeds,
    prepare_out_dir,
    render_report,
    run_swarm,
    seed_schedule,
    swarm_profile,
)


ROOT = Path(__file__).resolve().parents[2]


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# ------------------------------------------------------------------------------------ fast ----

def test_parse_seeds() -> None:
    assert parse_seeds("1-5") == [1, 2, 3, 4, 5]
    assert parse_seeds("7") == [7]
    assert parse_seeds("1-3,2,9") == [1, 2, 3, 9]


@pytest.mark.parametrize("argv, needle", [
    (["--seeds", "5-1", "--duration", "2s"], "range 5-1 is empty"),
    (["--seeds", "a-b", "--duration", "2s"], "cannot read 'a-b'"),
    (["--seeds", "1-2", "--duration", "2s", "--faults", "nope"], "unknown fault profile 'nope'"),
    (["--seeds", "1-2", "--duration", "2s", "--mutant", "nope"], "unknown mutant 'nope'"),
    (["--seeds", "1-2"], "needs --duration"),
    (["--seeds", "1-2", "--duration", "2s", "--shrink-runs", "0"], "--shrink-runs must be at least 1, got 0"),
])
def test_bad_input_exits_2_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             argv: list[str], needle: str) -> None:
    out = tmp_path / "swarm"
    assert main(["swarm", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
    assert not out.exists()  # nothing written for bad input


def test_resume_of_a_folder_that_is_no_swarm_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["swarm", "--resume", str(tmp_path)]) == 2
    assert "not a swarm folder" in capsys.readouterr().err


def test_each_seed_draws_its_own_deterministic_subset() -> None:
    profiles = [swarm_profile(s) for s in range(1, 41)]
    assert [p.probabilities for p in profiles] == [swarm_profile(s).probabilities for s in range(1, 41)]
    subsets = {tuple(sorted(p.probabilities)) for p in profiles}
    assert len(subsets) > 20  # different mixes, not one
    assert all(set(p.probabilities) <= set(SWARM_KINDS) for p in profiles)
    assert "concurrent_transitions" not in SWARM_KINDS
    assert any(len(p.probabilities) < len(SWARM_KINDS) for p in profiles)


def test_a_seed_whose_mix_draws_nothing_still_gets_faults() -> None:
    # seed 96's mix (one rare kind) draws no fault in 10 s from its profile alone
    assert len(swarm_profile(96).schedule(10.0, 96)) == 0
    schedule = seed_schedule("swarm", 96, 10.0)
    assert [f.kind for f in schedule.faults] == sorted(swarm_profile(96).probabilities)
    assert schedule.to_dict() == seed_schedule("swarm", 96, 10.0).to_dict()


@pytest.mark.parametrize("rows, groups", [
    ([], {}),
    # only failures are grouped, one group per invariant violated whatever order a row names them
    # in; a failure with none violated and no reason recorded is a group of its own; an
    # inconclusive seed and a passing one are no failure, whatever they list
    ([{"seed": 1, "outcome": "fail", "violated": ["recovery", "linearizable"]},
      {"seed": 2, "outcome": "inconclusive", "violated": []},
      {"seed": 3, "outcome": "pass", "violated": []},
      {"seed": 4, "outcome": "fail", "violated": ["linearizable", "recovery"]},
      {"seed": 5, "outcome": "fail", "violated": []},
      {"seed": 6, "outcome": "inconclusive"}],
     {"invariant:linearizable": [1, 4], "invariant:recovery": [1, 4], "other:no reason recorded": [5]}),
    ([{"seed": 7, "outcome": "inconclusive", "violated": []}], {}),
])
def test_failure_groups_hold_the_failing_seeds_only(rows, groups) -> None:
    assert failure_groups(rows) == groups


def test_log_writes_a_seed_once_and_cuts_a_torn_line(tmp_path: Path) -> None:
    path = tmp_path / "swarm.jsonl"
    log = SwarmLog(path)
    assert log.add({"seed": 1, "outcome": "pass"})
    assert not log.add({"seed": 1, "outcome": "fail"})  # a second result for seed 1 is dropped
    log.close()
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('{"seed": 2, "outc')  # the driver died mid-write
    log = SwarmLog(path)
    assert 1 in log and 2 not in log
    log.add({"seed": 2, "outcome": "pass"})
    log.close()
    assert [r["seed"] for r in _rows(path)] == [1, 2]


@pytest.mark.parametrize("outcomes, errors, code", [
    (["pass", "pass"], {}, 0),
    (["pass", "pass"], {3: "KilledWorker: worker lost"}, 3),  # a seed never run: not a pass
    (["pass", "inconclusive"], {}, 3),
    (["pass", "fail"], {3: "KilledWorker: worker lost"}, 1),  # a failure outranks the rest
    ([], {1: "KilledWorker: worker lost"}, 3),
])
def test_a_swarm_with_seeds_not_run_is_inconclusive_in_its_exit_code_and_summary(
        tmp_path: Path, outcomes: list[str], errors: dict[int, str], code: int) -> None:
    from harness.swarm import render_report, summarize

    rows = [{"seed": i + 1, "outcome": o, "violated": ["x"] if o == "fail" else [], "simulated_s": 1.0}
            for i, o in enumerate(outcomes)]
    result = SwarmResult(tmp_path, rows, dict(errors), wall_s=1.0, workers=1)
    assert result.exit_code == code
    summary = summarize(SwarmSpec(f"1-{len(outcomes) + len(errors)}", 1.0), result)
    assert summary["exit_code"] == code
    assert summary["errors"] == {str(k): v for k, v in errors.items()}
    result.summary = summary
    assert f"not run (errors) {len(errors)}; exit code {code}" in render_report(result)


def test_a_seed_that_injected_nothing_is_inconclusive_in_its_line_and_the_swarms_exit_code(tmp_path: Path) -> None:
    """Half a second of the gentle profile draws no fault: the seed's run is inconclusive (nothing
    was tested under faults), and so are its line in swarm.jsonl, the summary and the exit code
    (3), never a pass."""
    from harness.swarm import run_seed, summarize

    row = run_seed(1, 0.5, faults="gentle")
    assert (row["injected"], row["violated"]) == (0, [])
    assert row["outcome"] == "inconclusive"
    result = SwarmResult(tmp_path, [row], {}, wall_s=1.0, workers=1)
    assert result.exit_code == 3
    summary = summarize(SwarmSpec("1", 0.5, "gentle"), result)
    assert summary["outcomes"] == {"pass": 0, "fail": 0, "inconclusive": 1}
    assert summary["inconclusive_seeds"] == [1]


# ------------------------------------------------------------------------- local cluster ----

#: the local-cluster test's seeds: under ``leak_on_error`` for 3 s, seed 3 fails one way (the
#: resources invariant) and the others pass. Seed 4 failed three ways (resources, recovery, steady
#: state), and shrinking its two extra groups was 50 of the 70 shrink runs (seeds 1-6: 12.4 s of
#: CPU with shrinking, 5.6 s without; the whole test 19.5 s, bench/RESULTS.md). The test's cost
#: is CPU, not waiting: it reached its 120 s limit at load average 35-41 on 2 cores. A seed
#: failing several ways is grouped per way in tests/harness/test_swarm_groups.py.
_CLUSTER_SEEDS = [1, 2, 3, 5, 6]


@pytest.mark.slow
def test_swarm_on_a_local_cluster_finds_shrinks_and_resumes(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "swarm"
    db = tmp_path / "h.sqlite"
    code = main(["swarm", "--seeds", "1-3,5-6", "--duration", "3s", "--workers", "2", "--mutant", "leak_on_error",
                 "--out", str(out), "--quiet", "--shrink-runs", "25", "--db", str(db)])
    assert code == 1
    # a swarm whose workers all live: Dask said nothing, on the terminal (the workers' stderr
    # included) or about its log file
    err = capfd.readouterr().err
    assert "distributed." not in err and "Traceback" not in err and "dask.log" not in err, err
    rows = _rows(out / "swarm.jsonl")
    assert sorted(r["seed"] for r in rows) == _CLUSTER_SEEDS
    failed = {r["seed"]: r for r in rows if r["outcome"] == "fail"}
    assert failed and all("resources" in r["violated"] for r in failed.values())
    assert all(r["kinds"] == sorted(swarm_profile(r["seed"]).probabilities) for r in rows)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["outcomes"]["fail"] == len(failed) and summary["exit_code"] == 1
    assert sorted({s for g in summary["failures"] for s in g["seeds"]}) == sorted(failed)
    assert "invariant:resources" in {g["signature"] for g in summary["failures"]}
    report = (out / "report.md").read_text()
    assert "resources" in report and str(min(failed)) in report
    # every failure group shrunk; an invariant's to a scenario that fails under the mutant and passes healthy
    assert [sh["signature"] for sh in summary["shrunk"]] == [g["signature"] for g in summary["failures"]]
    for sh in summary["shrunk"]:
        assert sh["faults_after"] < sh["faults_before"]
        assert sh["signature"] in sh["signatures_after"]
    (resources,) = [sh for sh in summary["shrunk"] if sh["signature"] == "invariant:resources"]
    assert resources["scenario_fails"] is True and resources["scenario_passes_healthy"] is True
    # resume (on a cluster of one worker: a second worker's start-up is CPU the resume has no use
    # for): the first three seeds stay as they were (not re-run), the rest run again, once each
    kept = rows[:3]
    (out / "swarm.jsonl").write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in kept)
                                     + '{"seed": 99, "torn', encoding="utf-8")
    capfd.readouterr()
    code = main(["swarm", "--resume", str(out), "--workers", "1", "--quiet", "--no-shrink", "--db", str(db)])
    assert code == 1
    again = _rows(out / "swarm.jsonl")
    assert again[:3] == kept  # same lines, worker pid and wall time included: skipped, not re-run
    assert sorted(r["seed"] for r in again) == _CLUSTER_SEEDS
    assert f"{len(_CLUSTER_SEEDS)} of {len(_CLUSTER_SEEDS)} seeds" in capfd.readouterr().out
    # one row per seed in the run-history database, a resumed seed's row replaced, not doubled
    assert main(["history", "--db", str(db), "--kind", "swarm", "--json", "--last", "100"]) == 3  # rows kept, no figure of a seed judged
    hist = json.loads(capfd.readouterr().out)["runs"]
    assert sorted(r["seed"] for r in hist) == _CLUSTER_SEEDS
    assert {r["seed"] for r in hist if not r["ok"]} == {r["seed"] for r in again if r["outcome"] != "pass"}
    assert set(failed) <= {r["seed"] for r in hist if not r["ok"]} and {r["mutant"] for r in hist} == {"leak_on_error"}


# ---------------------------------------------------------- a real scheduler, a killed worker ----

@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """A ``dask scheduler`` and two ``dask worker`` processes (no nanny: a killed worker stays
    dead) on 127.0.0.1; every process is terminated at teardown.

    The scheduler binds a port the kernel gives it (``--port 0``) and writes its address to a
    scheduler file, which the workers and this fixture read: a port found free here and handed
    to the scheduler afterwards could be taken by another process in between (other test
    workers and other clusters share the machine), and the cluster would never come up."""
    dask = str(Path(sys.executable).with_name("dask"))
    scheduler_file = str(tmp_path / "scheduler.json")
    env = dict(os.environ)
    procs: list[subprocess.Popen[bytes]] = []
    logs = [open(tmp_path / f"dask-{i}.log", "wb") for i in range(3)]  # noqa: SIM115
    try:
        procs.append(subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
                                       "--scheduler-file", scheduler_file, "--no-dashboard",
                                       "--dashboard-address", "127.0.0.1:0"], stdout=logs[0], stderr=subprocess.STDOUT,
                                      env=env, start_new_session=True))
        for i in (1, 2):
            procs.append(subprocess.Popen([dask, "worker", "--scheduler-file", scheduler_file, "--nthreads", "1",
                                           "--no-nanny", "--no-dashboard", "--host", "127.0.0.1", "--name", f"w{i}"],
                                          stdout=logs[i], stderr=subprocess.STDOUT, env=env,
                                          start_new_session=True))
        from distributed import Client
        from distributed.utils import json_load_robust

        # the scheduler writes its file in place (not renamed into it): read until it parses
        address = json_load_robust(scheduler_file, timeout=30)["address"]
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address, procs
    finally:
        for p in reversed(procs):  # workers first: a worker whose scheduler is gone waits to reconnect
            if p.poll() is None:
                p.terminate()
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for f in logs:
            f.close()


@pytest.mark.slow
def test_swarm_through_a_scheduler_survives_a_killed_worker(tmp_path: Path, dask_cluster: tuple[str, list]) -> None:
    address, procs = dask_cluster
    victim = procs[1]
    killed: list[int] = []

    from distributed import default_client

    def tasks_held_by_w1(dask_scheduler) -> int:  # noqa: ANN001 - the scheduler, passed by run_on_scheduler
        """The tasks the scheduler has handed the worker named ``w1`` and not had back, read in the
        scheduler's own state (a function of the test, not of its module: it travels by value to a
        scheduler that cannot import the test file). Not through
        ``Client.scheduler_info(n_workers=-1)``: it fetches the table into the client's cache in the
        client's event-loop thread and returns the cache from the caller's thread, and the client's
        own periodic refresh (every 2 s, in that loop thread) stores a table of **no** workers
        (``n_workers=0``) there; on a loaded machine the caller wakes after the refresh and reads an
        empty table (measured: once in 16 runs of this test alone at load average 9-37,
        ``StopIteration`` looking up ``w1``). ``run_on_scheduler`` returns this function's own
        result."""
        return sum(len(ws.processing) for ws in dask_scheduler.workers.values() if ws.name == "w1")

    def on_row(row: dict) -> None:
        # mid-swarm, at the first seed done while the victim holds a task it has not finished (a
        # task of its own to reschedule). Not only at the first seed done: the scheduler hands a
        # worker its next task when it finishes one, and at that moment a worker can hold none
        # (measured: once in 2 runs at load average 19, "the worker to kill has no task").
        # asked through the swarm's own client (the process's default one): a second client in
        # this process left the seeds the kill lost unrecoverable (measured: 2 runs of 3,
        # "RuntimeError: <asyncio.locks.Event ...> is bound to a different event loop")
        if not killed and default_client().run_on_scheduler(tasks_held_by_w1):
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait()
            killed.append(victim.pid)

    spec, out = prepare_out_dir(SwarmSpec("1-12", 2.0, "swarm", "leak_on_error"), tmp_path / "swarm", None)
    result = run_swarm(spec, out, scheduler=address, progress=False, on_row=on_row)
    assert killed, "the victim held no task at any seed's end: nothing was rescheduled"
    assert victim.poll() is not None
    assert result.errors == {}  # no seed given up on (what was raised, if one was)
    lines = _rows(out / "swarm.jsonl")
    assert sorted(r["seed"] for r in lines) == list(range(1, 13))  # every seed, exactly once
    assert result.summary["seeds_done"] == 12
    # the seed the killed worker was running was run again, and the record says so
    rerun = sorted(r["seed"] for r in lines if r.get("rerun"))
    assert rerun and result.summary["rerun_seeds"] == rerun
    assert f"{len(rerun)} seed(s) were given to another worker because the worker holding them died" in render_report(result)


def test_resume_refuses_an_option_that_differs_from_the_saved_swarm(tmp_path: Path) -> None:
    from harness import UsageError

    _, out = prepare_out_dir(SwarmSpec("1-4", 2.0, "swarm", None), tmp_path / "s", None)
    with pytest.raises(UsageError, match="--duration 3.0 differs from the swarm's 2.0"):
        prepare_out_dir(SwarmSpec(None, 3.0, None, None), None, out)  # type: ignore[arg-type]
    spec, same = prepare_out_dir(SwarmSpec(None, 2.0, None, None), None, out)  # type: ignore[arg-type]
    assert same == out and spec == SwarmSpec("1-4", 2.0, "swarm", None)
    with pytest.raises(UsageError, match="already run there"):
        (out / "swarm.jsonl").write_text("", encoding="utf-8")
        prepare_out_dir(SwarmSpec("1-4", 2.0, "swarm", None), out, None)


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_a_swarm_whose_scheduler_is_killed_ends_inconclusive_naming_every_seed_not_run(
        tmp_path: Path, dask_cluster: tuple[str, list]) -> None:
    """``kill -9`` of the scheduler mid-swarm, with seeds still to submit: Dask cancels the seeds
    in flight, and a seed submitted afterwards waited for a scheduler that never came back, so
    the swarm never ended. Run in a thread with a bounded join: a hang fails the test."""
    import threading

    address, procs = dask_cluster
    scheduler = procs[0]
    seeds = list(range(92760, 92768))

    def on_row(_row: dict) -> None:
        if scheduler.poll() is None:
            os.kill(scheduler.pid, signal.SIGKILL)
            scheduler.wait()

    spec, out = prepare_out_dir(SwarmSpec(f"{seeds[0]}-{seeds[-1]}", 1.0, "swarm"), tmp_path / "swarm", None)
    results: list[SwarmResult] = []
    driver = threading.Thread(target=lambda: results.append(run_swarm(
        spec, out, scheduler=address, in_flight=2, progress=False, on_row=on_row)), daemon=True)
    driver.start()
    driver.join(timeout=240)  # the client's own reconnection timeout is 20 s
    assert not driver.is_alive(), "the swarm never ended after its scheduler was killed"
    result = results[0]
    done = {r["seed"] for r in result.rows}
    assert done and set(result.errors) == set(seeds) - done  # every seed not run is named
    assert all("scheduler" in why for why in result.errors.values())
    assert result.summary["verdict"] == "inconclusive" and result.exit_code == 3


@pytest.mark.slow
def test_a_seed_that_kills_its_worker_every_time_is_its_own_failure_with_a_replay(tmp_path: Path) -> None:
    """A seed whose system ends its process (``os._exit``, as a segfault would) was reported as
    "KilledWorker" among the seeds the cluster could not run: an inconclusive swarm, an
    infrastructure gap that ``--resume`` ran again to the same end. It is that seed's failure, the
    system's crash, with the command that replays it in a process of its own; it is not shrunk (a
    shrink runs in the driver's process, which it would end). Dask's allowed failures set to 1
    here: the worker dies twice.

    Dask logs the deaths at ERROR (the scheduler's "marked as failed because 2 workers died", often
    a restarted worker's heartbeat traceback): on the terminal that read as the harness crashing.
    The command runs in a process of its own, as a user's would (inside pytest, whose capture
    Dask's handlers met at import, Dask's lines never reach the captured stderr): its stderr has
    one line pointing at ``dask.log``, which holds the records."""
    out = tmp_path / "swarm"
    env = dict(os.environ, PYTHONPATH=str(ROOT), DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="1")
    proc = subprocess.run([sys.executable, "-c", "import sys; from harness.cli import main; sys.exit(main(sys.argv[1:]))",
                           "swarm", "--seeds", "94350", "--duration", "1s", "--workers", "1", "--quiet", "--no-history",
                           "--system", "tests.harness.worker_killing_system:EndsItsWorker", "--out", str(out)],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=110)
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr[-3000:])
    assert "Traceback" not in proc.stderr and "distributed." not in proc.stderr, proc.stderr[-3000:]
    assert "soundcheck: Dask logged " in proc.stderr and f"every record is in {out / 'dask.log'}" in proc.stderr
    dask_log = (out / "dask.log").read_text()
    assert " ERROR " in dask_log and "distributed.scheduler" in dask_log and "2 workers died" in dask_log, dask_log
    [row] = _rows(out / "swarm.jsonl")
    assert row["seed"] == 94350 and row["outcome"] == "fail", row
    assert row["crash"]["type"] == WORKER_DIED and row["crash"]["by"] == "system" and row["crash"]["tries"] == 2
    assert "died under it on each of 2 tries" in row["evidence"]
    assert row["replay"].startswith("python -c ") and "run_seed(94350, 1.0, 'swarm', None, " in row["replay"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["exit_code"] == 1 and summary["verdict"] == "fail"
    assert [(g["signature"], g["seeds"]) for g in summary["failures"]] == [(f"system_crash:{WORKER_DIED}", [94350])]
    assert summary["shrunk"] == []
    report = (out / "report.md").read_text()
    assert "not run (errors) 0" in report and "the worker process died under seed 94350 on each of its 2 tries" in report
    assert row["replay"] in report
