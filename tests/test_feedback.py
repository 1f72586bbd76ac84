"""Feedback that names the real mistake, on Spark's own error texts (captured from real runs of
wrong answers), without Spark."""

import types

import pytest

from grader import catalog
from grader import outcome as kinds
from grader.grading.checks.plugin import GradingPlugin
from grader.judge import judge
from grader.judge.expected import Expectation
from grader.judge.explain import explain
from grader.outcome import Failure, Outcome, Snapshot
from grader.referee.results import WrongResult, check_memory_table
from grader.report.model import TaskResult
from grader.sandbox.loader import LoadError, load_submission
from grader.spec import load_scenario
from grader.engine import Engine

# What Spark 4.2 said to `spark.readStream.load(folder)` (no format) and to
# `spark.readStream.csv(folder)` (no schema) on the text files of exercise 2: the same words.
NO_SCHEMA = Failure(
    kinds.QUERY_FAILED,
    "Schema must be specified when creating a streaming source DataFrame. If some files already exist in "
    "the directory, then depending on the file format you may be able to create a static DataFrame on that "
    "directory with 'spark.read.load(directory)' and infer schema from it.",
    error_class="_LEGACY_ERROR_TEMP_2048",
)
# What it said to the word count started in append mode.
APPEND_ON_A_COUNT = Failure(
    kinds.EXCEPTION,
    "Your function raised AnalysisException: [STREAMING_OUTPUT_MODE.UNSUPPORTED_OPERATION] Invalid streaming "
    "output mode: append. This output mode is not supported for streaming aggregations without watermark on "
    "streaming DataFrames/DataSets. SQLSTATE: 42KDE",
    error_class="STREAMING_OUTPUT_MODE.UNSUPPORTED_OPERATION",
    detail='  line 16, in start_update_query: .outputMode("append").option("checkpointLocation", checkpoint).start())',
)


def test_a_file_stream_without_format_or_schema_is_told_to_name_the_format():
    said = explain(NO_SCHEMA)
    assert "name the files' format" in said and "spark.readStream.text(folder)" in said, said
    assert "no format reads Parquet" in said


def test_append_mode_on_a_count_without_event_time_is_told_update_or_complete():
    said = explain(APPEND_ON_A_COUNT)
    assert "run it in update mode" in said and "complete mode" in said, said
    assert "the column you group by" not in said


def test_a_longer_watermark_is_not_told_it_has_none():
    message = catalog.exercise(6).task("live_window_counts").mistake("late_rows_counted").message
    assert "a longer delay than 20 seconds" in message
    assert not message.startswith("without a watermark")


def test_a_difference_in_column_types_only_shows_the_types():
    exercise = catalog.exercise(2)
    task = exercise.task("streaming_word_count")
    want = Snapshot([("word", "string"), ("count", "bigint")], [["spark", 1]])
    have = Snapshot([("word", "string"), ("count", "int")], [["spark", 1]])
    expected = Expectation("digest", Outcome(task.name, [want, want, want]))
    verdict = judge(task, load_scenario(task.scenario), Outcome(task.name, [have, have, have]), expected)
    assert verdict.summary.startswith("Column types differ: `count` should be bigint but is int.")
    assert "F.col('count').cast('bigint')" in verdict.summary
    story_end = "After batch 1 of 3, the sink differs from the reference:\n"
    assert story_end + "    column | expected type | your type\n    count  | bigint        | int" in verdict.details


def test_a_helper_module_beside_the_exercise_is_said_not_to_be_graded(tmp_path):
    path = tmp_path / "exercise_02_streaming_word_count.py"
    path.write_text("from helpers import split_words\n\ndef read_lines(spark, folder):\n    pass\n")
    with pytest.raises(LoadError) as raised:
        load_submission(path, "submission")
    said = str(raised.value)
    assert "no module named 'helpers'" in said and "line 1" in said, said
    assert f"Only {path.name} itself is graded" in said
    assert "keep it to imports and definitions" not in said


def test_a_missing_file_gives_no_command_line_advice(tmp_path):
    with pytest.raises(LoadError) as raised:
        load_submission(tmp_path / "exercise_02_streaming_word_count.py", "submission")
    assert "There is no file exercise_02_streaming_word_count.py" in str(raised.value)
    assert "--submission" not in str(raised.value)


def test_a_console_sink_where_a_memory_sink_is_asked_is_named():
    progress = types.SimpleNamespace(sink=types.SimpleNamespace(
        description="org.apache.spark.sql.execution.streaming.ConsoleTable$@5b1ec2e1"))
    query = types.SimpleNamespace(recentProgress=[progress])
    spark = types.SimpleNamespace(catalog=types.SimpleNamespace(tableExists=lambda name: False))
    with pytest.raises(WrongResult) as raised:
        check_memory_table(spark, query, "start_update_query_result")
    said = str(raised.value)
    assert "your query writes to the console sink" in said and ".format('memory')" in said, said


def plugin_with(*tasks):
    plugin = GradingPlugin({}, Engine.local(), label="submission")
    plugin.tasks.extend(tasks)
    return plugin


def test_a_task_after_a_failed_task_it_builds_on_says_so():
    exercise = catalog.exercise(2)
    failed = TaskResult(exercise.id, "streaming_word_count", "", 0, 3, "You count case-sensitively")
    said = plugin_with(failed)._failed_foundation(exercise, exercise.task("start_update_query"))
    assert "builds on `streaming_word_count`, which failed too: fix that first" in said
    passed = TaskResult(exercise.id, "streaming_word_count", "", 3, 3, "Passed.")
    assert plugin_with(passed)._failed_foundation(exercise, exercise.task("start_update_query")) == ""


def test_a_load_error_is_said_once_per_exercise():
    exercise = catalog.exercise(2)
    plugin = plugin_with()
    pointers = {plugin._said_once(exercise, "exercise_02_streaming_word_count.py has a syntax error") for _ in range(3)}
    assert plugin.notes == ["exercise-2: exercise_02_streaming_word_count.py has a syntax error"]
    assert pointers == {"Not run: the file could not be imported; see the note on exercise-2 below the tasks."}


def test_a_broken_java_home_is_named(monkeypatch, tmp_path):
    from grader.engine.java import java_problem

    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    assert java_problem().startswith(f"JAVA_HOME is {tmp_path}, which holds no bin/java")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "java").write_text("")
    assert java_problem() is None
