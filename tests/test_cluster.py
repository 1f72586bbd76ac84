"""A standalone Spark cluster on this machine (`grade cluster`): a master, two workers and a
Spark Connect server, started from pyspark's jars. Solutions of a stateful exercise, a join, a
foreachBatch one and the Kafka one earn full marks through `--remote`, known mistakes are named,
and `grade cluster stop` leaves no process of the cluster behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, results_by_task, run_grade
from grader.cluster.standalone import StandaloneCluster
from test_bundle import free_port

pytestmark = [pytest.mark.spark, pytest.mark.kafka, pytest.mark.cluster]
WRONG = ROOT / "solutions" / "wrong_answers"
# One grading at a time, each task given room: the cluster's two executors have one core each.
SLOW_GRADING = ("--parallel", "1", "--timeout", "400")


def descendants(pids: set[int]) -> set[int]:
    """`pids` and every process they started, as far as /proc tells now."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, _, rest = stat.read_text().partition(" (")
            parents[int(pid)] = int(rest.rpartition(")")[2].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found, grew = set(pids), True
    while grew:
        children = {pid for pid, parent in parents.items() if parent in found} - found
        found |= children
        grew = bool(children)
    return found


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def cluster():
    env = {**os.environ, "GRADER_CLUSTER_PORT": str(free_port()), "GRADER_CLUSTER_MASTER_PORT": str(free_port())}
    verb = lambda name: subprocess.run([sys.executable, "-m", "grader", "cluster", name], cwd=ROOT, env=env,
                                       capture_output=True, text=True, timeout=600)
    cluster = StandaloneCluster(int(env["GRADER_CLUSTER_PORT"]), int(env["GRADER_CLUSTER_MASTER_PORT"]), 2)
    started = verb("start")
    try:
        assert started.returncode == 0, started.stderr
        yield cluster, verb
    finally:
        verb("stop")
        shutil.rmtree(cluster.state_dir, ignore_errors=True)
        shutil.rmtree(cluster.local_dir, ignore_errors=True)


@pytest.mark.timeout(1800)
def test_solutions_earn_full_marks_on_the_cluster(cluster):
    cluster, _ = cluster
    assert set(cluster.running_pids()) == {"master", "worker-1", "worker-2", "connect"}
    code, result, stderr = run_grade("exercise-6", "exercise-7", "exercise-8", "exercise-10", "--submission",
                                     str(ROOT / "solutions"), "--remote", cluster.url, *SLOW_GRADING, timeout=1700)
    assert result is not None, stderr
    failed = {t["name"]: t["output"][:300] for t in result["tests"] if t["status"] != "passed"}
    assert not failed and code == 0
    executors = [p for p in cluster.local_dir.glob("worker-*/app-*/*") if p.is_dir()]
    assert len(executors) >= 2, "the Connect server ran no executor on the workers"


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("exercise, mistake, task", [
    ("exercise-6", WRONG / "exercise_06" / "update_mode.py", "start_closed_window_counts"),
    ("exercise-7", WRONG / "exercise_07" / "not_idempotent.py", "start_sqlite_sink"),
    ("exercise-8", WRONG / "exercise_08" / "inner_join.py", "clicks_with_advertiser"),
    ("exercise-10", WRONG / "exercise_10" / "latest_offsets.py", "read_topic"),
])
def test_a_known_mistake_is_named_on_the_cluster(cluster, exercise, mistake, task):
    cluster, _ = cluster
    code, result, stderr = run_grade(exercise, "--submission", str(mistake), "--remote", cluster.url,
                                     *SLOW_GRADING, timeout=1700)
    assert result is not None, stderr
    graded = results_by_task(result)[(exercise, task)]
    assert graded["status"] == "failed" and graded["mistake"] == mistake.stem, graded["output"][:500]
    assert code == 1


@pytest.mark.timeout(300)
def test_stop_leaves_no_process_of_the_cluster(cluster):
    cluster, verb = cluster
    members = cluster.running_pids()
    assert len(members) == 4
    started = descendants(set(members.values()))
    assert len(started) > 4  # the executors the workers started, at least
    stopped = verb("stop")
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    assert [pid for pid in started if running(pid)] == []
    assert cluster.running_pids() == {}
    assert verb("status").returncode == 1
