"""Try a task on its fixture stream from a notebook or a shell, without grading it.

    from grader.tryout import try_task
    try_task("exercise-2", streaming_word_count)

Runs the function like the grader does, in the active Spark session (local or remote), and
prints what the sink holds after each fixture batch (or the error a student would be graded on).
"""

from __future__ import annotations

import tempfile
import types
from pathlib import Path

from grader import catalog
from grader.judge.explain import explain


def try_task(exercise: str, function, spark=None, timeout: float = 120.0) -> None:
    from pyspark.sql import SparkSession

    from grader.engine.settings import TINY_STREAM_CONF
    from grader.supervision.confinement import scratch_root
    from grader.referee.run import run_task
    from grader.sandbox.calls import LocalStudent

    task = catalog.exercise(exercise).task(function.__name__)
    spark = spark or SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
    for key, value in TINY_STREAM_CONF.items():
        spark.conf.set(key, value)
    module = types.SimpleNamespace(**{task.name: function}, __file__="")
    # Under the scratch root: the only place the warm engine may write, should this session be on it.
    workdir = Path(tempfile.mkdtemp(prefix="tryout-", dir=scratch_root()))
    outcome = run_task(spark, task, LocalStudent(spark, module, task, timeout), workdir, timeout)
    if outcome.failure is not None:
        print(explain(outcome.failure))
        return
    for index, snapshot in enumerate(outcome.snapshots, start=1):
        header = ", ".join(f"{name} {kind}" for name, kind in snapshot.columns)
        print(f"after batch {index}: {len(snapshot.rows)} row(s) [{header}]")
        for row in snapshot.rows[:20]:
            print("   ", tuple(row))
