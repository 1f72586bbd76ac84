"""The engines a grading can run on: the warm local engine, a remote Spark Connect server by
URL, and a classic Spark inside the worker."""

import os
import subprocess
import sys
import time

import pytest

from conftest import ROOT, run_grade
from grader.engine.server import EngineError, EngineServer, engine_for

pytestmark = pytest.mark.spark


@pytest.mark.timeout(300)
def test_the_warm_engine_is_reused_not_started_twice():
    server = EngineServer.from_env()
    server.start()
    assert server.running()
    assert server.start() is False
    assert engine_for("auto") == {"kind": "connect", "url": server.url}


@pytest.mark.timeout(600)
def test_grading_on_a_remote_server_by_url():
    url = EngineServer.from_env().ensure_running()
    code, result, stderr = run_grade("exercise-1", "--submission", str(ROOT / "solutions"), "--remote", url)
    assert result is not None, stderr
    assert result["score"] == result["max_score"] and code == 0


@pytest.mark.timeout(600)
def test_grading_on_a_classic_local_session_in_the_worker():
    code, result, stderr = run_grade("exercise-1", "--submission", str(ROOT / "solutions"), "--engine", "local")
    assert result is not None, stderr
    assert result["score"] == result["max_score"] and code == 0


def test_an_unreachable_remote_is_refused_at_once():
    with pytest.raises(EngineError, match="No Spark Connect server answers at sc://127.0.0.1:9"):
        engine_for("sc://127.0.0.1:9")
    code, result, stderr = run_grade("exercise-1", "--remote", "sc://127.0.0.1:9")
    assert code == 1 and result is None and "No Spark Connect server answers" in stderr


def test_an_unknown_engine_is_refused():
    with pytest.raises(EngineError, match="Unknown engine"):
        engine_for("cluster")


@pytest.mark.timeout(300)
def test_an_idle_engine_stops_by_itself(tmp_path):
    env = {**os.environ, "GRADER_ENGINE_PORT": "15012", "GRADER_CACHE": str(tmp_path),
           "GRADER_ENGINE_IDLE_MINUTES": "0.1"}
    grade = [sys.executable, "-m", "grader", "engine"]
    subprocess.run([*grade, "start"], env=env, check=True, timeout=240, capture_output=True)
    deadline = time.monotonic() + 60
    while subprocess.run([*grade, "status"], env=env, capture_output=True).returncode == 0:
        assert time.monotonic() < deadline, "the engine kept running while idle"
        time.sleep(2)
    assert "idle for" in (tmp_path / "engine" / "engine.log").read_text()
