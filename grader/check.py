"""Check one task from a notebook cell, as `grade` would:

    from grader.check import check
    check("exercise-2", "streaming_word_count")

What is graded is the code this kernel has run, not the notebook file (which may be unsaved, or
hold cells not run yet): the kernel's cells, in the order they ran, are written to a notebook in
a temporary folder and graded by `grade exercise-N --task NAME` itself, on the warm engine, in a
confined worker, on the task's public scenario. So the verdict, the fed batches, the expected
against the produced rows and the concept are `grade`'s own, and the cell shows them (HTML in
Jupyter, the terminal report's text elsewhere).
"""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

import grader
from grader import catalog, paths
from grader.kernel_session import kernel_shell
from grader.report.model import GradeResult
from grader.report.notebook import CheckResult


class CheckError(RuntimeError):
    """The check could not grade at all; the message says why and what to do."""


# Of each cell that raised in this kernel, by execution count: the line of the cell it raised at.
# The statements before it ran (a definition above a failed line is in the kernel), the rest did
# not (a failed import must not fail every check after it is fixed).
RAISED_AT: dict[int, int] = {}


def _note_where_it_raised(result) -> None:
    """IPython's `post_run_cell` event: record where a cell raised, if it did."""
    if result.error_before_exec is not None:
        RAISED_AT[result.execution_count] = 1
    elif result.error_in_exec is not None:
        trace = result.error_in_exec.__traceback__
        while trace is not None and not _is_cell_frame(trace.tb_frame):
            trace = trace.tb_next
        RAISED_AT[result.execution_count] = trace.tb_lineno if trace is not None else 1


def _is_cell_frame(frame) -> bool:
    return frame.f_code.co_name == "<module>" and frame.f_globals.get("__name__") == "__main__"


def _watch_this_kernel() -> None:
    """From the import on (the notebook's first cell), note where cells raise; outside a kernel
    (IPython not even imported: the grading worker, a script) there is nothing to watch."""
    shell = kernel_shell()
    if shell is not None and _note_where_it_raised not in shell.events.callbacks["post_run_cell"]:
        shell.events.register("post_run_cell", _note_where_it_raised)


_watch_this_kernel()


def check(exercise: str | int, task: str) -> CheckResult:
    """Grade `task` of `exercise` on the code this kernel has run, and return what the cell shows."""
    declared = catalog.exercise(exercise)
    try:
        narrowed = declared.narrowed_to(task)
    except KeyError as error:
        raise CheckError(error.args[0]) from None
    cells = kernel_cells()
    with tempfile.TemporaryDirectory(prefix="grade-check-") as folder:
        staged = Path(folder) / f"{declared.module_name}.ipynb"
        staged.write_text(nbformat.writes(new_notebook(cells=cells)))
        result = _grade(narrowed.id, task, staged)
    return CheckResult(dataclasses.replace(
        result, tasks=[t for t in result.tasks if t.task == task], files={narrowed.id: graded_code(cells)}))


def kernel_cells() -> list[nbformat.NotebookNode]:
    """The cells this kernel ran, in that order, each with its execution count, as far as each
    ran; left out: cells that did not compile (they defined nothing in the kernel either)."""
    shell = kernel_shell()
    if shell is None:
        raise CheckError("check() grades the code a Jupyter kernel has run, and this is not one. "
                         "From a terminal, run `grade exercise-N` instead.")
    cells = []
    for count, source in enumerate(shell.history_manager.input_hist_raw):
        try:
            tree = ast.parse(shell.transform_cell(source))
        except SyntaxError:
            continue
        ran = _ran_part(source, tree, RAISED_AT.get(count))
        if ran.strip():
            cells.append(new_code_cell(ran, execution_count=count))
    return cells


def _ran_part(source: str, tree: ast.Module, raised_at: int | None) -> str:
    """The cell's code that ran: all of it, or, as it raised at line `raised_at`, its top-level
    statements before the one holding that line. (IPython turns each magic line into one line of
    Python, so the line numbers of `tree`, the transformed cell, are those of `source`.)"""
    if raised_at is None:
        return source
    failing = next((s for s in tree.body if s.lineno <= raised_at <= (s.end_lineno or s.lineno)), None)
    kept = (failing.lineno if failing else raised_at) - 1
    return "\n".join(source.splitlines()[:kept])


def graded_code(cells: list[nbformat.NotebookNode]) -> str:
    """The sentence naming the code graded, where `grade` names the file."""
    if not cells:
        return "graded nothing yet: this kernel has run no cell (run the cells defining your functions first)"
    counts = [cell.execution_count for cell in cells]
    ran = f"In [{counts[0]}]" if len(counts) == 1 else f"In [{counts[0]}] to In [{counts[-1]}]"
    return (f"graded the code this kernel has run ({ran}, in the order run, the last definition of a "
            "name winning; of a cell that raised, what ran before), not the notebook file: unsaved "
            "changes count, cells not run do not")


def _grade(exercise_id: str, task: str, staged: Path) -> GradeResult:
    """`grade EXERCISE --task TASK --submission STAGED --json`, with this grader's code first on
    the path, so the grading is the same code the kernel imported."""
    code_root = str(Path(grader.__file__).resolve().parent.parent)
    # Not the kernel's own session (SPARK_REMOTE names it): a grading opens sessions of its own.
    env = {key: value for key, value in os.environ.items() if key != "SPARK_REMOTE"}
    env.update(paths.COURSE, PYTHONPATH=os.pathsep.join(filter(None, [code_root, os.environ.get("PYTHONPATH")])))
    done = subprocess.run(
        [sys.executable, "-m", "grader", exercise_id, "--task", task, "--submission", str(staged), "--json"],
        capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL,
    )
    try:
        return GradeResult.from_dict(json.loads(done.stdout))
    except (json.JSONDecodeError, KeyError):
        raise CheckError(f"The grader could not grade this task:\n{done.stderr.strip()[-2000:]}") from None
