"""Each task of each graded exercise is one test: run the submission's function on each of the
task's scenarios, judge it; the first scenario it fails decides the feedback."""

import dataclasses

import pytest

from grader.judge import judge, on_hidden_data


def test_task(task_ref, reference, worker_pool, record_verdict):
    exercise, task = task_ref
    seconds = 0.0
    for check in reference:  # the public scenario first
        outcome = worker_pool.outcome(check.run_id)
        seconds += outcome.seconds
        verdict = judge(task, check.scenario, outcome, check.expectation)
        if check.hidden:
            verdict = on_hidden_data(verdict)
        if not verdict.passed:
            break
    record_verdict(verdict, dataclasses.replace(outcome, seconds=seconds))
    if not verdict.passed:
        pytest.fail(verdict.feedback, pytrace=False)
