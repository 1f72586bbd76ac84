"""The grader's own troubles never cost a correct answer a point: an engine that goes away under
a grading, a machine saturated by other work. Such a task is retried, or reported as not graded
(status "error", exit 3), never failed."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, results_by_task
from grader.batch.store import Gradebook
from grader.engine.registry import runtime_dir
from grader.report.model import GradeResult, TaskResult


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def referees_on(port: int) -> list[int]:
    """The referee processes grading on the engine at `port`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if (entry.name.isdigit() and b"grader.referee.process" in (entry / "cmdline").read_bytes()
                    and f"GRADER_ENGINE_PORT={port}".encode() in (entry / "environ").read_bytes()):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def grade(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "grader", *args, "--json"], cwd=ROOT, env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.spark
@pytest.mark.timeout(900)
def test_an_engine_killed_mid_grading_costs_the_student_nothing():
    port = free_port()
    env = {"GRADER_ENGINE_PORT": str(port)}
    grading = grade("exercise-2", "--submission", str(ROOT / "solutions"), env=env)
    try:
        deadline = time.monotonic() + 300
        while not referees_on(port):
            assert grading.poll() is None and time.monotonic() < deadline, grading.stderr.read()
            time.sleep(0.2)
        engine = int((runtime_dir(port) / "engine.pid").read_text())
        os.killpg(engine, signal.SIGKILL)  # the engine, mid-grading
        output, errors = grading.communicate(timeout=600)
    finally:
        grading.kill()
        subprocess.run([sys.executable, "-m", "grader", "engine", "stop"], cwd=ROOT, env={**os.environ, **env},
                       capture_output=True, timeout=60)
    result = json.loads(output)
    statuses = [test["status"] for test in result["tests"]]
    assert "failed" not in statuses, json.dumps(result, indent=1)
    assert grading.returncode == (0 if set(statuses) == {"passed"} else 3), errors


@pytest.mark.spark
@pytest.mark.timeout(1200)
def test_foreach_batch_solutions_keep_full_marks_on_a_saturated_machine():
    """Both cores busy with loops, and three gradings of exercise 7 (foreachBatch, several
    queries, availableNow) at once on the warm engine."""
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 2)]
    try:
        gradings = [grade("exercise-7", "--submission", str(ROOT / "solutions"), env={}) for _ in range(3)]
        finished = [grading.communicate(timeout=1100) for grading in gradings]
    finally:
        for hog in hogs:
            hog.kill()
    for grading, (output, errors) in zip(gradings, finished):
        result = json.loads(output)
        lost = {task: test["output"][:300] for (_, task), test in results_by_task(result).items()
                if test["status"] != "passed"}
        assert not lost and grading.returncode == 0, (lost, errors[-2000:])


def test_a_student_the_grader_failed_is_graded_again(tmp_path):
    gradebook = Gradebook(tmp_path / "gradebook.sqlite")
    graded = TaskResult("exercise-2", "read_lines", "t", 2, 2, "Passed.")
    lost = TaskResult("exercise-2", "streaming_word_count", "t", 0, 3, "engine gone", failure="infrastructure")
    gradebook.save("ada", GradeResult("ada", [graded, graded]))
    gradebook.save("bob", GradeResult("bob", [graded, lost]))
    assert gradebook.graded() == {"ada"}
    assert set(gradebook.results()) == {"ada", "bob"}  # kept for the report all the same
    assert GradeResult("bob", [graded, lost]).to_dict()["tests"][1]["status"] == "error"
