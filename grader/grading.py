"""Grade a submission: run the task checks under pytest and return the `GradeResult`."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest

from grader.checks import CHECKS_DIR
from grader.checks.plugin import GradingPlugin
from grader.engine.lease import engine_lease
from grader.engine.server import engine_for
from grader.report.model import GradeResult
from grader.spec import Exercise
from grader.engine import Engine

def submission_file(exercise: Exercise, submission: Path) -> Path:
    """The file holding `exercise` in a submission: the path itself, or in a folder the
    exercise's module (`.py`, else the notebook `.ipynb`)."""
    if not submission.is_dir():
        return submission
    module = submission / f"{exercise.module_name}.py"
    notebook = module.with_suffix(".ipynb")
    return notebook if notebook.exists() and not module.exists() else module


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
) -> GradeResult:
    """Grade `exercises` of `submission` (a folder of exercise modules, or one file).

    `timeout` replaces every task's own time limit (seconds), for example to fail hangs faster.
    `lanes` is how many workers grade tasks at once (default: see `default_lanes`).
    `hidden` (instructor grading) runs each task on its hidden scenarios too.
    """
    engine = engine or engine_for()
    plugin = GradingPlugin(
        {exercise: submission_file(exercise, submission) for exercise in exercises},
        engine,
        label=str(submission),
        workdir=workdir,
        expected_dir=expected_dir,
        timeout=timeout,
        lanes=lanes or default_lanes(engine),
        hidden=hidden,
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
    result = plugin.result
    if len(result.tasks) != sum(len(e.tasks) for e in exercises):
        raise RuntimeError(f"the checks did not run every task:\n{pytest_output.getvalue()[-3000:]}")
    return result
