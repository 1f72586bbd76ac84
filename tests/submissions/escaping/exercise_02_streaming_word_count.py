"""An escaper's answers to exercise 2: from its own process, from a UDF and from a foreachBatch
function (both run in the engine's Python workers), it tries to plant code where the grader or
the engine load code from, to forge the engine's GC log, to read the engine's log, to write into its memory or its output, to
get JVM code run, to open Spark sessions of its own, and to leave a process behind. Each task
reports every attempt in the error it raises: "refused" is what the grader must make of each."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

PLANTED = "planted_by_student.py"
LEFT_BEHIND = ["sleep", "613.5"]  # a process meant to outlive this grading


def attempt(attempts: dict, what: str, action):
    try:
        action()
    except Exception:  # every refusal, whatever its form
        attempts[what] = "refused"
    else:
        attempts[what] = "done"


def report(attempts: dict):
    raise PermissionError("; ".join(f"{what}: {how}" for what, how in attempts.items()))


def engine_port() -> int:
    """The engine's port as a submission learns it: its Python workers are told; a process of
    the student's reads the user's record of it, or tries the usual one."""
    try:
        recorded = Path(f"/tmp/streaming-grader-engines-{os.getuid()}/engine-port").read_text()
    except OSError:
        recorded = None
    known = [os.environ.get("GRADER_ENGINE_CONNECT_PORT"), os.environ.get("GRADER_ENGINE_PORT"), recorded]
    return int(next((port for port in known if port), 15002))


def own_session_on(port: int) -> None:
    spark = SparkSession.builder.remote(f"sc://127.0.0.1:{port}/;session_id={uuid.uuid4()}").create()
    spark.range(1).collect()


def kafka() -> None:
    socket.create_connection(("127.0.0.1", int(os.environ.get("GRADER_KAFKA_PORT", 9092))), timeout=5).close()


def other_jvm_ports() -> None:
    """Connect to every port the machine listens on but the engine's (the JVM's RPC among them)."""
    listening = {int(line.split()[1].split(":")[1], 16)
                 for table in ("/proc/net/tcp", "/proc/net/tcp6")  # a JVM listens on both
                 for line in Path(table).read_text().splitlines()[1:] if line.split()[3] == "0A"}
    reached = []
    for port in sorted(listening - {engine_port()}):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
            reached.append(port)
        except OSError:
            continue
    if reached or not listening:
        return
    raise PermissionError(f"none of {len(listening) - 1} ports")


def load_paths() -> dict:
    """Where a grader's or an engine's Python or JVM would load code from, as one who has read the
    bundle finds them: the checkout holding the venv, the scratch root, pyspark's own folders."""
    import pyspark

    project = Path(sys.prefix).parent
    scratch = Path(os.environ.get("GRADER_SCRATCH", "/tmp"))
    runtime = Path(os.environ.get("GRADER_RUNTIME", "/tmp"))
    engine_files = scratch / "engine"
    return {
        "engine state": project / ".cache" / "engine",
        "engine launcher": project / ".cache" / "engine" / "bin",
        "engine runtime": runtime / str(engine_port()),
        "admitted sessions": runtime / str(engine_port()) / "sessions",
        "engine's own files": engine_files,
        "Spark's userFiles": next(engine_files.glob("spark-*/userFiles-*"), engine_files / "userFiles"),
        "pyspark's lib": Path(pyspark.__file__).parent / "python" / "lib",
        "site-packages": Path(pyspark.__file__).parent.parent,
        "grader": project / "grader",
        "declarations": project / "fixtures" / "declarations",
        "user site": Path.home() / ".local" / "lib",
        "current folder": Path.cwd(),
    }


def escape_engine() -> None:
    """What code running in the engine's Python workers tries."""
    attempts = {}
    for what, folder in load_paths().items():
        def plant(folder=folder):
            folder.mkdir(parents=True, exist_ok=True)
            (folder / PLANTED).write_text("PLANTED = True\n")
        attempt(attempts, f"plant in {what}", plant)
    state = Path(sys.prefix).parent / ".cache" / "engine"

    def forge_gc_log():
        with open(state / f"gc-{engine_port()}.log", "a") as log:
            log.write("[1.000s] GC(9) Pause Full (System.gc()) 2000M->2000M(2048M) 9.000ms\n")
    attempt(attempts, "forge the GC log", forge_gc_log)
    attempt(attempts, "read the engine log", lambda: (state / f"engine-{engine_port()}.log").read_text())

    jvm = next(entry for entry in Path("/proc").iterdir()
               if entry.name.isdigit() and b"SparkConnectServer" in (entry / "cmdline").read_bytes())
    attempt(attempts, "write into the JVM's memory", lambda: open(jvm / "mem", "r+b").close())
    attempt(attempts, "write on the JVM's output", lambda: open(jvm / "fd" / "1", "w").close())
    attempt(attempts, "open a session of its own", lambda: own_session_on(engine_port()))
    attempt(attempts, "write to Kafka", kafka)
    attempt(attempts, "reach the JVM's other ports", other_jvm_ports)
    subprocess.Popen(LEFT_BEHIND, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    report(attempts)


def read_lines(spark, folder):
    # From the student's own process: sessions, uploaded code, JVM code by name, JDBC into Derby,
    # objects that outlive the session.
    attempts = {}
    attempt(attempts, "open a session of its own", lambda: own_session_on(engine_port()))
    attempt(attempts, "write to Kafka", kafka)
    attempt(attempts, "clone its session", lambda: spark.cloneSession().range(1).collect())
    source = Path(os.environ.get("TMPDIR", ".")) / "helper_module.py"
    source.write_text("X = 1\n")
    attempt(attempts, "upload code", lambda: spark.addArtifacts(str(source), pyfile=True))
    attempt(attempts, "add a jar", lambda: spark.sql(f"ADD JAR '{source}'").collect())
    attempt(attempts, "create a function from a class",
            lambda: spark.sql("CREATE TEMPORARY FUNCTION f AS 'java.lang.Object'").collect())
    attempt(attempts, "call a Java method by name",
            lambda: spark.range(1).select(F.expr("reflect('java.lang.System', 'getProperty', 'user.home')")).collect())
    attempt(attempts, "run SQL in Derby", lambda: spark.read.format("jdbc")
            .option("url", "jdbc:derby:memory:escape;create=true").option("query", "VALUES 1").load().collect())
    # Leave something in what every session shares, for the next student to find.
    attempt(attempts, "leave a global view", lambda: spark.range(1).createOrReplaceGlobalTempView("left"))
    attempt(attempts, "leave a table", lambda: spark.range(1).write.saveAsTable("left"))
    attempt(attempts, "leave a database", lambda: spark.sql("CREATE DATABASE left_behind").collect())
    report(attempts)


@F.udf("string")
def escaping(word):
    escape_engine()
    return word


def streaming_word_count(lines):
    return lines.select(escaping("value").alias("word")).groupBy("word").count()


def start_update_query(lines, query_name, checkpoint):
    def escape_in_batch(batch, batch_id):
        escape_engine()

    return (lines.writeStream.foreachBatch(escape_in_batch).queryName(query_name)
            .option("checkpointLocation", checkpoint).start())
