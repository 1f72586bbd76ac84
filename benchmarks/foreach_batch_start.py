"""How soon a foreachBatch function is first called on a Spark Connect server: each call runs in
a fresh Python worker of the server, so this is mostly that worker's start.

    python benchmarks/foreach_batch_start.py sc://127.0.0.1:15002 SCRATCH_FOLDER [ROUNDS]

Prints, per round, the seconds from the query's start to the function's first call, and where
the worker imported pyspark from. SCRATCH_FOLDER must be writable by the server's workers.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from grader.engine.session import admitted_spark


def first_call_delays(url: str, scratch: Path, rounds: int) -> list[dict]:
    with admitted_spark(url) as spark:
        return [first_call_delay(spark, scratch) for _ in range(rounds)]


def first_call_delay(spark, scratch: Path) -> dict:
    """Seconds from a foreachBatch query's start to its function's first call, and where the
    worker imported pyspark from."""
    folder = Path(tempfile.mkdtemp(dir=scratch))
    mark = folder / "called"

    def record(batch, batch_id, mark=str(mark)):
        import pyspark

        with open(mark + ".partial", "w") as out:
            json.dump({"at": time.time(), "pyspark": pyspark.__file__}, out)
        Path(mark + ".partial").replace(mark)

    started = time.time()
    query = (spark.readStream.format("rate").option("rowsPerSecond", 1).load()
             .writeStream.foreachBatch(record).option("checkpointLocation", str(folder / "checkpoint"))
             .start())
    while not mark.exists():
        time.sleep(0.05)
    query.stop()
    called = json.loads(mark.read_text())
    return {"seconds": called["at"] - started, "pyspark": called["pyspark"]}


if __name__ == "__main__":
    for delay in first_call_delays(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 3):
        print(json.dumps(delay))
