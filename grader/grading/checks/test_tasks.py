"""Each task of each graded exercise is one test: run the submission's function on each of the
task's scenarios, judge it; the first scenario it fails decides the feedback. The picture of the
stream, when asked for, is drawn on the public scenario only: hidden rows are never shown."""

import dataclasses

import pytest

from grader.judge import judge, on_hidden_data
from grader.report.picture import task_picture


def test_task(task_ref, reference, worker_pool, record_verdict, draw_pictures):
    exercise, task = task_ref
    seconds = 0.0
    picture = ""
    for check in reference:  # the public scenario first
        outcome = worker_pool.outcome(check.run_id)
        seconds += outcome.seconds
        verdict = judge(task, check.scenario, outcome, check.expectation)
        if check.hidden:
            verdict = on_hidden_data(verdict)
        elif draw_pictures:
            picture = task_picture(task, check.scenario, outcome, check.expectation)
        if not verdict.passed:
            break
    record_verdict(verdict, dataclasses.replace(outcome, seconds=seconds), picture)
    if not verdict.passed:
        pytest.fail(verdict.feedback, pytrace=False)
