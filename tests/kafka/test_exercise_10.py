"""Exercise 10, the Kafka word count, graded against a real broker as a student runs it.

Needs a broker (bin/test starts one) and Spark's Kafka connector (`grade kafka fetch`); without
them the tests are skipped on a developer machine, but fail under CI.
"""

from __future__ import annotations

import os
import socket
import time

import pytest

from conftest import ROOT, SUBMISSIONS, run_grade, results_by_task
from test_forgery import check_literal_forger_earns_on_public_data_only
from grader import catalog
from grader.authoring.verify import verify
from grader.kafka import artifacts, broker, default_bootstrap

pytestmark = [pytest.mark.kafka, pytest.mark.spark]

ON_CI = os.environ.get("CI", "").lower() not in ("", "0", "false")
EXERCISE = catalog.exercise(10)
WRONG_ANSWERS = ROOT / "solutions" / "wrong_answers" / "exercise_10"


def _needs(ready: bool, reason: str) -> None:
    if not ready:
        if ON_CI:
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def kafka_ready():
    bootstrap = default_bootstrap()
    _needs(bool(artifacts.fetched_connector_jars()), "Spark's Kafka connector is not fetched (`grade kafka fetch`)")
    _needs(broker.reachable(bootstrap), f"no Kafka broker answers at {bootstrap} (`grade kafka start`)")
    return bootstrap


@pytest.mark.timeout(900)
def test_the_solution_earns_full_marks(kafka_ready):
    code, result, stderr = run_grade("exercise-10", "--submission", str(ROOT / "solutions"))
    assert result is not None, stderr
    failed = [t["name"] + ":\n" + t["output"] for t in result["tests"] if t["status"] != "passed"]
    assert not failed, "\n\n".join(failed)
    assert result["score"] == result["max_score"] == EXERCISE.max_score
    assert code == 0


@pytest.mark.timeout(600)
def test_no_message_of_a_grading_is_left_for_the_next_student(kafka_ready):
    """A task's topics go when it ends: left on the broker, a later student's query could read a
    hidden scenario's data, or a classmate's answers in an output topic."""
    from kafka import KafkaConsumer

    from grader.referee.kafka_topics import RUN_TOPIC

    started = int(time.time())
    code, result, stderr = run_grade("exercise-10", "--submission", str(ROOT / "solutions"), "--hidden")
    assert result is not None and result["score"] == result["max_score"], stderr
    reader = KafkaConsumer(bootstrap_servers=kafka_ready, auto_offset_reset="earliest", group_id=None,
                           consumer_timeout_ms=5000)
    reader.subscribe(pattern="^grader-.*")
    left = [(message.topic, message.value) for message in reader  # this grading's, not others'
            if (made := RUN_TOPIC.match(message.topic)) and int(made[1]) >= started]
    reader.close()
    assert left == []


@pytest.mark.timeout(600)
def test_the_stubs_earn_zero(kafka_ready):
    code, result, stderr = run_grade("exercise-10", "--submission", str(ROOT / "exercises"))
    assert result is not None, stderr
    assert code == 1 and result["score"] == 0
    assert len(result["tests"]) == len(EXERCISE.tasks)
    for test in result["tests"]:
        assert "Not implemented yet" in test["output"], test["output"]


@pytest.mark.timeout(900)
def test_every_known_mistake_is_caught_with_its_own_message(kafka_ready):
    assert verify(EXERCISE).problems == []


@pytest.mark.timeout(600)
def test_starting_at_the_latest_offsets_is_named_in_the_feedback(kafka_ready):
    code, result, stderr = run_grade("exercise-10", "--submission", str(WRONG_ANSWERS / "latest_offsets.py"))
    assert result is not None, stderr
    test = results_by_task(result)[("exercise-10", "read_topic")]
    assert test["status"] == "failed" and test["mistake"] == "latest_offsets"
    assert ".option('startingOffsets', 'earliest')" in test["output"]
    assert "After batch 1 of 3" in test["output"]  # batch 1 was in the topic before the query
    assert code == 1


@pytest.mark.timeout(600)
def test_literal_rows_served_by_offset_earn_nothing_on_hidden_data(kafka_ready, tmp_path):
    check_literal_forger_earns_on_public_data_only(tmp_path / "forger", ["exercise_10_kafka"])


@pytest.mark.timeout(600)
@pytest.mark.parametrize("submission", ["bypassing", "smuggling"])  # kafka-python in a foreachBatch, in a UDF
def test_messages_sent_by_other_code_than_the_kafka_sink_earn_nothing(kafka_ready, submission):
    """The engine's Python workers reach no broker, so the messages are never sent (were they,
    the sink's own account would refuse them: tests/test_sinks.py). kafka-python gives up after
    30 s, past the task's budget on a quiet machine: the budget is raised to see it give up."""
    code, result, stderr = run_grade("exercise-10", "--submission", str(SUBMISSIONS / submission),
                                     "--task", "start_counts_to_kafka", "--timeout", "90")
    assert result is not None, stderr
    test = results_by_task(result)[("exercise-10", "start_counts_to_kafka")]
    assert test["score"] == 0 and "Unable to bootstrap from" in test["output"], test["output"]


@pytest.mark.timeout(300)
def test_without_a_broker_the_student_is_told_to_start_one(kafka_ready):
    bootstrap = f"127.0.0.1:{_closed_port()}"
    code, result, stderr = run_grade("exercise-10", "--submission", str(ROOT / "solutions"),
                                     env={"GRADER_KAFKA_BOOTSTRAP": bootstrap})
    assert result is not None, stderr
    assert code == 3 and result["score"] == 0  # not graded: the missing broker is not the student's doing
    for test in result["tests"]:
        assert test["status"] == "error"
        assert f"No Kafka broker answers at {bootstrap}" in test["output"], test["output"]
        assert "`grade kafka start`" in test["output"] and "Traceback" not in test["output"]


@pytest.mark.timeout(600)
def test_without_the_connector_the_student_is_told_to_fetch_it(kafka_ready, tmp_path):
    """On the local engine, with an empty jar cache: the session has no Kafka connector."""
    code, result, stderr = run_grade("exercise-10", "--submission", str(ROOT / "solutions"),
                                     "--engine", "local", env={"GRADER_CACHE": str(tmp_path)})
    assert result is not None, stderr
    assert code == 3 and result["score"] == 0
    for test in result["tests"]:
        assert "Spark's Kafka connector is not downloaded" in test["output"], test["output"]
        assert "`grade kafka fetch`" in test["output"] and "Traceback" not in test["output"]


def _closed_port() -> int:
    """A loopback port nothing listens on (it was free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.timeout(300)
def test_a_query_reaches_no_broker_but_the_gradings(kafka_ready, tmp_path):
    """The engine connects to its gradings' broker only: a query sent to another one (a batch
    neighbour's, another user's) never reaches it."""
    solution = (ROOT / "solutions" / "exercise_10_kafka.py").read_text()
    with socket.socket() as elsewhere:
        elsewhere.bind(("127.0.0.1", 0))
        elsewhere.listen()
        elsewhere.setblocking(False)
        asked = '.option("kafka.bootstrap.servers", bootstrap)'
        assert asked in solution
        (tmp_path / "exercise_10_kafka.py").write_text(
            solution.replace(asked, f'.option("kafka.bootstrap.servers", "127.0.0.1:{elsewhere.getsockname()[1]}")'))
        code, result, stderr = run_grade("exercise-10", "--submission", str(tmp_path), "--task",
                                         "start_counts_to_kafka", "--timeout", "30")
        with pytest.raises(BlockingIOError):
            elsewhere.accept()
    assert result is not None, stderr
    assert results_by_task(result)[("exercise-10", "start_counts_to_kafka")]["score"] == 0


@pytest.mark.timeout(600)
def test_each_slot_of_a_batch_grades_on_a_broker_of_its_own(kafka_ready):
    """Two students graded side by side on a Kafka exercise share no broker: the second slot's
    engine may reach only the broker started for it, which the solution's tasks run on."""
    from grader.batch.runner import instructor_grade_args
    from grader.engine.server import engines_for_class

    with engines_for_class(None, 2, kafka=True) as slots:
        own = slots[1]
        assert own.engine != slots[0].engine and own.kafka_bootstrap not in (None, kafka_ready)
        code, result, stderr = run_grade("exercise-10", "--submission", str(ROOT / "solutions"),
                                         *instructor_grade_args(own))
        assert result is not None, stderr
        assert result["score"] == EXERCISE.max_score and code == 0, result
    assert not broker.reachable(own.kafka_bootstrap, timeout=2.0)  # stopped with the batch
