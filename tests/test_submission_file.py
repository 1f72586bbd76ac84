"""Which file of a submission is graded for an exercise, and the report saying so."""

import os

import pytest

from grader import catalog
from grader.cli import _default_submission
from grader.grading.submission import submission_file
from grader.report.model import GradeResult, TaskResult
from grader.report.text import render

EXERCISE = catalog.exercise(2)
NAME = EXERCISE.module_name


def saved(path, seconds_ago):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")
    moment = path.stat().st_mtime - seconds_ago
    os.utime(path, (moment, moment))
    return path


def test_of_a_module_and_a_notebook_the_newer_is_graded_and_the_other_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    module = saved(tmp_path / "exercises" / f"{NAME}.py", 600)
    notebook = saved(tmp_path / "exercises" / "notebooks" / f"{NAME}.ipynb", 0)
    chosen = submission_file(EXERCISE, tmp_path / "exercises")
    assert chosen.path == notebook
    assert chosen.describe() == (
        f"graded exercises/notebooks/{NAME}.ipynb (the exercise is also in exercises/{NAME}.py: of a "
        "folder's files the most recently saved is graded; pass --submission with a file to choose)")
    saved(module, 0)
    saved(notebook, 600)
    assert submission_file(EXERCISE, tmp_path / "exercises").path == module


def test_files_saved_together_are_a_tie_the_module_wins(tmp_path):
    module = saved(tmp_path / f"{NAME}.py", 1)
    saved(tmp_path / f"{NAME}.ipynb", 0)
    assert submission_file(EXERCISE, tmp_path).path == module


def test_a_named_file_is_graded_whatever_is_beside_it(tmp_path):
    module = saved(tmp_path / f"{NAME}.py", 600)
    saved(tmp_path / f"{NAME}.ipynb", 0)
    assert submission_file(EXERCISE, module).path == module
    assert submission_file(EXERCISE, module).describe() == f"graded {module}"


@pytest.mark.parametrize("here, graded", [("exercises/notebooks", "exercises/notebooks"), ("", "exercises")])
def test_from_a_folder_holding_the_exercise_that_folder_is_graded(tmp_path, monkeypatch, here, graded):
    saved(tmp_path / "exercises" / f"{NAME}.py", 0)
    saved(tmp_path / "exercises" / "notebooks" / f"{NAME}.ipynb", 600)
    monkeypatch.chdir(tmp_path / here)
    assert _default_submission([EXERCISE]) == tmp_path / graded


def test_the_text_report_names_the_graded_file_per_exercise():
    task = TaskResult("exercise-2", "read_lines", "readStream on a folder", 2, 2, "Passed.")
    result = GradeResult("exercises", [task], files={"exercise-2": f"graded exercises/{NAME}.py"})
    assert f"exercise-2\n  graded exercises/{NAME}.py\n  PASS" in render(result)
    assert GradeResult.from_dict(result.to_dict()).files == result.files
