"""The floor for `grade exercise-N`: one plain pyspark process that runs the reference solution
of every task of an exercise on the same fixture batches, with no sandbox, checks or judging.

    python benchmarks/bare_exercise.py 2
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from pyspark.sql import SparkSession

from grader import catalog, paths
from grader.engine.settings import LOCAL_ONLY_CONF, TINY_STREAM_CONF
from grader.sandbox.loader import load_submission
from grader.referee.run import run_task
from grader.sandbox.calls import LocalStudent


def main(exercise_ref: str) -> int:
    exercise = catalog.exercise(exercise_ref)
    builder = SparkSession.builder
    for key, value in {**LOCAL_ONLY_CONF, **TINY_STREAM_CONF}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    solution = load_submission(paths.SOLUTIONS / f"{exercise.module_name}.py", "solution")
    workdir = Path(tempfile.mkdtemp(prefix="bare-"))
    for task in exercise.tasks:
        outcome = run_task(spark, task, LocalStudent(spark, solution, task, 600), workdir / task.name, timeout=600)
        assert outcome.failure is None, outcome.failure
    spark.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "2"))
