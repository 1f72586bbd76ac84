"""Submissions that try to earn points without the Spark work: serving the stored expected rows
while patching the grader in their own process, linking to the reference solution, or writing a
task's outputs around the sink it asks for. Results are read by the referee, a process that never
imports student code, from the sink of the query the task asked for only, and submissions are
copied, never followed, so none of it earns anything. Expected rows served as Spark literals by
real queries pass every check of the public run; the hidden scenarios are what stop them."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT, SUBMISSIONS, results_by_task, run_grade

pytestmark = pytest.mark.spark

TEMPLATE = (SUBMISSIONS / "forging" / "forger.py.template").read_text()
FORGED_TASKS = {
    "exercise_03_rate_source": {
        "with_parity": ("rate",), "parity_totals": ("rate",),
        "start_multiples_of_three": ("rate", "query_name", "checkpoint"),
    },
    "exercise_06_watermarks": {
        "closed_window_counts": ("readings",), "live_window_counts": ("readings",),
        "start_closed_window_counts": ("readings", "query_name", "checkpoint"),
    },
}


def _bundled_expectations(module: str) -> str:
    """The reference outcomes of `module`'s exercise, as the bundle's fixtures/expected holds them."""
    number = int(module.split("_")[1])
    expected = json.loads((ROOT / "fixtures" / "expected" / f"exercise-{number}.json").read_text())
    return repr(json.dumps({task: entry["reference"] for task, entry in expected.items()}))


def write_forger(folder: Path) -> Path:
    """A forging submission of exercises 3 and 6, with the bundle's expected rows typed in."""
    folder.mkdir(parents=True)
    for module, tasks in FORGED_TASKS.items():
        source = TEMPLATE.replace("__EXPECTED__", _bundled_expectations(module))
        for task, params in tasks.items():
            forge = "forged_query" if len(params) > 1 else "forged_frame"
            source += f"\n\ndef {task}({', '.join(params)}):\n    return {forge}({task!r}, {', '.join(params)})\n"
        (folder / f"{module}.py").write_text(source)
    return folder


@pytest.mark.timeout(900)
def test_a_forger_serving_the_expected_rows_earns_nothing(tmp_path):
    code, result, stderr = run_grade("exercise-3", "exercise-6", "--submission", str(write_forger(tmp_path / "forger")))
    assert result is not None, stderr
    assert result["score"] <= result["max_score"] / 5, json.dumps(result, indent=1)[:3000]
    outputs = {task: test["output"] for (_, task), test in results_by_task(result).items()}
    assert "written into your code" in outputs["parity_totals"]
    assert "not the memory sink of your query" in outputs["start_closed_window_counts"]
    assert code == 1


@pytest.mark.timeout(600)
def test_outputs_written_around_the_sinks_asked_for_earn_nothing():
    """Parquet folders written by pyarrow (with a log of the forger's making, or none), a view
    that filters a memory sink under its name, and a second query that mends the database."""
    code, result, stderr = run_grade("exercise-7", "--submission", str(SUBMISSIONS / "bypassing"))
    assert result is not None, stderr
    assert result["score"] == 0 and code == 1
    outputs = {task: test["output"] for (_, task), test in results_by_task(result).items()}
    assert "Your query writes to ForeachBatchSink, not to files in the folder" in outputs["start_parquet_sink"]
    assert "The folder has no `_spark_metadata`" in outputs["run_available_now"]
    assert "write it with a file sink" in outputs["run_available_now"]
    assert "`start_two_queries_views` is not the memory sink of your query" in outputs["start_two_queries"]
    assert "A query this task did not ask for is running" in outputs["start_sqlite_sink"]


@pytest.mark.timeout(600)
def test_rows_smuggled_into_a_file_sink_s_log_earn_nothing():
    code, result, stderr = run_grade("exercise-7", "--submission", str(SUBMISSIONS / "smuggling"),
                                     "--task", "start_parquet_sink")
    assert result is not None, stderr
    test = results_by_task(result)[("exercise-7", "start_parquet_sink")]
    assert test["score"] == 0 and "`_spark_metadata/0` is not as your query committed it" in test["output"]


@pytest.mark.timeout(600)
def test_links_to_the_reference_or_a_classmate_are_refused(tmp_path):
    linked = tmp_path / "linked"
    linked.mkdir()
    module = "exercise_02_streaming_word_count.py"
    (linked / module).symlink_to(ROOT / "solutions" / module)
    code, result, stderr = run_grade("exercise-2", "--submission", str(linked))
    assert result is not None, stderr
    assert result["score"] == 0 and code == 1
    assert "symbolic link" in result["output"], result["output"]  # said once, for the whole file

    classmate = tmp_path / "classmate.py"
    shutil.copy(ROOT / "solutions" / module, classmate)
    hard = tmp_path / "hard"
    hard.mkdir()
    os.link(classmate, hard / module)
    code, result, stderr = run_grade("exercise-2", "--submission", str(hard))
    assert result["score"] == 0 and "hard link" in result["output"], stderr


@pytest.mark.timeout(1200)
def test_a_forger_earns_nothing_in_a_batch_either(tmp_path):
    """Instructor grading (the engine's referee, hidden scenarios too) of a forger and a link."""
    submissions = tmp_path / "submissions"
    write_forger(submissions / "forger")
    (submissions / "linker").mkdir()
    module = "exercise_02_streaming_word_count.py"
    (submissions / "linker" / module).symlink_to(ROOT / "solutions" / module)
    done = subprocess.run(
        [sys.executable, "-m", "grader", "batch", str(submissions), "--out", str(tmp_path / "results"),
         "--exercises", "exercise-2", "exercise-3", "exercise-6"],
        capture_output=True, text=True, timeout=1100, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    for student in ("forger", "linker"):
        result = json.loads((tmp_path / "results" / student / "results.json").read_text())
        most = result["extra_data"]["max_score"]
        assert result["score"] <= most / 5, (student, result["score"], most)
    linker = json.loads((tmp_path / "results" / "linker" / "results.json").read_text())
    assert "symbolic link" in linker["output"], linker["output"]


# A literal forgery of every task that serves rows (stop_query_named serves none), as the body of
# the task's function: it calls the helpers of literal_forger.py.template on the task's arguments.
LITERAL_TEMPLATE = (SUBMISSIONS / "forging" / "literal_forger.py.template").read_text()
LITERAL_FORGERIES = {
    "exercise_01_sql_recap": {
        "adults(patients)": "return collected('adults', patients)",
        "treatment_summary(patients)": "return collected('treatment_summary', patients)",
        "sex_summary_sql(spark, patients)": "return collected('sex_summary_sql', patients)",
        "word_count(lines)": "return collected('word_count', lines)",
    },
    "exercise_03_rate_source": {
        "with_parity(rate)": "return per_batch_rows(rate, file_batch(), expected('with_parity'))",
        "parity_totals(rate)": "return whole_table(rate, file_batch(), expected('parity_totals'))",
        "start_multiples_of_three(rate, query_name, checkpoint)":
            "rows = per_batch_rows(rate, file_batch(), expected('start_multiples_of_three'))\n"
            "return into_memory(rows, query_name, checkpoint)",
    },
    "exercise_07_sinks_and_triggers": {
        "start_parquet_sink(views, folder, checkpoint)":
            "return into_files(per_batch_rows(views, file_batch(), expected('start_parquet_sink')), folder, checkpoint)",
        "start_sqlite_sink(views, database, checkpoint)":
            "return into_sqlite('start_sqlite_sink', views, database, checkpoint)",
        # The first run reads batches 1 and 2, the second batch 3: each run's rows come with the
        # first batch it reads.
        "run_available_now(views, folder, checkpoint)":
            "rows = per_batch_rows(views, file_batch(), expected('run_available_now'), at=[0, 2])\n"
            "return into_files(rows, folder, checkpoint, available_now=True)",
        "start_two_queries(views, counts_name, counts_checkpoint, views_name, views_checkpoint)":
            "counts = whole_table(views, file_batch(), counted('start_two_queries', counts_name))\n"
            "into_memory(counts, counts_name, counts_checkpoint, mode='complete')\n"
            "into_memory(per_batch_rows(views, file_batch(), counted('start_two_queries', views_name)), views_name, "
            "views_checkpoint)",
    },
    "exercise_10_kafka": {
        "read_topic(spark, bootstrap, topic)":
            "return per_batch_rows(kafka_messages(spark, bootstrap, topic), offset_batch(), expected('read_topic'))",
        "kafka_word_count(messages)": "return whole_table(messages, offset_batch(), expected('kafka_word_count'))",
        "start_counts_to_kafka(messages, bootstrap, output_topic, checkpoint)":
            "rows = per_batch_rows(messages, offset_batch(), expected('start_counts_to_kafka'))\n"
            "return into_kafka(rows, bootstrap, output_topic, checkpoint)",
    },
}


def write_literal_forger(folder: Path, modules: list[str]) -> Path:
    """A submission of `modules` that serves the bundle's expected rows as literals, batch by batch."""
    folder.mkdir(parents=True)
    for module in modules:
        source = LITERAL_TEMPLATE.replace("__EXPECTED__", _bundled_expectations(module))
        for signature, body in LITERAL_FORGERIES[module].items():
            source += f"\n\ndef {signature}:\n{textwrap.indent(body, '    ')}\n"
        (folder / f"{module}.py").write_text(source)
    return folder


def check_literal_forger_earns_on_public_data_only(folder: Path, modules: list[str]) -> None:
    """Graded as a student grades (the public scenarios), every forged task of `modules` passes:
    only data the forger never saw can stop it. Graded as instructors grade (`--hidden`, as
    `grade batch` does), every forged task earns nothing, and is told it failed hidden data."""
    forged = {(f"exercise-{int(module.split('_')[1])}", signature.split("(")[0])
              for module in modules for signature in LITERAL_FORGERIES[module]}
    exercises = sorted({exercise for exercise, _ in forged})
    submission = str(write_literal_forger(folder, modules))

    def forged_tests(*extra: str) -> list[dict]:
        _, result, stderr = run_grade(*exercises, "--submission", submission, *extra)
        assert result is not None, stderr
        tests = {key: test for key, test in results_by_task(result).items() if key in forged}
        assert set(tests) == forged
        return list(tests.values())

    caught_in_public = [test["output"] for test in forged_tests() if test["status"] != "passed"]
    assert not caught_in_public, caught_in_public  # else the hidden scenarios would prove nothing here
    for test in forged_tests("--hidden"):
        assert test["score"] == 0, test
        assert "right on the public data but not on a hidden scenario" in test["output"], test["output"]


@pytest.mark.timeout(900)
def test_literal_rows_served_batch_by_batch_earn_nothing_on_hidden_data(tmp_path):
    check_literal_forger_earns_on_public_data_only(
        tmp_path / "forger", ["exercise_01_sql_recap", "exercise_03_rate_source", "exercise_07_sinks_and_triggers"])
