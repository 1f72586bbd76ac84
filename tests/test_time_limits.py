"""A task's time limit follows its work (`grader.time_limits`): a loop is stopped soon after its
budget, an import that never returns fails every task of its file at once, and correct work on a
saturated machine is waited for."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest

from conftest import ROOT, run_grade, results_by_task
from grader import outcome as kinds
from grader.time_limits import TaskClock, budget_for

SOLUTION_1 = (ROOT / "solutions" / "exercise_01_sql_recap.py").read_text()


def test_the_budget_is_a_multiple_of_the_reference_time_with_a_floor():
    assert budget_for(0.5) == budget_for(1.0) == 10.0
    assert budget_for(8.0) == 40.0
    assert budget_for(None) == 60.0  # nothing recorded


def test_a_loop_is_charged_its_processor_time_and_progress_starts_the_count_again():
    clock = TaskClock(budget=0.3, student_seconds=time.process_time)
    started = time.monotonic()
    while not clock.over_budget:
        assert time.monotonic() - started < 10, "the clock never ran out"
        clock.tick()
    clock.progressed()
    assert not clock.over_budget


def test_waiting_on_a_busy_machine_is_not_charged():
    clock = TaskClock(budget=60.0, student_seconds=lambda: 0.0)
    with busy_processors(2 * (os.cpu_count() or 1)):
        time.sleep(1.0)  # lets the busy loops take every core
        clock.tick()
        time.sleep(2.0)
        clock.tick()
    assert clock.since_progress < 1.0, clock.since_progress


@contextmanager
def busy_processors(count: int):
    """`count` processes that keep a processor busy each, for as long as the block runs."""
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()


@pytest.mark.spark
@pytest.mark.timeout(300)
def test_an_import_that_never_returns_fails_every_task_at_once_and_says_so(tmp_path):
    (tmp_path / "exercise_01_sql_recap.py").write_text(SOLUTION_1 + "\nwhile True:\n    pass\n")
    started = time.monotonic()
    code, result, stderr = run_grade("exercise-1", "--submission", str(tmp_path), timeout=280)
    seconds = time.monotonic() - started
    assert result is not None, stderr
    tasks = results_by_task(result)
    assert len(tasks) == 4 and all(t["failure"] == kinds.LOAD for t in tasks.values())
    assert code == 1  # the student's result, not the grader's failure
    assert result["output"].count("did not finish") == 1, result["output"]
    assert "in <module>: while True:" in result["output"] or "in <module>: pass" in result["output"], result["output"]
    # One import budget (10 s of processor time) for the whole file, not 120 s per task.
    assert seconds < 120, seconds


@pytest.mark.spark
@pytest.mark.timeout(300)
def test_a_function_that_loops_is_stopped_soon_after_its_budget_and_named(tmp_path):
    looping = SOLUTION_1.replace('    words = lines.select(F.explode(F.split(F.lower("value"), r"\\s+")).alias("word"))',
                                 "    while True:\n        pass")
    assert looping != SOLUTION_1
    (tmp_path / "exercise_01_sql_recap.py").write_text(looping)
    started = time.monotonic()
    code, result, stderr = run_grade("exercise-1", "--submission", str(tmp_path), "--task", "word_count",
                                     timeout=280)
    seconds = time.monotonic() - started
    assert result is not None, stderr
    loop = results_by_task(result)[("exercise-1", "word_count")]
    assert loop["failure"] == kinds.TIMEOUT and loop["score"] == 0
    assert "Look for an endless loop" in loop["output"]
    assert "in word_count: while True:" in loop["output"] or "in word_count: pass" in loop["output"], loop["output"]
    assert code == 1
    assert seconds < 100, seconds  # its budget is 10 s of the machine's time, not 120 s


@pytest.mark.spark
@pytest.mark.timeout(900)
def test_correct_work_on_a_saturated_machine_still_gets_full_marks():
    """With a budget of half a second, which steps on a saturated machine outlast in wall time
    (a clock of wall time fails most tasks here): only what the machine had to spare counts."""
    with busy_processors(2 * (os.cpu_count() or 1)):
        code, result, stderr = run_grade("exercise-2", "exercise-5", "--submission", str(ROOT / "solutions"),
                                         "--timeout", "0.5", timeout=880)
    assert result is not None, stderr
    assert code == 0, [t["output"] for t in result["tests"] if t["score"] < t["max_score"]]
    assert result["score"] == sum(t["max_score"] for t in result["tests"])
