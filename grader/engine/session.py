"""The Spark session a worker grades on, with the tiny-stream settings, on either engine."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from pyspark.sql import SparkSession

from grader.engine import Engine
from grader.engine.admission import admitted_session
from grader.engine.registry import serving
from grader.engine.settings import CONNECT_CLIENT_VARIABLES, LOCAL_ONLY_CONF, TINY_STREAM_CONF
from grader.kafka.artifacts import fetched_connector_jars


def create_session(engine: Engine, workdir: Path) -> SparkSession:
    """A session on the embedded local engine or a Spark Connect server, with the tiny-stream
    settings applied. A local session gets Spark's Kafka connector once it is fetched (as the
    warm engine does), so the Kafka exercises run on either engine."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder
    if engine.is_connect:
        # So that a student's own SparkSession.builder.getOrCreate() returns this session too.
        os.environ["SPARK_REMOTE"] = engine.url
        builder = builder.remote(engine.url)
    else:
        # A Spark Connect session made earlier in the parent, or the user's profile, would turn
        # this process's pyspark into a Connect client without a server.
        for variable in CONNECT_CLIENT_VARIABLES:
            os.environ.pop(variable, None)
        conf = dict(LOCAL_ONLY_CONF)
        conf["spark.sql.warehouse.dir"] = str(workdir / "warehouse")
        conf["spark.local.dir"] = str(workdir / "spark-local")
        # The worker may write only in its own folder: the JVM's temporary files go there too.
        conf["spark.driver.extraJavaOptions"] += f" -Djava.io.tmpdir={workdir} -XX:-UsePerfData"
        jars = [str(jar) for jar in fetched_connector_jars()]
        if jars:
            conf["spark.jars"] = ",".join(jars)
        for key, value in conf.items():
            builder = builder.config(key, value)
    spark = builder.getOrCreate()
    for key, value in TINY_STREAM_CONF.items():
        spark.conf.set(key, value)
    return spark


def session_alive(spark: SparkSession) -> bool:
    """False once student code has stopped the session (then the worker makes a new one)."""
    try:
        spark.range(1).collect()
        return True
    except Exception:  # any failure here means the session cannot grade any more
        return False


def engine_answers(spark: SparkSession) -> bool:
    """Whether the engine behind `spark` still serves a fresh session: when it does, a session
    that died was stopped by the code it ran; when not, the engine itself went away."""
    url = os.environ.get("SPARK_REMOTE")
    if not url or not hasattr(spark, "client"):  # a local engine lives and dies with its session
        return True
    server = url.split("/;")[0]  # without this session's id
    if not serving(Engine.connect(server)):
        return False
    try:
        with admitted_spark(server) as fresh:
            return session_alive(fresh)
    except Exception:  # nothing answers there
        return False


@contextlib.contextmanager
def admitted_spark(url: str) -> Iterator[SparkSession]:
    """A new session on the Spark Connect server at `url`, let in by the engine's gate (see
    `grader.engine.admission`) until it is released, at the end."""
    with admitted_session(url) as session_id:
        spark = SparkSession.builder.remote(Engine.connect(url).with_session(session_id).url).create()
        try:
            yield spark
        finally:
            with contextlib.suppress(Exception):  # an engine gone has nothing to release
                spark.stop()
