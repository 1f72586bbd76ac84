"""Each task of each graded exercise is one test: run the submission's function, judge it."""

import pytest

from grader.judge import judge


def test_task(task_ref, reference, worker_pool, record_verdict):
    exercise, task = task_ref
    expectation, scenario = reference
    outcome = worker_pool.outcome(f"{exercise.id}::{task.name}")
    verdict = judge(task, scenario, outcome, expectation)
    record_verdict(verdict, outcome)
    if not verdict.passed:
        pytest.fail(verdict.feedback, pytrace=False)
