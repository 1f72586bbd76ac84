"""Benchmarks for the grader, measured side by side in one run, printed beside their targets.

    .venv/bin/python benchmarks/run.py [--repeat 3] [--exercise 2] [--baseline REF]
                                       [--class-sizes 10,20,40] [--naive-size 5] [--isolation-size 10]
                                       [--deadline-sizes 5,10,20,30]
                                       [--skip micro workers grade all lanes isolation batch deadline]

1. micro: a stateful micro-batch (word count) on the warm engine with our settings, against the
   same query with Spark's default 200 shuffle partitions, interleaved in one run; the first
   batch of a fresh query (planning, state store set-up) is shown apart from the later ones.
2. workers: a foreachBatch Python worker's start: CPU seconds to import its module as the engines
   start their workers (isolated, the installed compiled pyspark) against pyspark's own
   uncompiled pyspark.zip, and the seconds from a query's start to the function's first call on
   the warm engine.
3. grade: `grade exercise-N` on the reference solution, cold (a fresh Spark in the worker) and
   warm, against a bare pyspark script running the same code (the floor, a cold start itself);
   and the same runs alone in one process attached to the warm engine: Spark's own part of a warm
   grading, which no work on the grader can go below.
4. all: warm `grade all --submission solutions`, against the grader at `--baseline REF` (a git
   commit, branch or tag of this repository, on an engine of its own), alternating.
5. lanes: warm grading of several exercises with two lanes (tasks graded two at once) against one.
6. isolation: `grade batch` of a class (--isolation-size) with two workers, per student, against
   the grader at `--baseline REF`, alternating: what keeping students apart costs.
7. batch: `grade batch` of synthetic classes against the naive way, a fresh Python and Spark
   process per submission (timed at --naive-size submissions and scaled: it grows linearly).
8. deadline: N students grading correct answers at once on the warm engine, for each N of
   --deadline-sizes (`benchmarks/deadline.py`): how many got full marks, were not graded or lost
   points (the target: none), and how long the slowest waited.
Runs alternate between the things compared, so a noisy machine hurts both alike; medians are
shown. Each target is the one the project set itself; `met` says whether this run reached it.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
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
BENCHMARKS = Path(__file__).resolve().parent


@dataclasses.dataclass(frozen=True)
class Measure:
    """One line of the table: our figure, what it is compared with, and the target it answers to.
    A target is an upper bound on the ratio ours/other or, with `absolute`, on ours in seconds."""

    name: str
    ours: float
    other: float | None = None
    target: float | None = None
    absolute: bool = False
    unit: str = "s"  # of an absolute target

    @property
    def ratio(self) -> float | None:
        return self.ours / self.other if self.other else None

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        value = self.ours if self.absolute else self.ratio
        return value is not None and value <= self.target

    def target_text(self) -> str:
        if self.target is None:
            return ""
        return f"<= {self.target:g} {self.unit}" if self.absolute else f"ratio <= {self.target:g}"


def timed(command: list[str], env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={**os.environ, **(env or {})})
    return time.perf_counter() - started


@functools.cache
def warm_engine() -> str:
    """The warm engine's URL, once it is started and past its first grading (the JVM's warm-up)."""
    subprocess.run([PYTHON, "-m", "grader", "engine", "start"], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(grade_command("exercise-2"), cwd=ROOT, capture_output=True)
    from grader.engine.server import EngineServer

    return EngineServer.from_env().url


def micro_batches(repeat: int) -> list[Measure]:
    """Seconds per stateful micro-batch on the warm engine, ours against 200 shuffle partitions."""
    out = subprocess.run([PYTHON, str(BENCHMARKS / "micro_batch.py"), warm_engine(), str(max(repeat, 2) * 4)],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    first_ours, later_ours, first_default, later_default = map(float, out.stdout.split()[-4:])
    return [
        Measure("stateful micro-batch on the warm engine, 2 vs 200 partitions (s)", later_ours, later_default,
                target=0.2, absolute=True),
        Measure("first micro-batch of a fresh query, 2 vs 200 partitions (s)", first_ours, first_default),
    ]


FOREACH_BATCH_WORKER = "pyspark.sql.connect.streaming.worker.foreach_batch_worker"


def worker_start_cpu(isolated: bool) -> float:
    """CPU seconds a fresh foreachBatch worker spends importing its module: `isolated` as the
    engines start their workers (`python -I`, the installed pyspark), or on the Python path Spark
    gives its workers by default (pyspark's own pyspark.zip, then py4j)."""
    if isolated:
        command, env = [PYTHON, "-I", "-c", f"import {FOREACH_BATCH_WORKER}"], dict(os.environ)
    else:
        from grader.engine.spark_home import installed_spark_home

        home = installed_spark_home()
        lib = home / "python" / "lib"
        python_path = [str(lib / "pyspark.zip"), *map(str, sorted(lib.glob("py4j-*.zip")))]
        command = [PYTHON, "-c", f"import {FOREACH_BATCH_WORKER}"]
        env = {**os.environ, "SPARK_HOME": str(home), "PYTHONPATH": os.pathsep.join(python_path)}
    before = os.times()
    subprocess.run(command, env=env, check=True)
    after = os.times()
    return after.children_user - before.children_user + after.children_system - before.children_system


def workers(repeat: int) -> list[Measure]:
    from grader.confinement import grading_folder
    from grader.engine import Engine

    ours, theirs = [], []
    for _ in range(repeat):
        ours.append(worker_start_cpu(isolated=True))
        theirs.append(worker_start_cpu(isolated=False))
    url = warm_engine()
    out = subprocess.run([PYTHON, str(BENCHMARKS / "foreach_batch_start.py"), url,
                          str(grading_folder(Engine.connect(url).port)), str(repeat)],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    first_calls = [json.loads(line)["seconds"] for line in out.stdout.splitlines() if line.startswith("{")]
    return [
        Measure("foreachBatch worker import, engine's isolated Python vs pyspark.zip (CPU s)",
                statistics.median(ours), statistics.median(theirs)),
        Measure("foreachBatch function's first call after its query starts, warm engine (s)",
                statistics.median(first_calls), target=1.0, absolute=True),
    ]


def grade_command(*targets: str) -> list[str]:
    """`grade` as a student runs it in a terminal (its text report)."""
    return [PYTHON, "-m", "grader", *targets, "--submission", "solutions"]


def spark_part(exercise: str, engine: str) -> float:
    """Seconds the reference's task runs take in one process already attached to the warm engine:
    the part of a warm grading that is Spark's own work."""
    out = subprocess.run([PYTHON, "benchmarks/bare_exercise.py", exercise, engine], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1])


def grading(exercise: str, repeat: int) -> list[Measure]:
    bare = [PYTHON, "benchmarks/bare_exercise.py", exercise]
    grade = grade_command(f"exercise-{exercise}")
    engine = warm_engine()
    floor, cold, warm, spark = [], [], [], []
    for _ in range(repeat):
        floor.append(timed(bare))
        cold.append(timed(grade + ["--engine", "local"]))
        warm.append(timed(grade))
        spark.append(spark_part(exercise, engine))
    median_floor, median_warm = statistics.median(floor), statistics.median(warm)
    return [
        Measure(f"grade exercise-{exercise}, cold vs bare script (s)", statistics.median(cold), median_floor),
        Measure(f"grade exercise-{exercise}, warm vs bare script (s)", median_warm, median_floor, target=0.12),
        Measure(f"grade exercise-{exercise}'s runs alone on the warm engine vs bare script (s)",
                statistics.median(spark), median_floor),
    ]


def baseline_tree(ref: str) -> Path:
    """The grader as it was at `ref`, unpacked beside this one (its own fixtures and solutions)."""
    folder = Path(tempfile.mkdtemp(prefix="bench-baseline-"))
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


BASELINE_ENGINE_PORT = "15098"


def baseline_environment(ref: str) -> dict:
    """The environment that runs `grade` as it was at `ref`, on an engine of its own (engines of
    two graders would not share) with this checkout's fetched Kafka jars."""
    tree = baseline_tree(ref)
    cache = tree / ".cache"
    cache.mkdir()
    for fetched in (ROOT / ".cache").glob("*kafka*"):
        (cache / fetched.name).symlink_to(fetched)
    return {"PYTHONPATH": str(tree), "GRADER_PROJECT": str(tree), "GRADER_CACHE": str(cache),
            "GRADER_ENGINE_PORT": BASELINE_ENGINE_PORT}


def stop_baseline_engine(env: dict) -> None:
    subprocess.run([PYTHON, "-m", "grader", "engine", "stop"], cwd=env["GRADER_PROJECT"],
                   env={**os.environ, **env}, capture_output=True)


def grade_all(baseline: str | None, repeat: int) -> list[Measure]:
    """Warm `grade all` here and, alternating with it, at `baseline` (and the Kafka broker
    exercise 10 needs)."""
    warm_engine()
    subprocess.run([PYTHON, "-m", "grader", "kafka", "start"], cwd=ROOT, capture_output=True)
    ours, theirs = [], []
    baseline_env = baseline_environment(baseline) if baseline else None
    for _ in range(repeat):
        ours.append(timed(grade_command("all")))
        if baseline_env:
            theirs.append(subprocess_time_in(grade_command("all"), baseline_env))
    if baseline_env:
        stop_baseline_engine(baseline_env)
    return [Measure(f"grade all, warm, vs {baseline or 'no baseline'} (s)", statistics.median(ours),
                    statistics.median(theirs) if theirs else None, target=0.5 if theirs else None)]


def subprocess_time_in(command: list[str], env: dict) -> float:
    started = time.perf_counter()
    # Exit status 1 is a lost point: the baseline's own verdict, timed all the same.
    subprocess.run(command, cwd=env["GRADER_PROJECT"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env={**os.environ, **env})
    return time.perf_counter() - started


def isolation(baseline: str | None, exercise: str, size: int, repeat: int) -> list[Measure]:
    """`grade batch` of a class with two workers here (an engine per worker, every channel between
    students closed) against `baseline`, alternating: seconds per student."""
    if not baseline:
        return []
    from grader import catalog

    work = Path(tempfile.mkdtemp(prefix="bench-isolation-"))
    synthetic_class(work / "class", size, catalog.exercise(exercise).module_name)
    baseline_env = baseline_environment(baseline)

    def batch(run: str) -> list[str]:
        return [PYTHON, "-m", "grader", "batch", str(work / "class"), "--out", str(work / run),
                "--exercises", f"exercise-{exercise}", "--workers", "2"]
    ours, theirs = [], []
    for index in range(repeat):
        ours.append(timed(batch(f"ours{index}")) / size)
        theirs.append(subprocess_time_in(batch(f"theirs{index}"), baseline_env) / size)
    stop_baseline_engine(baseline_env)
    return [Measure(f"grade batch of {size}, 2 workers, per student, vs {baseline} (s)",
                    statistics.median(ours), statistics.median(theirs), target=1.3)]


def lanes(exercises: list[str], repeat: int) -> list[Measure]:
    grade = grade_command(*[f"exercise-{e}" for e in exercises])
    warm_engine()
    one, two = [], []
    for _ in range(repeat):
        one.append(timed(grade + ["--parallel", "1"]))
        two.append(timed(grade + ["--parallel", "2"]))
    named = ", ".join(f"exercise-{e}" for e in exercises)
    return [Measure(f"grade {named}, warm, 2 lanes vs 1 (s)", statistics.median(two), statistics.median(one))]


def synthetic_class(folder: Path, size: int, exercise_module: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    for index in range(size):
        student = folder / f"student{index:03d}"
        student.mkdir(parents=True)
        shutil.copy(ROOT / "solutions" / f"{exercise_module}.py", student)


def batches(exercise: str, sizes: list[int], naive_size: int) -> list[Measure]:
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
        rows.append(Measure(f"grade batch of {size} vs naive (s)", took, per_submission * size,
                            target=0.1 if size >= 20 else None))
    return rows


def deadline(sizes: list[int]) -> list[Measure]:
    """Students graded at once, correct answers all: none may lose a point."""
    from deadline import night

    warm_engine()
    rows = []
    for size in sizes:
        found = night(size)
        rows += [Measure(f"deadline {size} at once: full marks", found.full),
                 Measure(f"deadline {size} at once: not graded", found.not_graded),
                 Measure(f"deadline {size} at once: lost points", found.lost, target=0, absolute=True, unit="students"),
                 Measure(f"deadline {size} at once: slowest wait (s)", max(found.seconds))]
    return rows


def print_table(rows: list[Measure]) -> None:
    width = max(len(r.name) for r in rows)
    print(f"{'measure'.ljust(width)}  {'ours':>8}  {'other':>8}  {'ratio':>6}  {'target':>14}  met")
    for row in rows:
        other = f"{row.other:8.2f}" if row.other else " " * 8
        ratio = f"{row.ratio:6.2f}" if row.ratio else " " * 6
        met = {True: "yes", False: "NO", None: ""}[row.met]
        print(f"{row.name.ljust(width)}  {row.ours:8.2f}  {other}  {ratio}  {row.target_text():>14}  {met}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--exercise", default="2")
    parser.add_argument("--baseline", help="a git ref of this repository whose `grade all` and `grade batch` are timed beside ours")
    parser.add_argument("--class-sizes", default="10,20,40")
    parser.add_argument("--naive-size", type=int, default=5)
    parser.add_argument("--lane-exercises", default="5,7", help="exercises graded for the lanes measure")
    parser.add_argument("--isolation-size", type=int, default=10, help="the class graded for the isolation measure")
    parser.add_argument("--deadline-sizes", default="5,10,20,30", help="students graded at once for the deadline measure")
    parser.add_argument("--skip", nargs="*", default=[],
                        choices=["micro", "workers", "grade", "all", "lanes", "isolation", "batch", "deadline"])
    args = parser.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", PYTHON)
    measures = {
        "micro": lambda: micro_batches(args.repeat),
        "workers": lambda: workers(args.repeat),
        "grade": lambda: grading(args.exercise, args.repeat),
        "all": lambda: grade_all(args.baseline, args.repeat),
        "lanes": lambda: lanes(args.lane_exercises.split(","), args.repeat),
        "isolation": lambda: isolation(args.baseline, args.exercise, args.isolation_size, args.repeat),
        "batch": lambda: batches(args.exercise, [int(s) for s in args.class_sizes.split(",")], args.naive_size),
        "deadline": lambda: deadline([int(s) for s in args.deadline_sizes.split(",")]),
    }
    rows = []
    for name, measure in measures.items():
        if name not in args.skip:
            measured = measure()
            for row in measured:  # as it comes: a long run that fails later keeps what it measured
                print(f"[{name}] {row}", file=sys.stderr, flush=True)
            rows += measured
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
