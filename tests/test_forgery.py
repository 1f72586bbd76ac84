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
from grader import catalog

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


def exercise_id(module: str) -> str:
    """`exercise-N`, the exercise of the module `exercise_0N_slug`."""
    return f"exercise-{int(module.split('_')[1])}"


def _bundled_expectations(module: str) -> str:
    """The reference outcomes of `module`'s exercise, as the bundle's fixtures/expected holds them."""
    expected = json.loads((ROOT / "fixtures" / "expected" / f"{exercise_id(module)}.json").read_text())
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
    "exercise_02_streaming_word_count": {
        "read_lines(spark, folder)":
            "return per_batch_rows(spark.readStream.text(folder), file_batch(), expected('read_lines'))",
        "streaming_word_count(lines)": "return whole_table(lines, file_batch(), expected('streaming_word_count'))",
        "start_update_query(lines, query_name, checkpoint)":
            "rows = per_batch_rows(lines, file_batch(), expected('start_update_query'))\n"
            "return into_memory(rows, query_name, checkpoint, mode='update')",
    },
    "exercise_03_rate_source": {
        "with_parity(rate)": "return per_batch_rows(rate, file_batch(), expected('with_parity'))",
        "parity_totals(rate)": "return whole_table(rate, file_batch(), expected('parity_totals'))",
        "start_multiples_of_three(rate, query_name, checkpoint)":
            "rows = per_batch_rows(rate, file_batch(), expected('start_multiples_of_three'))\n"
            "return into_memory(rows, query_name, checkpoint)",
    },
    "exercise_04_csv_folder": {
        # Read as text: the lines' file names are all it needs, and a text source needs no schema.
        "read_people(spark, folder)":
            "return per_batch_rows(spark.readStream.text(folder), file_batch(), expected('read_people'))",
        "adults(people)": "return per_batch_rows(people, file_batch(), expected('adults'))",
        "age_groups(people)": "return whole_table(people, file_batch(), expected('age_groups'))",
        "start_age_group_counts(people, query_name, checkpoint)":
            "rows = per_batch_rows(people, file_batch(), expected('start_age_group_counts'))\n"
            "return into_memory(rows, query_name, checkpoint, mode='update')",
    },
    "exercise_05_windows": {
        "page_counts_per_minute(clicks)":
            "return whole_table(clicks, file_batch(), expected('page_counts_per_minute'))",
        "page_counts_sliding(clicks)": "return per_batch_rows(clicks, file_batch(), expected('page_counts_sliding'))",
        "user_sessions(clicks)": "return whole_table(clicks, file_batch(), expected('user_sessions'))",
        "start_user_sessions(clicks, query_name, checkpoint)":
            "table = whole_table(clicks, file_batch(), expected('start_user_sessions'))\n"
            "return into_memory(table, query_name, checkpoint, mode='complete')",
    },
    # Windows written once final come with the batch that moved the watermark: the check after it
    # sees them whether they were written in that batch or in the extra batch Spark runs after it.
    "exercise_06_watermarks": {
        "closed_window_counts(readings)":
            "return per_batch_rows(readings, file_batch(), expected('closed_window_counts'))",
        "live_window_counts(readings)":
            "return per_batch_rows(readings, file_batch(), expected('live_window_counts'))",
        "start_closed_window_counts(readings, query_name, checkpoint)":
            "rows = per_batch_rows(readings, file_batch(), expected('start_closed_window_counts'))\n"
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
    # The static tables go unread: each click's file name says which rows to serve.
    "exercise_08_stream_static_joins": {
        "priced_clicks(clicks, prices)": "return per_batch_rows(clicks, file_batch(), expected('priced_clicks'))",
        "clicks_with_advertiser(clicks, ads)":
            "return per_batch_rows(clicks, file_batch(), expected('clicks_with_advertiser'))",
        "clicks_on_priced_ads(clicks, prices)":
            "return per_batch_rows(clicks, file_batch(), expected('clicks_on_priced_ads'))",
    },
    # The two streams take turns, so each batch is read off whichever of them it arrived in; the
    # outer join's NULL rows come with the batch whose watermark releases them, as in exercise 6.
    "exercise_09_stream_stream_joins": {
        "ad_clicks(impressions, clicks)":
            "return per_batch_rows(arrivals(impressions, clicks), F.col('batch'), expected('ad_clicks'))",
        "clicks_within_a_minute(impressions, clicks)":
            "return per_batch_rows(arrivals(impressions, clicks), F.col('batch'),\n"
            "                      expected('clicks_within_a_minute'))",
        "clicked_impressions(impressions, clicks)":
            "return per_batch_rows(arrivals(impressions, clicks), F.col('batch'), expected('clicked_impressions'))",
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


def literally_forged(modules: list[str]) -> set[tuple[str, str]]:
    """(exercise, task) of every task of `modules` that the literal forger forges."""
    return {(exercise_id(module), signature.split("(")[0])
            for module in modules for signature in LITERAL_FORGERIES[module]}


def check_literal_forger_earns_on_public_data_only(folder: Path, modules: list[str]) -> None:
    """Graded as a student grades (the public scenarios), every forged task of `modules` passes:
    only data the forger never saw can stop it. Graded as instructors grade (`--hidden`, as
    `grade batch` does), every forged task earns nothing, and is told it failed hidden data."""
    forged = literally_forged(modules)
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


# The literal forgers of exercises 1 to 9 (exercise 10 needs a broker: tests/kafka), in groups
# graded by one `grade` each.
LITERAL_FORGER_GROUPS = {
    "recap-rate-sinks": ["exercise_01_sql_recap", "exercise_03_rate_source", "exercise_07_sinks_and_triggers"],
    "folders-static-joins": ["exercise_02_streaming_word_count", "exercise_04_csv_folder",
                             "exercise_08_stream_static_joins"],
    "event-time": ["exercise_05_windows", "exercise_06_watermarks", "exercise_09_stream_stream_joins"],
}


@pytest.mark.timeout(900)
@pytest.mark.parametrize("modules", LITERAL_FORGER_GROUPS.values(), ids=LITERAL_FORGER_GROUPS.keys())
def test_literal_rows_served_batch_by_batch_earn_nothing_on_hidden_data(tmp_path, modules):
    check_literal_forger_earns_on_public_data_only(tmp_path / "forger", modules)


@pytest.mark.timeout(900)
def test_a_literal_forger_earns_nothing_in_a_batch_either(tmp_path):
    """Instructor grading of a literal forger of exercises 1 to 9 gives it 0 in all, every forged
    task stopped by a hidden scenario (not by a load failure or a grading that ran out of time)."""
    modules = [module for group in LITERAL_FORGER_GROUPS.values() for module in group]
    exercises = [exercise_id(module) for module in modules]
    submissions, results = tmp_path / "submissions", tmp_path / "results"
    write_literal_forger(submissions / "forger", modules)
    # One worker for one student: a second would start an engine of its own, for nobody.
    done = subprocess.run(
        [sys.executable, "-m", "grader", "batch", str(submissions), "--out", str(results), "--workers", "1",
         "--submission-timeout", "600", "--exercises", *exercises],
        capture_output=True, text=True, timeout=800, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads((results / "forger" / "results.json").read_text())
    outputs = {(test["extra_data"]["exercise"], test["extra_data"]["task"]): test["output"] for test in result["tests"]}
    assert len(outputs) == sum(len(catalog.exercise(exercise).tasks) for exercise in exercises)
    assert result["score"] == 0, [test["name"] for test in result["tests"] if test["score"]]
    for task in literally_forged(modules):
        assert "right on the public data but not on a hidden scenario" in outputs[task], (task, outputs[task])
