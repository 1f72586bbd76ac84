"""Grade a submission: run the task checks under pytest and return the `GradeResult`."""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.checks import CHECKS_DIR
from grader.checks.plugin import GradingPlugin
from grader.engine.lease import engine_lease
from grader.engine.server import engine_for
from grader.report.model import GradeResult
from grader.spec import Exercise
from grader.engine import Engine


# Seconds apart under which two files count as saved together (a checkout, a copy, `grade generate`).
SAME_MOMENT = 2.0


@dataclass(frozen=True)
class SubmissionFile:
    """The file graded for an exercise, and the other versions of it that were passed over."""

    path: Path
    passed_over: tuple[Path, ...] = ()

    def describe(self) -> str:
        """The sentence the report shows: which file, and why that one when there were others."""
        text = f"graded {_shown(self.path)}"
        if self.passed_over:
            others = " and ".join(_shown(p) for p in self.passed_over)
            text += (f" (the exercise is also in {others}: of a folder's files the most recently saved "
                     "is graded; pass --submission with a file to choose)")
        return text


def submission_file(exercise: Exercise, submission: Path) -> SubmissionFile:
    """The file holding `exercise` in a submission: the path itself if it is a file; in a folder,
    the most recently saved of the exercise's module (`.py`), its notebook (`.ipynb`) and its
    notebook in `notebooks/` (files saved within `SAME_MOMENT` seconds of each other count as
    equally new, and then that order decides), or the module's path when none exists."""
    if not submission.is_dir():
        return SubmissionFile(submission)
    module = submission / f"{exercise.module_name}.py"
    candidates = [module, module.with_suffix(".ipynb"), submission / "notebooks" / f"{exercise.module_name}.ipynb"]
    found = [path for path in candidates if path.is_file()]
    if not found:
        return SubmissionFile(module)
    latest = max(path.stat().st_mtime for path in found)
    newest = next(path for path in found if path.stat().st_mtime >= latest - SAME_MOMENT)
    return SubmissionFile(newest, tuple(path for path in found if path != newest))


def _shown(path: Path) -> str:
    """`path` as the student would type it: relative to the current folder when under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


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
