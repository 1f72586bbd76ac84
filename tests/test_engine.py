"""The engines a grading can run on: the warm local engine, a remote Spark Connect server by
URL, and a classic Spark inside the worker."""

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
