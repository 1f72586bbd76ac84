"""Benchmarks for the grader, measured side by side in one run, printed as ratios.

    .venv/bin/python benchmarks/run.py [--repeat 3] [--exercise 2] [--lane-exercises 5,7]
                                       [--class-sizes 10,20,40] [--naive-size 10]
                                       [--skip micro workers grade lanes batch]

1. A stateful micro-batch with our settings (2 shuffle partitions) against Spark's default 200.
2. The start of a foreachBatch Python worker (CPU seconds to import its module) with the engine's
   SPARK_HOME against pyspark's own, whose pyspark.zip holds no compiled files.
   (`benchmarks/foreach_batch_start.py` times a foreachBatch call end to end on a running engine.)
3. `grade exercise-N` on the reference solution, cold (a fresh Spark in the worker) and warm (the
   engine already running), against a bare pyspark script running the same code (the floor).
4. Warm `grade` of several exercises with two lanes (tasks graded two at once) against one.
5. `grade batch` of synthetic classes against the naive way: a fresh Python and Spark process per
   submission (measured at --naive-size submissions; its time grows linearly, so larger classes
   are scaled from the per-submission median).
Runs alternate between the things compared, so a noisy machine hurts both alike; medians are shown.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def timed(command: list[str], **kwargs) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - started


def micro_batches(repeat: int) -> list[tuple[str, float, float]]:
    """Median seconds per stateful micro-batch (word count, batches after the first)."""
    script = r"""
import os, sys, statistics, tempfile, time
from pyspark.sql import SparkSession, functions as F
from grader.engine.settings import LOCAL_ONLY_CONF
b = SparkSession.builder
for k, v in LOCAL_ONLY_CONF.items(): b = b.config(k, v)
spark = b.getOrCreate()
results = {}
for round_ in range(int(sys.argv[1])):
    for partitions in ("2", "200"):
        spark.conf.set("spark.sql.shuffle.partitions", partitions)
        d = tempfile.mkdtemp(); src = os.path.join(d, "in"); os.makedirs(src)
        lines = spark.readStream.option("maxFilesPerTrigger", 1).text(src)
        counts = lines.select(F.explode(F.split(F.lower("value"), r"\s+")).alias("word")).groupBy("word").count()
        q = counts.writeStream.format("memory").queryName(f"q{round_}_{partitions}").outputMode("complete") \
            .option("checkpointLocation", os.path.join(d, "ck")).start()
        for i in range(6):
            open(os.path.join(d, f".f{i}"), "w").write(f"spark is fast {i}\nkafka feeds spark\n")
            os.replace(os.path.join(d, f".f{i}"), os.path.join(src, f"f{i}.txt"))
            t = time.perf_counter(); q.processAllAvailable()
            if i: results.setdefault(partitions, []).append(time.perf_counter() - t)
        q.stop()
print(statistics.median(results["2"]), statistics.median(results["200"]))
"""
    out = subprocess.run([PYTHON, "-c", script, str(repeat)], cwd=ROOT, capture_output=True, text=True, check=True)
    ours, default = map(float, out.stdout.split()[-2:])
    return [("stateful micro-batch, 2 vs 200 shuffle partitions (s)", ours, default)]


FOREACH_BATCH_WORKER = "pyspark.sql.connect.streaming.worker.foreach_batch_worker"


def worker_start_cpu(spark_home: Path) -> float:
    """CPU seconds a fresh foreachBatch worker spends importing its module, on the Python path
    Spark gives its workers under `spark_home` (its pyspark.zip, if any, then py4j)."""
    lib = spark_home / "python" / "lib"
    python_path = [str(lib / "pyspark.zip"), *map(str, sorted(lib.glob("py4j-*.zip")))]
    env = {**os.environ, "SPARK_HOME": str(spark_home), "PYTHONPATH": os.pathsep.join(python_path)}
    before = os.times()
    subprocess.run([PYTHON, "-c", f"import {FOREACH_BATCH_WORKER}"], env=env, check=True)
    after = os.times()
    return after.children_user - before.children_user + after.children_system - before.children_system


def workers(repeat: int) -> list[tuple[str, float, float]]:
    from grader.engine.spark_home import fast_worker_spark_home, installed_spark_home

    ours_home = fast_worker_spark_home(Path(tempfile.mkdtemp(prefix="bench-spark-home-")))
    ours, theirs = [], []
    for _ in range(repeat):
        ours.append(worker_start_cpu(ours_home))
        theirs.append(worker_start_cpu(installed_spark_home()))
    return [("foreachBatch worker start, engine's SPARK_HOME vs pyspark's (CPU s)",
             statistics.median(ours), statistics.median(theirs))]


def grading(exercise: str, repeat: int) -> list[tuple[str, float, float]]:
    grade = [PYTHON, "-m", "grader", f"exercise-{exercise}", "--submission", "solutions", "--json"]
    bare = [PYTHON, "benchmarks/bare_exercise.py", exercise]
    subprocess.run([PYTHON, "-m", "grader", "engine", "start"], cwd=ROOT, check=True, capture_output=True)
    floor, cold, warm = [], [], []
    for _ in range(repeat):
        floor.append(timed(bare))
        cold.append(timed(grade + ["--engine", "local"]))
        warm.append(timed(grade))
    median_floor = statistics.median(floor)
    return [
        (f"grade exercise-{exercise}, cold vs bare script (s)", statistics.median(cold), median_floor),
        (f"grade exercise-{exercise}, warm vs bare script (s)", statistics.median(warm), median_floor),
    ]


def lanes(exercises: list[str], repeat: int) -> list[tuple[str, float, float]]:
    grade = [PYTHON, "-m", "grader", *[f"exercise-{e}" for e in exercises], "--submission", "solutions", "--json"]
    subprocess.run([PYTHON, "-m", "grader", "engine", "start"], cwd=ROOT, check=True, capture_output=True)
    one, two = [], []
    for _ in range(repeat):
        one.append(timed(grade + ["--parallel", "1"]))
        two.append(timed(grade + ["--parallel", "2"]))
    named = ", ".join(f"exercise-{e}" for e in exercises)
    return [(f"grade {named}, warm, 2 lanes vs 1 (s)", statistics.median(two), statistics.median(one))]


def synthetic_class(folder: Path, size: int, exercise_module: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    for index in range(size):
        student = folder / f"student{index:03d}"
        student.mkdir(parents=True)
        shutil.copy(ROOT / "solutions" / f"{exercise_module}.py", student)


def batches(exercise: str, sizes: list[int], naive_size: int) -> list[tuple[str, float, float]]:
    from grader import catalog

    module = catalog.exercise(exercise).module_name
    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    naive = [timed([PYTHON, "benchmarks/bare_exercise.py", exercise]) for _ in range(naive_size)]
    per_submission = statistics.median(naive)
    rows = []
    for size in sizes:
        synthetic_class(work / f"class{size}", size, module)
        took = timed([PYTHON, "-m", "grader", "batch", str(work / f"class{size}"), "--out",
                      str(work / f"out{size}"), "--exercises", f"exercise-{exercise}"])
        rows.append((f"grade batch of {size} vs naive (s)", took, per_submission * size))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--exercise", default="2")
    parser.add_argument("--class-sizes", default="10,20,40")
    parser.add_argument("--naive-size", type=int, default=5)
    parser.add_argument("--lane-exercises", default="5,7", help="exercises graded for the lanes measure")
    parser.add_argument("--skip", nargs="*", default=[], choices=["micro", "workers", "grade", "lanes", "batch"])
    args = parser.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", PYTHON)
    rows = []
    if "micro" not in args.skip:
        rows += micro_batches(args.repeat)
    if "workers" not in args.skip:
        rows += workers(args.repeat)
    if "grade" not in args.skip:
        rows += grading(args.exercise, args.repeat)
    if "lanes" not in args.skip:
        rows += lanes(args.lane_exercises.split(","), args.repeat)
    if "batch" not in args.skip:
        rows += batches(args.exercise, [int(s) for s in args.class_sizes.split(",")], args.naive_size)
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)}  {'ours':>8}  {'other':>8}  {'ratio':>6}")
    for name, ours, other in rows:
        print(f"{name.ljust(width)}  {ours:8.2f}  {other:8.2f}  {ours / other:6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
