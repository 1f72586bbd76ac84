"""Each task of each graded exercise is one test: run the submission's function, judge it."""

import pytest

from grader.judge import judge
from grader.spec import load_scenario


def test_task(task_ref, worker_pool, expectation, record_verdict):
    exercise, task = task_ref
    outcome = worker_pool.outcome(f"{exercise.id}::{task.name}")
    verdict = judge(task, load_scenario(task.scenario), outcome, expectation)
    record_verdict(verdict, outcome)
    if not verdict.passed:
        pytest.fail(verdict.feedback, pytrace=False)
