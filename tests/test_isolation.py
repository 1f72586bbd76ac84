"""Nothing a submission does on the shared engine reaches outside its own grading: no code planted
where the grader or the engine load code from, no JVM code of its own, no Spark session of its
own, no process left behind; the next student on the same engine is graded as if it never ran,
and a classmate graded at the same time on another engine cannot be reached."""

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, SUBMISSIONS, requires_confinement, run_grade, results_by_task
from grader import paths
from test_adversarial import running_command

pytestmark = pytest.mark.spark

PLANTED = "planted_by_student.py"
LEFT_BEHIND = b"sleep\x00613.5\x00"
ENGINE_ATTEMPTS = ["plant in engine state", "plant in engine launcher", "plant in admitted sessions",
                   "plant in engine's own files", "plant in Spark's userFiles", "plant in pyspark's lib",
                   "plant in site-packages", "plant in grader", "plant in user site", "plant in current folder",
                   "forge the GC log", "read the engine log", "write into the JVM's memory", "write on the JVM's output",
                   "open a session of its own", "write to Kafka", "reach the JVM's other ports"]
WORKER_ATTEMPTS = ["open a session of its own", "write to Kafka", "clone its session", "upload code", "add a jar",
                   "create a function from a class", "call a Java method by name", "run SQL in Derby",
                   "leave a global view", "leave a table", "leave a database"]


def planted_files() -> list[Path]:
    """Files the escaper may have planted, wherever code is loaded from."""
    import pyspark

    roots = [paths.CACHE / "engine", paths.RUNTIME, paths.SCRATCH, Path(pyspark.__file__).parent.parent,
             ROOT / "grader", paths.DECLARATIONS, Path.home() / ".local"]
    return [found for root in roots if root.exists() for found in root.rglob(PLANTED)]


def forged_gc_lines() -> list[str]:
    return [line for log in (paths.CACHE / "engine").glob("gc-*.log")
            for line in log.read_text().splitlines() if "GC(9) Pause Full (System.gc())" in line]


@pytest.fixture(scope="module")
def escaped():
    """The escaper graded on the warm engine, then whether anything of it stays."""
    assert not planted_files() and not forged_gc_lines()
    code, result, stderr = run_grade("exercise-2", "--submission", str(SUBMISSIONS / "escaping"))
    assert result is not None, stderr
    deadline = time.monotonic() + 5  # the engine's host looks for adopted processes twice a second
    while running_command(LEFT_BEHIND) and time.monotonic() < deadline:
        time.sleep(0.2)
    return code, results_by_task(result)


def refused_all(output: str, attempts: list[str]) -> None:
    assert ": done" not in output, output
    for what in attempts:
        assert f"{what}: refused" in output, f"{what!r} was not tried or not refused:\n{output}"


@requires_confinement
@pytest.mark.timeout(900)
def test_a_submission_gets_no_session_and_no_jvm_code_of_its_own(escaped):
    _, tests = escaped
    refused_all(tests[("exercise-2", "read_lines")]["output"], WORKER_ATTEMPTS)


@requires_confinement
@pytest.mark.timeout(900)
@pytest.mark.parametrize("task", ["streaming_word_count", "start_update_query"])
def test_a_udf_and_a_foreach_batch_function_plant_nothing_and_read_no_engine_secret(escaped, task):
    _, tests = escaped
    refused_all(tests[("exercise-2", task)]["output"], ENGINE_ATTEMPTS)
    assert tests[("exercise-2", task)]["score"] == 0


@requires_confinement
@pytest.mark.timeout(900)
def test_nothing_of_the_escaper_is_left_and_the_next_student_is_graded_as_usual(escaped):
    assert not planted_files()
    assert not forged_gc_lines()
    assert not running_command(LEFT_BEHIND), "a process a UDF started outlived its grading"
    code, result, stderr = run_grade("exercise-2", "--submission", str(ROOT / "solutions"))
    assert result is not None, stderr
    assert result["score"] == result["max_score"], [t["output"] for t in result["tests"]]
    assert code == 0


@requires_confinement
@pytest.mark.timeout(900)
def test_two_students_graded_side_by_side_cannot_reach_each_other(tmp_path):
    """In a batch with two workers, each student is graded on an engine of their own: a neighbour
    finds the other engine's area and is refused everything there, and the classmate graded at
    the same time gets full marks."""
    submissions = tmp_path / "class"
    submissions.mkdir()
    shutil.copy(ROOT / "solutions" / "exercise_02_streaming_word_count.py", submissions / "alice.py")
    shutil.copy(SUBMISSIONS / "neighbouring" / "exercise_02_streaming_word_count.py", submissions / "mallory.py")
    done = subprocess.run([sys.executable, "-m", "grader", "batch", str(submissions), "--out", str(tmp_path / "out"),
                           "--exercises", "exercise-2", "--workers", "2"],
                          cwd=ROOT, capture_output=True, text=True, timeout=800)
    assert done.returncode == 0, done.stderr[-3000:]
    alice = json.loads((tmp_path / "out" / "alice" / "results.json").read_text())
    assert alice["score"] == 8, [test["output"] for test in alice["tests"]]
    mallory = {test["extra_data"]["task"]: test["output"]
               for test in json.loads((tmp_path / "out" / "mallory" / "results.json").read_text())["tests"]}
    for task, attempts in {
        "read_lines": ["list a neighbour's gradings", "write into a neighbour's area",
                       "connect to a neighbour's engine", "read a neighbour's files through Spark"],
        "streaming_word_count": ["list a neighbour's gradings", "write into a neighbour's area",
                                 "connect to a neighbour's engine"],
    }.items():
        assert re.search(r"neighbours found: [1-9]", mallory[task]), mallory[task]  # the classmate's, maybe more
        refused_all(mallory[task], attempts)


@pytest.mark.timeout(600)
def test_a_side_query_cannot_swap_the_graders_table():
    """The grader's memory sink lives in a session only the referee knows, and any query the task
    did not ask for fails it, by name."""
    _, result, stderr = run_grade("exercise-2", "--submission", str(SUBMISSIONS / "swapping"),
                                  "--task", "streaming_word_count")
    assert result is not None, stderr
    test = results_by_task(result)[("exercise-2", "streaming_word_count")]
    assert test["score"] == 0 and "swapper" in test["output"], test["output"]
