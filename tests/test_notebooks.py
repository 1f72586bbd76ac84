"""Notebooks: generated from the declarations, and graded from their definitions only."""

import json
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import ROOT, run_grade, results_by_task
from grader import catalog
from grader.engine import Engine
from grader.authoring.notebooks import notebook_for, stale_notebooks
from grader.sandbox.notebooks import SHOWN_WIDTH, NotebookError, notebook_module

SOLUTION = (ROOT / "solutions" / "exercise_02_streaming_word_count.py").read_text()


def test_notebooks_are_generated_from_the_declarations():
    assert stale_notebooks() == [], "run `grade generate`"


def test_a_generated_notebook_has_a_description_stub_and_check_cell_per_task():
    exercise = catalog.exercise(2)
    cells = notebook_for(exercise).cells
    assert "from grader.kernel_session import engine_folder, engine_session" in cells[1].source
    assert "spark = engine_session()" in cells[1].source and "getOrCreate" not in cells[1].source
    for task in exercise.tasks:
        stub = next(i for i, c in enumerate(cells) if c.source.startswith(task.signature()))
        assert cells[stub - 1].cell_type == "markdown" and task.docstring() in cells[stub - 1].source
        assert cells[stub + 1].source == f'check("{exercise.id}", "{task.name}")'


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


def test_a_syntax_error_names_the_cell_as_jupyter_shows_it():
    with pytest.raises(NotebookError, match="Code cell 1 of work.ipynb has a syntax error"):
        notebook_module(student_notebook("def f(:\n    pass"), "work.ipynb")
    ran = nbformat.v4.new_notebook(cells=[new_code_cell("import math", execution_count=4),
                                          new_code_cell("def f(:\n    pass", execution_count=9)])
    with pytest.raises(NotebookError, match=r"In \[9\] of work.ipynb has a syntax error"):
        notebook_module(nbformat.writes(ran), "work.ipynb")


def test_skipped_statements_are_named_by_execution_count_and_shown_whole_on_one_line():
    long_query = ("query = (counts.writeStream.format('console')\n"
                  "         .outputMode('complete').option('truncate', False).start())")
    cells = [new_markdown_cell("notes"), new_markdown_cell("more notes"),
             new_code_cell('"""My answers."""\nimport math\nprint(math.pi)', execution_count=3),
             new_code_cell(long_query, execution_count=7),
             new_code_cell('check("exercise-2", "read_lines")'),
             new_code_cell("counts.show()")]
    skipped = notebook_module(nbformat.writes(new_notebook(cells=cells)), "work.ipynb").skipped
    assert skipped[0] == "In [3], line 3: print(math.pi)"  # neither the docstring nor the check is listed
    assert skipped[1].startswith("In [7]: query = (counts.writeStream.format('console') .outputMode(")
    assert skipped[1].endswith("…") and len(skipped[1]) <= len("In [7]: ") + SHOWN_WIDTH
    assert skipped[2] == "code cell 4: counts.show()"  # not run yet: no count; markdown not counted
    assert len(skipped) == 3


def test_the_skipped_list_is_said_once_per_file_and_kept_short():
    from grader.engine import Engine
    from grader.grading.checks.plugin import SKIPPED_SHOWN, GradingPlugin
    from grader.outcome import Outcome

    exercises = [catalog.exercise(1), catalog.exercise(2)]
    notebook = ROOT / "work.ipynb"  # one notebook holding both exercises
    plugin = GradingPlugin({exercise: notebook for exercise in exercises}, Engine.local(), label="work")
    skipped = [f"In [{n}]: print({n})" for n in range(1, 10)]
    for exercise in exercises:
        for task in exercise.tasks:
            plugin._note_skipped(exercise, Outcome(task.name, skipped=skipped))
    assert len(plugin.notes) == 1, plugin.notes
    listed = plugin.notes[0].splitlines()
    assert listed[0].startswith("work.ipynb: not run when graded")
    assert listed[1:] == [f"  In [{n}]: print({n})" for n in range(1, SKIPPED_SHOWN + 1)] + [
        f"  … and {9 - SKIPPED_SHOWN} more"]


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
@pytest.mark.timeout(600)
def test_a_graded_notebooks_setup_cell_takes_the_gradings_own_session(tmp_path):
    """The generated setup cell runs where the notebook is graded too, in the confined worker:
    there `engine_session()` returns the grading's session and opens none (it could not: no kernel,
    no admission), so code using the notebook's global `spark` is graded as in the kernel."""
    setup = notebook_for(catalog.exercise(2)).cells[1].source
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "exercise_02_streaming_word_count.ipynb").write_text(student_notebook(
        setup,
        "def read_lines(spark, folder):\n"
        "    assert spark is globals()['spark'], 'the setup cell opened a session of its own'\n"
        "    return spark.readStream.text(folder)",
        "mine = engine_folder()",
    ))
    code, result, stderr = run_grade("exercise-2", "--task", "read_lines", "--submission", str(folder))
    assert result is not None, stderr
    assert results_by_task(result)[("exercise-2", "read_lines")]["status"] == "passed", result["output"]
    assert "engine_session" not in result["output"]  # run, neither skipped nor failed
    assert "code cell 3: mine = engine_folder()" in result["output"]  # the kernel's folder: skipped, listed
    assert code == 0


def running_kernel_children() -> str:
    """A cell that prints, as JSON, its kernel's processes that are Java, and the memory (RSS, MB)
    of the kernel and all its processes."""
    return (
        "import json, psutil\n"
        "kernel = psutil.Process()\n"
        "family = [kernel, *kernel.children(recursive=True)]\n"
        "print(json.dumps({'java': [p.pid for p in family if 'java' in p.name()],\n"
        "                  'rss_mb': sum(p.memory_info().rss for p in family) / 2**20}))"
    )


@pytest.mark.spark
@pytest.mark.timeout(600)
def test_a_notebooks_own_cells_run_on_the_grading_engine_apart_from_its_gradings(tmp_path):
    """The generated notebook with the solution filled in, in a real kernel: its own cells run a
    streaming query on the user's engine (no JVM in the kernel), every check cell earns full marks
    while that query runs, and the kernel's query and memory table are still its own afterwards."""
    from nbclient import NotebookClient

    exercise = catalog.exercise(2)
    cells = notebook_for(exercise).cells
    checks = [cell for cell in cells if cell.source.startswith("check(")]
    experiment = new_code_cell(
        "folder = engine_folder()\n"
        "(folder / 'in').mkdir()\n"
        "(folder / 'in' / 'one.txt').write_text('Spark is fast\\nspark streams\\n')\n"
        "query = start_update_query(read_lines(spark, str(folder / 'in')), 'my_counts', str(folder / 'checkpoint'))\n"
        "query.processAllAvailable()\n"
        "print(sorted(tuple(row) for row in spark.table('my_counts').collect()))")
    afterwards = new_code_cell(
        "import json, os\n"
        "from grader import kernel_session\n"
        "from grader.engine.admission import sessions_dir\n"
        "admitted = sessions_dir(kernel_session.KERNEL_ENGINE.port) / spark.session_id\n"
        "print(json.dumps({'queries': [q.name for q in spark.streams.active], 'rows': spark.table('my_counts').count(),\n"
        "                  'admission': str(admitted), 'held_by_kernel': admitted.read_text().split()[0] == str(os.getpid())}))")
    notebook = new_notebook(cells=[*cells[:2], new_code_cell(SOLUTION), experiment, *checks, afterwards,
                                   new_code_cell(running_kernel_children())])
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()

    def printed(cell) -> str:
        return "".join(output.get("text", "") for output in cell.outputs if output.output_type == "stream")

    assert "Spark runs on your grading engine (sc://" in printed(notebook.cells[1])
    assert printed(notebook.cells[3]).strip() == "[('fast', 1), ('is', 1), ('spark', 2), ('streams', 1)]"
    for cell, task in zip(notebook.cells[4:4 + len(checks)], exercise.tasks):
        text, _ = check_outputs(cell)
        assert f"PASS   {task.points}/{task.points}  {task.name}" in text, text
    session = json.loads(printed(notebook.cells[-2]))
    assert session["queries"] == ["my_counts"] and session["rows"] == 4 and session["held_by_kernel"]
    kernel = json.loads(printed(notebook.cells[-1]))
    assert kernel["java"] == [], "the kernel started a JVM of its own"
    # Once the kernel has ended, its session is admitted no longer.
    admitted = Path(session["admission"])
    deadline = time.monotonic() + 15
    while admitted.exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not admitted.exists()


def test_a_check_result_shows_the_terminal_report_as_text_and_its_parts_as_html():
    from grader.report.model import GradeResult, TaskResult
    from grader.report.notebook import CheckResult
    from grader.report.text import render

    feedback = "Expected 1 row(s), got 2.\n  + '<b>' | 1\nConcept: complete mode re-emits the whole table."
    failed = GradeResult("work", [TaskResult("exercise-2", "streaming_word_count", "the word count", 0, 3, feedback)],
                         files={"exercise-2": "graded the code this kernel has run (In [1] to In [3], …)"})
    shown = CheckResult(failed)
    assert repr(shown) == render(failed).strip() and not shown.passed
    html = shown._repr_html_()
    assert ">FAIL</b> 0/3" in html and "In [1] to In [3]" in html
    assert "+ &#x27;&lt;b&gt;&#x27; | 1" in html  # the student's rows, escaped
    passed = GradeResult("work", [TaskResult("exercise-2", "streaming_word_count", "the word count", 3, 3, "Passed.")])
    assert CheckResult(passed).passed and "<pre>" not in CheckResult(passed)._repr_html_()


def check_outputs(cell) -> tuple[str, str]:
    """The plain text and the HTML a check cell shows."""
    shown = next(output for output in cell.outputs if output.output_type == "execute_result")
    return shown.data["text/plain"], shown.data["text/html"]


@pytest.mark.spark
@pytest.mark.timeout(600)
def test_a_check_cell_in_a_jupyter_kernel_fails_a_wrong_answer_with_its_diff_and_passes_the_fix(tmp_path):
    """The generated notebook's cells, run top to bottom by a real kernel: the student's wrong word
    count (its cell then fails on an import), its check cell, the fixed word count in a later cell,
    the check again. The check grades the code the kernel ran, never saved to a file, and of the
    cell that raised what ran before the failed line: the definition, not the import."""
    from nbclient import NotebookClient

    exercise = catalog.exercise(2)
    task = exercise.task("streaming_word_count")
    cells = notebook_for(exercise).cells
    stub = next(i for i, c in enumerate(cells) if c.source.startswith(task.signature()))
    wrong = (ROOT / "solutions" / "wrong_answers" / "exercise_02" / "case_sensitive.py").read_text()
    failing = new_code_cell(wrong + "\nimport my_helpers  # not there: the cell raises here\n",
                            metadata={"tags": ["raises-exception"]})
    notebook = new_notebook(cells=[*cells[:2], cells[stub - 1], failing, cells[stub + 1],
                                   new_code_cell(SOLUTION), new_code_cell(cells[stub + 1].source)])
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    checks = [cell for cell in notebook.cells if cell.source.startswith("check(")]
    failed_text, failed_html = check_outputs(checks[0])
    assert "FAIL   0/3  streaming_word_count" in failed_text, failed_text
    assert "You count case-sensitively" in failed_text  # the known mistake, named
    assert "batch 1 → lines: 'Spark is fast'" in failed_text  # what went in
    assert "- 'spark'   | 2" in failed_text and "+ 'Spark'   | 1" in failed_text  # expected against produced
    assert "Concept: The same split/explode/groupBy().count()" in failed_text
    assert "graded the code this kernel has run (In [1] to In [3]" in failed_text  # this cell too
    assert ">FAIL</b>" in failed_html and "- &#x27;spark&#x27;   | 2" in failed_html
    passed_text, passed_html = check_outputs(checks[1])
    assert "PASS   3/3  streaming_word_count" in passed_text, passed_text
    assert "In [1] to In [5]" in passed_text and ">PASS</b>" in passed_html


def test_a_check_outside_a_kernel_or_of_an_unknown_task_says_what_to_do():
    from grader.check import CheckError, check

    with pytest.raises(CheckError, match="this is not one. From a terminal, run `grade exercise-N`"):
        check("exercise-2", "streaming_word_count")
    with pytest.raises(CheckError, match="exercise-2 has no task 'word_counts'"):
        check("exercise-2", "word_counts")


def test_a_notebook_without_an_engine_is_told_why(monkeypatch):
    """Outside a kernel (and without the grading's session) engine_session() opens nothing; in a
    kernel whose engine cannot start, it says why, in the engine's own words."""
    import grader.kernel_session as notebook
    from grader.engine.server import EngineError

    with pytest.raises(notebook.EngineSessionError, match="this is not one: in a script, use SparkSession.builder"):
        notebook.engine_session()
    with pytest.raises(notebook.EngineSessionError, match=r"run `spark = engine_session\(\)` first"):
        notebook.engine_folder()

    def engine_cannot_start(choice=None):
        raise EngineError("Port 15302 is taken by a program that is not this grader's Spark engine.")

    monkeypatch.setattr(notebook, "kernel_shell", lambda: object())
    monkeypatch.setattr("grader.engine.server.engine_for", engine_cannot_start)
    with pytest.raises(notebook.EngineSessionError, match="no Spark engine to run on: Port 15302 is taken"):
        notebook.engine_session()


@pytest.mark.timeout(10)
def test_an_idle_notebooks_session_is_kept_open_by_asking_the_engine_now_and_then(monkeypatch):
    """The engine closes a session idle for 5 minutes (a request for Spark's version does not count
    as use, a setting read does: measured); the kernel's reads a setting now and then, until the
    session is stopped."""
    import socket

    import grader.kernel_session as kernel_session

    class Session:
        """Stopped after its third setting is read."""

        def __init__(self):
            self.is_stopped, self.asked = False, []
            self.conf = self

        def get(self, key: str) -> str:
            self.asked.append(key)
            self.is_stopped = len(self.asked) == 3
            return "2"

    monkeypatch.setattr(kernel_session, "KEEP_ALIVE_SECONDS", 0.01)
    session = Session()
    with socket.create_server(("127.0.0.1", 0)) as engine:
        kernel_session._keep_alive(session, Engine.connect(f"sc://127.0.0.1:{engine.getsockname()[1]}"))
    assert session.asked == ["spark.sql.shuffle.partitions"] * 3


@pytest.mark.timeout(10)
def test_a_kernels_session_on_an_engine_being_stopped_is_not_asked_anything(monkeypatch, tmp_path):
    """A JVM shutting down still answers on its port, and pyspark would retry there for minutes:
    the setup cell, run again, opens a session on the fresh engine instead."""
    import os
    import socket

    import grader.kernel_session as kernel_session
    from grader.engine.registry import EngineIdentity, stopping_marker

    class Session:
        asked = False

        def range(self, _):
            self.asked = True
            raise ConnectionError("the engine is shutting down")

    with socket.create_server(("127.0.0.1", 0)) as engine:
        port = engine.getsockname()[1]
        EngineIdentity.of_this_grader(os.getpid(), port, False, tmp_path / "last-used", "").write()
        stopping_marker(port).touch()
        monkeypatch.setattr(kernel_session, "KERNEL_ENGINE", Engine.connect(f"sc://127.0.0.1:{port}"))
        session = Session()
        assert not kernel_session._still_serves(session) and not session.asked


@pytest.mark.spark
@pytest.mark.timeout(600)
def test_a_check_cell_on_event_time_shows_the_picture_of_the_stream(tmp_path):
    """A too-short watermark, checked in a real kernel: the cell's HTML carries the picture, which
    marks the batch where the answer first differs, the text saying the same."""
    from nbclient import NotebookClient

    exercise = catalog.exercise(6)
    task = exercise.task("closed_window_counts")
    cells = notebook_for(exercise).cells
    stub = next(i for i, c in enumerate(cells) if c.source.startswith(task.signature()))
    wrong = (ROOT / "solutions" / "wrong_answers" / "exercise_06" / "short_watermark.py").read_text()
    notebook = new_notebook(cells=[*cells[:2], new_code_cell(wrong), cells[stub + 1]])
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    text, html = check_outputs(notebook.cells[-1])
    assert "FAIL" in text and "After batch 2 of" in text, text
    assert "<svg" in html and 'id="picture-closed_window_counts"' in html
    assert "closed_window_counts-differs-b2" in html  # the batch the text names
    assert "closed_window_counts-your-watermark-b1" in html
