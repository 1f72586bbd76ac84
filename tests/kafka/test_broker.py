"""The local Kafka broker, its topic helpers and the Spark connector jars, against a real broker.

Reuses a broker that already runs, else starts one and stops it at the end. Without fetched jars
(`grade kafka fetch`) the tests are skipped on a developer machine, but fail under CI.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from grader.kafka import artifacts, broker

pytestmark = pytest.mark.kafka

ON_CI = os.environ.get("CI", "").lower() not in ("", "0", "false")
LINES = ["first", "second", "third"]


@contextmanager
def _skipped_when_not_fetched():
    try:
        yield
    except artifacts.MissingArtifacts as missing:
        if ON_CI:
            raise
        pytest.skip(str(missing))


@pytest.fixture(scope="module")
def bootstrap():
    local = broker.KafkaBroker.from_env()
    with _skipped_when_not_fetched():
        started = local.start()
    yield local.bootstrap
    if started:
        local.stop()


@pytest.fixture(scope="module")
def topic(bootstrap):
    """A new one-partition topic holding LINES."""
    name = f"grader-test-{uuid.uuid4().hex[:12]}"
    assert broker.create_topic(name, bootstrap)
    assert broker.produce(name, LINES, bootstrap) == len(LINES)
    return name


@pytest.mark.timeout(90)
def test_produced_lines_are_consumed_in_order(topic, bootstrap):
    assert list(broker.consume(topic, bootstrap, timeout=10, max_messages=len(LINES))) == LINES


@pytest.mark.timeout(30)
def test_creating_an_existing_topic_reports_it(topic, bootstrap):
    assert not broker.create_topic(topic, bootstrap)


@pytest.mark.timeout(90)
def test_status_reports_the_running_broker(bootstrap):
    state = broker.KafkaBroker.from_env().status()
    assert state.running and state.pid is not None
    assert state.bootstrap == bootstrap
    assert broker.reachable(bootstrap)


@pytest.mark.timeout(90)
def test_second_start_changes_nothing(bootstrap):
    local = broker.KafkaBroker.from_env()
    before = (local.status(), local.properties_file.stat().st_mtime_ns)
    assert local.start() is False
    assert (local.status(), local.properties_file.stat().st_mtime_ns) == before


@pytest.mark.spark
@pytest.mark.timeout(240)
def test_spark_reads_the_topic_with_the_connector_jars(topic, bootstrap, tmp_path):
    with _skipped_when_not_fetched():
        jars = artifacts.connector_jars()
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[1]").appName("kafka-connector-check")
        .config("spark.jars", ",".join(str(jar) for jar in jars))
        .config("spark.driver.memory", "512m")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    try:
        values = (
            spark.readStream.format("kafka")
            .option("kafka.bootstrap.servers", bootstrap)
            .option("subscribe", topic)
            .option("startingOffsets", "earliest")
            .load()
            .selectExpr("CAST(value AS STRING) AS value")
        )
        query = (
            values.writeStream.format("memory").queryName("kafka_values")
            .option("checkpointLocation", str(tmp_path / "checkpoint"))
            .start()
        )
        query.processAllAvailable()
        query.stop()
        assert [row.value for row in spark.table("kafka_values").collect()] == LINES
    finally:
        spark.stop()


@pytest.mark.timeout(30)
def test_connector_jars_leave_out_what_pyspark_ships():
    """Duplicates of pyspark's own jars (other versions of scala, slf4j...) would clash."""
    import pyspark

    with _skipped_when_not_fetched():
        connector = {_artifact_id(jar.name) for jar in artifacts.connector_jars()}
    pyspark_jars = Path(pyspark.__file__).parent / "jars"
    shipped = {_artifact_id(jar.name) for jar in pyspark_jars.glob("*.jar")}
    assert connector and not connector & shipped


def _artifact_id(jar_name: str) -> str:
    """`kafka-clients-3.9.2.jar` -> `kafka-clients` (the name before the dotted version)."""
    return re.sub(r"-\d+(\.\d+)+.*\.jar$", "", jar_name)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.timeout(300)
def test_start_fetches_the_jars_it_lacks(tmp_path):
    """On a fresh clone `grade kafka start` alone is enough. The broker's jars are copied in (they
    are large); the connector's are fetched."""
    with _skipped_when_not_fetched():
        artifacts.jars(artifacts.BROKER)
    cache = tmp_path / "cache"
    shutil.copytree(artifacts.BROKER.folder, cache / artifacts.BROKER.folder_name)
    env = {**os.environ, "GRADER_CACHE": str(cache), "GRADER_KAFKA_DATA": str(tmp_path / "data"),
           "GRADER_KAFKA_PORT": str(_free_port()), "GRADER_KAFKA_CONTROLLER_PORT": str(_free_port())}
    env.pop("GRADER_KAFKA_BOOTSTRAP", None)
    kafka = [sys.executable, "-m", "grader", "kafka"]
    try:
        done = subprocess.run([*kafka, "start"], env=env, capture_output=True, text=True, timeout=240)
        assert done.returncode == 0, done.stderr
        assert f"Downloading the {artifacts.CONNECTOR.title} jars" in done.stderr
        assert (cache / artifacts.CONNECTOR.folder_name / artifacts.MANIFEST).is_file()
        assert "Kafka broker started" in done.stdout
    finally:
        subprocess.run([*kafka, "stop"], env=env, capture_output=True, timeout=60)
