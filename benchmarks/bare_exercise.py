"""The floor for `grade exercise-N`: one plain pyspark process that runs the reference solution
of every task of an exercise on the same fixture batches, with no sandbox, checks or judging.

    python benchmarks/bare_exercise.py 2                          # on a fresh local Spark (cold)
    python benchmarks/bare_exercise.py 2 sc://127.0.0.1:15002     # on a running engine (warm)

Prints the seconds its task runs took, session start left out: on a warm engine that is the
part of a warm grading that is Spark's own work.
"""

from __future__ import annotations

import sys
import time
from contextlib import ExitStack

from pyspark.sql import SparkSession

from grader import catalog, paths
from grader.engine.settings import LOCAL_ONLY_CONF, TINY_STREAM_CONF
from grader.sandbox.loader import load_submission
from grader.referee.run import run_task
from grader.sandbox.calls import LocalStudent
from grader.confinement import grading_folder
from grader.engine import Engine
from grader.time_limits import TaskClock
from grader.engine.session import admitted_spark


def session(remote: str | None, resources: ExitStack) -> SparkSession:
    if remote:
        spark = resources.enter_context(admitted_spark(remote))
        for key, value in TINY_STREAM_CONF.items():
            spark.conf.set(key, value)
        return spark
    builder = SparkSession.builder
    for key, value in {**LOCAL_ONLY_CONF, **TINY_STREAM_CONF}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def main(exercise_ref: str, remote: str | None = None) -> int:
    exercise = catalog.exercise(exercise_ref)
    resources = ExitStack()
    spark = session(remote, resources)
    solution = load_submission(paths.SOLUTIONS / f"{exercise.module_name}.py", "solution")
    workdir = grading_folder(Engine.connect(remote).port if remote else None)  # where the engine may write
    started = time.perf_counter()
    for task in exercise.tasks:
        # No clock ticks here: nothing is stopped, as in a bare script.
        outcome = run_task(spark, task, LocalStudent(spark, solution, task, 600), workdir / task.name,
                           TaskClock(600, time.process_time))
        assert outcome.failure is None, outcome.failure
    print(f"{time.perf_counter() - started:.3f}")
    spark.stop()
    resources.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:3]))
