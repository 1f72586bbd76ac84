"""What a notebook imports from the grader: its Spark session and the check of one task.

    from grader.check import check, engine_folder, engine_session
    spark = engine_session()
    check("exercise-2", "streaming_word_count")

`engine_session()` gives the notebook's own cells a Spark Connect session on the user's warm
engine, the one the check cells grade on, so the kernel starts no Spark of its own;
`engine_folder()` is where that session's queries may keep files.

What `check` grades is the code this kernel has run, not the notebook file (which may be
unsaved, or hold cells not run yet): the kernel's cells, in the order they ran, are written to a
notebook in a temporary folder and graded by `grade exercise-N --task NAME` itself, on the warm engine, in a
confined worker, on the task's public scenario. So the verdict, the fed batches, the expected
against the produced rows and the concept are `grade`'s own, and the cell shows them (HTML in
Jupyter, the terminal report's text elsewhere).
"""

from __future__ import annotations

import ast
import atexit
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
from grader import catalog
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


def _kernel():
    """The IPython shell this runs in, or None (the grading worker, a script)."""
    ipython = sys.modules.get("IPython")
    return ipython.get_ipython() if ipython else None


def _watch_this_kernel() -> None:
    """From the import on (the notebook's first cell), note where cells raise; outside a kernel
    (IPython not even imported: the grading worker, a script) there is nothing to watch."""
    shell = _kernel()
    if shell is not None and _note_where_it_raised not in shell.events.callbacks["post_run_cell"]:
        shell.events.register("post_run_cell", _note_where_it_raised)


_watch_this_kernel()


# Once this kernel has a session on an engine: that engine's port, and the folder of the engine's
# area that is this kernel's (named after it, so kept while it runs: see
# grader.confinement.sweep_gradings).
KERNEL_ENGINE_PORT: int | None = None
KERNEL_FOLDER: Path | None = None


def engine_session():
    """The Spark session of this notebook's own cells: a Spark Connect session on your warm
    grading engine (started when needed), the one `check` grades on, so that this kernel runs no
    Spark of its own. Run again, it returns the same session while that answers, else a new one
    (the engine stopped after its idle time, say).

    Where the notebook is graded, its definitions are imported beside the grading's own session:
    there it returns that session and opens none."""
    from pyspark.sql import SparkSession

    current = SparkSession.getActiveSession()
    shell = _kernel()
    if shell is None:  # the grading worker (or a script): the session it has, never a new one
        if current is None:
            raise CheckError("engine_session() opens the Spark session of a Jupyter kernel, and this "
                             "is not one: in a script, use SparkSession.builder.getOrCreate().")
        return current
    if current is not None and _still_serves(current):
        return current
    return _open_on_engine(shell)


def _still_serves(spark) -> bool:
    """Whether this kernel's session still answers; asked of a stopped engine, pyspark's client
    would retry for minutes, so its port is looked at first."""
    from grader.engine.session import session_alive
    from grader.services import port_open

    if KERNEL_ENGINE_PORT is not None and not port_open(KERNEL_ENGINE_PORT):
        return False
    return session_alive(spark)


def _open_on_engine(shell):
    """A session on the user's engine, admitted for as long as this kernel runs (the engine's host
    strikes it off when the kernel ends) and released when the kernel exits. It is a session like
    a grading's, apart from every grading's: its queries, temporary views and memory tables are
    its own, and a grading's query runs in a session whose id only the grader knows."""
    global KERNEL_ENGINE_PORT, KERNEL_FOLDER
    from pyspark.sql import SparkSession

    from grader.confinement import grading_folder
    from grader.engine.admission import admit
    from grader.engine.server import EngineError, engine_for
    from grader.engine.session import create_session

    try:
        engine = engine_for()
    except EngineError as error:
        raise CheckError(f"This notebook has no Spark engine to run on: {error}") from None
    if not engine.is_connect:  # GRADER_ENGINE=local: Spark in this process, as asked
        return SparkSession.builder.getOrCreate()
    session_id, _ = admit(engine.url)
    folder = grading_folder(engine.port)
    spark = create_session(engine.with_session(session_id), folder)
    atexit.register(spark.stop)
    KERNEL_ENGINE_PORT, KERNEL_FOLDER = engine.port, folder
    if _mark_engine_used not in shell.events.callbacks["post_run_cell"]:
        shell.events.register("post_run_cell", _mark_engine_used)
    print(f"Spark runs on your grading engine ({engine.url}), not in this kernel. Of your files, it "
          f"reaches only those in engine_folder() ({folder}): put your queries' input, checkpoints "
          "and output there.")
    return spark


def engine_folder() -> Path:
    """The folder where this kernel's queries may read and write files (their input, checkpoints,
    file sinks): the engine, confined, reaches no other folder of yours. Removed once the kernel
    has ended."""
    if KERNEL_FOLDER is None:
        raise CheckError("This kernel has no Spark session on the engine yet: run `spark = engine_session()` first.")
    return KERNEL_FOLDER


def _mark_engine_used(_result) -> None:
    """IPython's `post_run_cell` event: a notebook being worked in keeps its engine from stopping
    idle under its session."""
    from grader.engine.registry import read_identity

    identity = read_identity(KERNEL_ENGINE_PORT)
    if identity is not None:
        identity.mark_used()


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
    shell = _kernel()
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
    parent_env = {key: value for key, value in os.environ.items() if key != "SPARK_REMOTE"}
    env = {**parent_env, "PYTHONPATH": os.pathsep.join(filter(None, [code_root, os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(
        [sys.executable, "-m", "grader", exercise_id, "--task", task, "--submission", str(staged), "--json"],
        capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL,
    )
    try:
        return GradeResult.from_dict(json.loads(done.stdout))
    except (json.JSONDecodeError, KeyError):
        raise CheckError(f"The grader could not grade this task:\n{done.stderr.strip()[-2000:]}") from None
