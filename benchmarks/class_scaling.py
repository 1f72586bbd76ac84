"""How a class's grading time grows, and what the standalone cluster costs per student.

    .venv/bin/python benchmarks/class_scaling.py [--exercise 2] [--class-sizes 10,20,40]
                                                 [--workers 1,2,4] [--cluster-size 10]
                                                 [--skip sizes workers cluster]

1. `grade batch` of synthetic classes (the reference solution per student) of each size, on the
   warm local engine, with two workers: total seconds and seconds per student.
2. The smallest class with each `--workers`.
3. The same class on the warm local engine against the standalone cluster (`grade cluster`,
   started and stopped here unless it already ran) through `--remote`.
The load average is printed before and after: on a shared machine it says how far to trust them.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import tempfile
from pathlib import Path

from run import PYTHON, ROOT, synthetic_class, timed


def batch_seconds(classes: Path, size: int, module: str, exercise: str, *extra: str) -> float:
    folder = classes / f"class{size}"
    if not folder.is_dir():
        synthetic_class(folder, size, module)
    out = Path(tempfile.mkdtemp(prefix="results-", dir=classes))
    seconds = timed([PYTHON, "-m", "grader", "batch", str(folder), "--out", str(out),
                     "--exercises", f"exercise-{exercise}", *extra])
    # A time only counts when every student was graded, and right: a failing engine is fast.
    rows = list(csv.DictReader((out / "gradebook.csv").open()))
    if len(rows) != size or any(row["total"] != row["max_total"] for row in rows):
        raise SystemExit(f"the batch in {out} did not give all {size} students full marks")
    return seconds


def grade_verb(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "grader", *argv], cwd=ROOT, capture_output=True, text=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exercise", default="2")
    parser.add_argument("--class-sizes", default="10,20,40")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--cluster-size", type=int, default=10)
    parser.add_argument("--skip", nargs="*", default=[], choices=["sizes", "workers", "cluster"])
    args = parser.parse_args()
    from grader import catalog
    from grader.cluster.standalone import StandaloneCluster

    module = catalog.exercise(args.exercise).module_name
    classes = Path(tempfile.mkdtemp(prefix="bench-classes-"))
    sizes = [int(s) for s in args.class_sizes.split(",")]
    rows: list[tuple[str, int, float]] = []
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    grade_verb("engine", "start")
    if "sizes" not in args.skip:
        for size in sizes:
            rows.append((f"class of {size}, local engine, --workers 2", size,
                         batch_seconds(classes, size, module, args.exercise, "--workers", "2")))
    if "workers" not in args.skip:
        for workers in args.workers.split(","):
            rows.append((f"class of {sizes[0]}, local engine, --workers {workers}", sizes[0],
                         batch_seconds(classes, sizes[0], module, args.exercise, "--workers", workers)))
    if "cluster" not in args.skip:
        cluster = StandaloneCluster.from_env()
        started = grade_verb("cluster", "start")
        if started.returncode:
            raise SystemExit(started.stderr)
        try:
            size = args.cluster_size
            rows.append((f"class of {size}, local engine, --workers 2", size,
                         batch_seconds(classes, size, module, args.exercise, "--workers", "2")))
            rows.append((f"class of {size}, standalone cluster, --workers 2", size,
                         batch_seconds(classes, size, module, args.exercise, "--workers", "2",
                                       "--remote", cluster.url)))
        finally:
            if "started" in started.stdout:
                grade_verb("cluster", "stop")
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    width = max(len(r[0]) for r in rows)
    print(f"{'batch of exercise-' + args.exercise:{width}}  {'total s':>8}  {'s/student':>9}")
    for name, size, seconds in rows:
        print(f"{name:{width}}  {seconds:8.1f}  {seconds / size:9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
