"""Notebooks: generated from the declarations, and graded from their definitions only."""

import json
import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import ROOT, run_grade, results_by_task
from grader import catalog
from grader.authoring.notebooks import notebook_for, stale_notebooks
from grader.sandbox.notebooks import NotebookError, notebook_module

SOLUTION = (ROOT / "solutions" / "exercise_02_streaming_word_count.py").read_text()


def test_notebooks_are_generated_from_the_declarations():
    assert stale_notebooks() == [], "run `grade generate`"


def test_a_generated_notebook_has_a_description_stub_and_try_cell_per_task():
    exercise = catalog.exercise(2)
    cells = notebook_for(exercise).cells
    for task in exercise.tasks:
        stub = next(i for i, c in enumerate(cells) if c.source.startswith(task.signature()))
        assert cells[stub - 1].cell_type == "markdown" and task.docstring() in cells[stub - 1].source
        assert cells[stub + 1].source == f'try_task("{exercise.id}", {task.name})'


def student_notebook(*sources: str) -> str:
    cells = [new_markdown_cell("My work")] + [new_code_cell(s) for s in sources]
    return nbformat.writes(new_notebook(cells=cells))


def test_only_definitions_run_and_the_rest_is_listed():
    text = student_notebook(
        "%pip install nothing\n!ls /\nimport math",
        "%%time\nwhile True: pass",
        "RATE = 3\nschema = 'name STRING'\nprint('hello')",
        "query = counts.writeStream.format('console').start()\nquery.awaitTermination()",
        "def f(x):\n    return x * RATE",
        "for i in range(10**12):\n    pass",
        "f(2)",
    )
    module = notebook_module(text, "work.ipynb")
    namespace = {}
    exec(module.source, namespace)
    assert namespace["f"](2) == 6 and namespace["schema"] == "name STRING"
    skipped = "\n".join(module.skipped)
    for left_out in ("%pip install nothing", "!ls /", "%%time", "print('hello')", ".start()",
                     "query.awaitTermination()", "for i in range", "f(2)"):
        assert left_out in skipped


@pytest.mark.parametrize("text", ["{not json", json.dumps({"cells": "nope"}), ""])
def test_a_broken_notebook_gets_a_clear_message(text):
    with pytest.raises(NotebookError, match="not a readable Jupyter notebook"):
        notebook_module(text, "work.ipynb")


def test_a_syntax_error_names_the_cell():
    with pytest.raises(NotebookError, match="Cell 2 of work.ipynb has a syntax error"):
        notebook_module(student_notebook("def f(:\n    pass"), "work.ipynb")


@pytest.mark.spark
@pytest.mark.timeout(600)
def test_a_solved_notebook_earns_full_marks_and_is_told_what_did_not_run(tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    notebook = folder / "exercise_02_streaming_word_count.ipynb"
    notebook.write_text(student_notebook(
        "%load_ext autoreload", SOLUTION,
        "lines = spark.readStream.text('/tmp/in')\nstart_update_query(lines, 'q', '/tmp/ck').awaitTermination()",
    ))
    broken = folder / "exercise_01_sql_recap.ipynb"
    broken.write_text("{ this is not a notebook")
    code, result, stderr = run_grade("exercise-1", "exercise-2", "--submission", str(folder))
    assert result is not None, stderr
    tests = results_by_task(result)
    assert all(tests[("exercise-2", t.name)]["status"] == "passed" for t in catalog.exercise(2).tasks)
    assert "not a readable Jupyter notebook" in result["output"]  # said once, in the notes
    assert "could not be imported" in tests[("exercise-1", "word_count")]["output"]
    assert "%load_ext autoreload" in result["output"] and "awaitTermination" in result["output"]
    assert code == 1


@pytest.mark.spark
@pytest.mark.timeout(300)
def test_try_task_shows_each_batch_on_the_warm_engine():
    """A notebook attached to the warm engine tries a task there, though the engine may write
    only under the scratch root."""
    from grader.engine.server import engine_for

    url = engine_for("auto").url
    script = (
        "from pyspark.sql import SparkSession\n"
        "from grader.tryout import try_task\n"
        "from solutions.exercise_02_streaming_word_count import streaming_word_count\n"
        f"SparkSession.builder.remote({url!r}).getOrCreate()\n"
        "try_task('exercise-2', streaming_word_count)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    assert "after batch 1:" in done.stdout and "after batch 2:" in done.stdout, done.stdout
