"""Which file of a submission is graded for an exercise, and how the report says so."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.spec import Exercise

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
