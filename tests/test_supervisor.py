"""Every way a lane can end becomes an outcome, reached with a stand-in lane (`fake_lane.py`) in
milliseconds instead of through Spark: a hang, a crash (the student's on the local engine, the
grader's on a refereed one), memory past the limit, an engine failure retried then recorded."""

import socket
import sys
from pathlib import Path

import pytest

from grader import outcome as kinds
from grader.engine import Engine
from grader.supervision import supervisor
from grader.supervision.supervisor import Run, WorkerPool

FAKE_LANE = [sys.executable, str(Path(__file__).with_name("fake_lane.py"))]
LOCAL = Engine.local()


@pytest.fixture(autouse=True)
def quick_limits(monkeypatch):
    monkeypatch.setattr(supervisor, "STARTUP_ALLOWANCE", 1.0)
    monkeypatch.setattr(supervisor, "KILL_GRACE", 0.5)
    monkeypatch.setattr(supervisor, "ceiling_for", lambda budget: budget)


@pytest.fixture
def engine_port():
    """A listening socket standing for a Spark Connect engine that is up."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def outcomes(tmp_path: Path, behaviours: list[str], engine: Engine = LOCAL) -> tuple[dict, WorkerPool]:
    submission = tmp_path / "submission.py"
    submission.write_text("")
    runs = [Run(f"run{i}", 2, behaviour, submission, budget=1.0) for i, behaviour in enumerate(behaviours)]
    with WorkerPool(runs, engine, tmp_path / "lanes", program=FAKE_LANE) as pool:
        return {run.task: pool.outcome(run.id) for run in runs}, pool


@pytest.mark.timeout(60)
def test_a_hang_times_out_and_the_next_run_gets_a_fresh_lane(tmp_path):
    found, pool = outcomes(tmp_path, ["hangs", "passes"])
    assert found["hangs"].failure.kind == kinds.TIMEOUT
    assert found["passes"].failure is None and pool.spawns == 2


@pytest.mark.timeout(60)
def test_a_task_out_of_time_on_one_scenario_is_not_run_on_the_others(tmp_path):
    submission = tmp_path / "submission.py"
    submission.write_text("")
    runs = [Run("public", 2, "hangs", submission, budget=1.0), Run("hidden", 2, "hangs", submission, 1.0, "edges"),
            Run("next", 2, "passes", submission, budget=1.0)]
    with WorkerPool(runs, LOCAL, tmp_path / "lanes", program=FAKE_LANE) as pool:
        found = pool.all_outcomes()
    assert found["public"].failure.kind == found["hidden"].failure.kind == kinds.TIMEOUT
    assert found["hidden"].failure.message.startswith("Not run")
    assert found["next"].failure is None
    assert pool.spawns == 2  # the hidden run never reached a lane


@pytest.mark.timeout(60)
def test_a_crash_is_the_students_where_their_code_runs_in_the_lane(tmp_path):
    found, _ = outcomes(tmp_path, ["crashes", "passes"])
    assert found["crashes"].failure.kind == kinds.CRASH
    assert found["passes"].failure is None


@pytest.mark.timeout(60)
def test_a_referee_that_dies_is_the_graders_failure_retried_then_not_graded(tmp_path, engine_port):
    found, pool = outcomes(tmp_path, ["crashes"], Engine.connect(f"sc://127.0.0.1:{engine_port}"))
    assert found["crashes"].failure.kind == kinds.INFRASTRUCTURE
    assert pool.spawns == 1 + supervisor.INFRASTRUCTURE_RETRIES


@pytest.mark.timeout(60)
def test_memory_past_the_limit_stops_the_lane(tmp_path, monkeypatch):
    monkeypatch.setattr(supervisor, "MEMORY_LIMIT_MB", 200)
    found, _ = outcomes(tmp_path, ["hoards", "passes"])
    assert found["hoards"].failure.kind == kinds.MEMORY
    assert found["passes"].failure is None


@pytest.mark.timeout(60)
def test_an_engine_failure_is_retried_a_bounded_number_of_times(tmp_path, engine_port):
    found, pool = outcomes(tmp_path, ["meets_a_lost_engine", "passes"], Engine.connect(f"sc://127.0.0.1:{engine_port}"))
    assert found["meets_a_lost_engine"].failure.kind == kinds.INFRASTRUCTURE
    assert found["passes"].failure is None
    assert pool.spawns == 1 + supervisor.INFRASTRUCTURE_RETRIES + 1


@pytest.mark.timeout(60)
def test_an_engine_that_never_answers_leaves_the_task_not_graded(tmp_path):
    found, pool = outcomes(tmp_path, ["finds_no_engine"])
    assert found["finds_no_engine"].failure.kind == kinds.ENGINE and pool.spawns == 2


@pytest.mark.timeout(60)
def test_an_engine_that_is_gone_and_cannot_be_started_leaves_the_task_not_graded_and_says_why(tmp_path):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    found, pool = outcomes(tmp_path, ["passes"], Engine.connect(f"sc://127.0.0.1:{port}"))
    assert found["passes"].failure.kind == kinds.ENGINE and pool.spawns == 0
    assert found["passes"].failure.message.endswith("Why it did not start: No engine of this grader ran on its port.")


@pytest.mark.timeout(60)
def test_a_submission_that_is_a_link_never_reaches_a_lane(tmp_path):
    target = tmp_path / "solution.py"
    target.write_text("")
    (tmp_path / "linked.py").symlink_to(target)
    run = Run("run0", 2, "passes", tmp_path / "linked.py", budget=1.0)
    with WorkerPool([run], LOCAL, tmp_path / "lanes", program=FAKE_LANE) as pool:
        assert pool.outcome("run0").failure.kind == kinds.LOAD and pool.spawns == 0
