"""A neighbour's answers to exercise 2, graded beside a classmate (`grade batch --workers 2`): from
its own process and from a UDF on the engine, it looks for the other engines' scratch areas and
tries to read, write and connect there. Each task reports every attempt in the error it raises:
"refused" is what the grader must make of each, and it names how many neighbours it found."""

import os
import socket
from pathlib import Path

from pyspark.sql import functions as F


def attempt(attempts: dict, what: str, action):
    try:
        action()
    except Exception:  # every refusal, whatever its form
        attempts[what] = "refused"
    else:
        attempts[what] = "done"


def neighbours(own_port: int) -> list[Path]:
    """The other engines' areas (engine-PORT in the scratch root, which cannot be listed from
    here), found by trying every port the machine listens on."""
    scratch = Path(os.environ["GRADER_SCRATCH"])
    listening = {int(line.split()[1].split(":")[1], 16)
                 for table in ("/proc/net/tcp", "/proc/net/tcp6")  # a JVM listens on both
                 for line in Path(table).read_text().splitlines()[1:] if line.split()[3] == "0A"}
    return [scratch / f"engine-{port}" for port in sorted(listening - {own_port})
            if (scratch / f"engine-{port}").exists()]


def reach(attempts: dict, own_port: int, read_through_spark=None) -> None:
    found = neighbours(own_port)
    for area in found:
        port = int(area.name.split("-")[1])
        attempt(attempts, "list a neighbour's gradings", lambda: os.listdir(area / "gradings"))
        attempt(attempts, "write into a neighbour's area", lambda: (area / "gradings" / "visit").write_text("hi"))
        attempt(attempts, "connect to a neighbour's engine",
                lambda: socket.create_connection(("127.0.0.1", port), timeout=5).close())
        if read_through_spark:
            attempt(attempts, "read a neighbour's files through Spark",
                    lambda: read_through_spark(str(area / "gradings" / "*" / "*")))
    raise PermissionError(f"neighbours found: {len(found)}; "
                          + "; ".join(f"{what}: {how}" for what, how in attempts.items()))


def read_lines(spark, folder):
    own_port = int(os.environ["SPARK_REMOTE"].split(":")[2].split("/")[0])
    reach({}, own_port, lambda pattern: spark.read.text(pattern).collect())


@F.udf("string")
def visiting(word):
    reach({}, int(os.environ["GRADER_ENGINE_CONNECT_PORT"]))
    return word


def streaming_word_count(lines):
    return lines.select(visiting("value").alias("word")).groupBy("word").count()
