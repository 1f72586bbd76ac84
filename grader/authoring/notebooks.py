"""Student notebooks in `exercises/notebooks/`, generated from the same declarations as the
stubs: the exercise's story, then per task its description, its stub, and the cell that checks it
(`grader.check`). The setup cell takes the notebook's Spark session from the user's grading
engine (`grader.kernel_session`), not from a Spark started in the kernel."""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader import catalog, paths
from grader.authoring.stubs import HEADER, QUERY_IMPORT
from grader.spec import Exercise, Task

FOLDER = paths.EXERCISES / "notebooks"


def notebook_for(exercise: Exercise) -> nbformat.NotebookNode:
    intro = textwrap.dedent(exercise.intro).strip()
    cells = [
        new_markdown_cell(
            f"# Exercise {exercise.number}: {exercise.title}\n\n{intro}\n\n"
            "Fill in each function, run its cell, then the `check` cell below it: it grades that task "
            "on the code you have run (saved or not) as the grader would, and shows what went in, "
            "batch by batch, the rows expected against yours, and the concept. Grade the whole "
            f"notebook from a terminal with `grade {exercise.id} --submission exercises/notebooks`. "
            "Only the imports and definitions of this notebook are graded; other cells are skipped."
        ),
        new_code_cell(
            HEADER + QUERY_IMPORT + "from grader.check import check\n"
            "from grader.kernel_session import engine_folder, engine_session\n\n"
            "spark = engine_session()  # on your grading engine: this kernel starts no Spark of its own"
        ),
    ]
    for task in exercise.tasks:
        cells += [
            new_markdown_cell(f"## {task.title[:1].upper()}{task.title[1:]} ({task.points} points)\n\n"
                              f"{task.docstring()}"),
            new_code_cell(f"{task.signature()}\n    raise NotImplementedError"),
            new_code_cell(check_call(exercise, task)),
        ]
    for number, cell in enumerate(cells):
        cell.id = f"{exercise.id}-{number}"  # stable ids: regenerating changes nothing
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def check_call(exercise: Exercise, task: Task) -> str:
    """The check cell's code."""
    return f'check("{exercise.id}", "{task.name}")'


def notebook_path(exercise: Exercise, folder: Path | None = None) -> Path:
    return (folder or FOLDER) / f"{exercise.module_name}.ipynb"


def notebook_text(exercise: Exercise) -> str:
    return nbformat.writes(notebook_for(exercise)) + "\n"


def generate_notebooks(folder: Path | None = None) -> list[Path]:
    written = []
    for exercise in catalog.EXERCISES.values():
        path = notebook_path(exercise, folder)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(notebook_text(exercise))
        written.append(path)
    return written


def stale_notebooks(folder: Path | None = None, exercises: list[Exercise] | None = None) -> list[Path]:
    return [
        notebook_path(e, folder)
        for e in (exercises or catalog.EXERCISES.values())
        if not notebook_path(e, folder).exists() or notebook_path(e, folder).read_text() != notebook_text(e)
    ]
