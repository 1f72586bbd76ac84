"""Submissions that attack the grader: grades are computed outside the process that runs them,
what they are judged by is read before they run, limits kill all they started, and the kernel
keeps them from what is not theirs."""

import re
import shutil
import threading
import time
from pathlib import Path

import pytest

from conftest import ROOT, SUBMISSIONS, requires_confinement, run_grade, results_by_task
from grader import paths

pytestmark = pytest.mark.spark


def running_command(command_line: bytes) -> list[int]:
    """Live (not zombie) processes with exactly this command line."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cmdline").read_bytes() == command_line \
                    and (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                found.append(int(entry.name))
        except OSError:
            continue
    return found


ESCAPED_CHILD = b"sleep\x00617.5\x00"  # the command line of the child the submission lets loose


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    """The adversarial submission graded in a copy of the project; whether its escaped child was
    ever seen running (the witness that the orphan check has something to check)."""
    project = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "fixtures", project / "fixtures")
    seen, finished = [], threading.Event()

    def watch():
        while not finished.is_set() and not seen:
            seen.extend(running_command(ESCAPED_CHILD))
            time.sleep(0.1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        code, result, stderr = run_grade(
            "exercise-2", "--submission", str(SUBMISSIONS / "adversarial"), "--timeout", "60",
            env={"GRADER_PROJECT": str(project), "GRADER_CACHE": str(paths.CACHE), "GRADER_MEMORY_LIMIT_MB": "700"},
        )
    finally:
        finished.set()
        watcher.join()
    assert result is not None, stderr
    return project, code, results_by_task(result), bool(seen)


@pytest.mark.timeout(900)
def test_raising_keyboard_interrupt_fails_only_that_task(attacked):
    _, _, tests, _ = attacked
    assert "raised KeyboardInterrupt" in tests[("exercise-2", "read_lines")]["output"]


@pytest.mark.timeout(900)
def test_patching_pytest_and_the_comparison_and_rewriting_the_expected_answer_gains_nothing(attacked):
    _, code, tests, _ = attacked
    test = tests[("exercise-2", "streaming_word_count")]
    assert test["status"] == "failed" and test["score"] == 0
    assert code == 1


@requires_confinement
@pytest.mark.timeout(900)
def test_the_expected_answer_cannot_be_rewritten(attacked):
    project, _, _, _ = attacked
    expected = "fixtures/expected/exercise-2.json"
    assert (project / expected).read_bytes() == (ROOT / expected).read_bytes()


@pytest.mark.timeout(900)
def test_memory_without_bound_is_stopped_and_escaped_children_are_killed(attacked):
    _, _, tests, child_was_seen = attacked
    assert "more than 700 MiB of memory" in tests[("exercise-2", "start_update_query")]["output"]
    assert child_was_seen and not running_command(ESCAPED_CHILD)


@requires_confinement
@pytest.mark.timeout(900)
@pytest.mark.parametrize("engine", ["auto", "local"])
def test_an_intruder_can_read_no_answer_and_harm_nothing(engine):
    """Reading the solutions or expected outputs (from Python, or through Spark), overwriting
    files, and killing the grader are all refused, on the shared engine and the local one."""
    code, result, stderr = run_grade(
        "exercise-2", "--submission", str(SUBMISSIONS / "intruding"), "--engine", engine)
    assert result is not None, stderr  # the grader was not killed
    tests = results_by_task(result)
    assert result["score"] == 0 and code == 1
    for task, attempts in {
        "read_lines": ["expected outputs", "solution"],
        "streaming_word_count": ["solution through Spark"],
        "start_update_query": ["kill the grading process"],
    }.items():
        output = tests[("exercise-2", task)]["output"]
        assert ": done" not in output, output
        for what in attempts:
            assert re.search(rf"{what}[^;:]*: refused", output), output


@pytest.mark.timeout(600)
def test_a_udf_cannot_tamper_with_the_next_submissions_udfs():
    """On the shared engine, each task's UDFs get a fresh Python worker, not one that ran
    another submission's code."""
    _, planting, stderr = run_grade("exercise-2", "--submission", str(SUBMISSIONS / "planting"))
    assert results_by_task(planting)[("exercise-2", "streaming_word_count")]["status"] == "passed", stderr
    _, checked, stderr = run_grade("exercise-2", "--submission", str(SUBMISSIONS / "planted_on"))
    test = results_by_task(checked)[("exercise-2", "streaming_word_count")]
    assert test["status"] == "passed", test["output"]
