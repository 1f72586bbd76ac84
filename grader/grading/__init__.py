"""Grading one submission, for `grade`, `grade batch` (one `grade` process per student) and the
authoring verbs alike: which file is graded (`submission`), the task checks as pytest tests with
their plugin (`checks`), and `grade()`, which runs them and returns the `GradeResult`."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest

from grader.grading.checks import CHECKS_DIR
from grader.grading.checks.plugin import GradingPlugin
from grader.grading.submission import submission_file
from grader.engine.lease import engine_lease
from grader.engine.server import engine_for
from grader.report.model import GradeResult
from grader.spec import Exercise
from grader.engine import Engine


def default_lanes(engine: Engine) -> int:
    """Two workers at once on a Spark Connect server, where each costs one light Python process;
    one with a local engine, where each would start a JVM of its own."""
    return 2 if engine.is_connect and (os.cpu_count() or 1) >= 2 else 1


def grade(
    exercises: list[Exercise],
    submission: Path,
    engine: Engine | None = None,
    expected_dir: Path | None = None,
    workdir: Path | None = None,
    timeout: float | None = None,
    lanes: int | None = None,
    hidden: bool = False,
    pictures: bool = False,
) -> GradeResult:
    """Grade `exercises` of `submission` (a folder of exercise modules, or one file).

    `timeout` replaces every task's budget (machine seconds without progress, by default from its
    reference's recorded time; see `grader.time_limits`), for example to fail hangs faster.
    `lanes` is how many workers grade tasks at once (default: see `default_lanes`).
    `hidden` (instructor grading) runs each task on its hidden scenarios too.
    `pictures` draws each event-time task's stream (`TaskResult.picture`), for outputs that show it.
    """
    engine = engine or engine_for()
    files = {exercise: submission_file(exercise, submission) for exercise in exercises}
    plugin = GradingPlugin(
        {exercise: file.path for exercise, file in files.items()},
        engine,
        label=str(submission),
        workdir=workdir,
        expected_dir=expected_dir,
        timeout=timeout,
        lanes=lanes or default_lanes(engine),
        hidden=hidden,
        pictures=pictures,
    )
    args = [
        str(CHECKS_DIR / "test_tasks.py"),
        "-c", str(CHECKS_DIR / "pytest.ini"),
        "--rootdir", str(CHECKS_DIR),
        "-p", "no:cacheprovider",
        "-q",
    ]
    pytest_output = io.StringIO()
    with engine_lease(engine), contextlib.redirect_stdout(pytest_output):
        pytest.main(args, plugins=[plugin])
    result = plugin.result.with_files({exercise.id: file.describe() for exercise, file in files.items()})
    if len(result.tasks) != sum(len(e.tasks) for e in exercises):
        raise RuntimeError(f"the checks did not run every task:\n{pytest_output.getvalue()[-3000:]}")
    return result
