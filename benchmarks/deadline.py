"""Deadline night: N students grade correct answers at once on one machine and one warm engine.

    .venv/bin/python benchmarks/deadline.py [--sizes 5,10,20,30]

Each student is a separate `grade exercise-K --json --submission solutions` process, K taken in
turn from a mix of exercises (1-6, 8, 9), all started together. For each N it prints how many got
full marks, how many were not graded (the grader's failure, with the reasons), how many lost
points (which must never happen to a correct answer), and each one's wall time.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from grader.outcome import GRADER_FAULTS

ROOT = Path(__file__).resolve().parent.parent
MIX = ["exercise-1", "exercise-2", "exercise-3", "exercise-4", "exercise-5", "exercise-6", "exercise-8", "exercise-9"]
POLL = 0.2


@dataclasses.dataclass(frozen=True)
class Night:
    """What N students at once got."""

    students: int
    full: int
    not_graded: int
    lost: int
    seconds: list[float]
    reasons: Counter

    def line(self) -> str:
        reasons = ", ".join(f"{kind} {count}" for kind, count in self.reasons.most_common())
        return (f"{self.students:>4}  {self.full:>4}  {self.not_graded:>10}  {self.lost:>4}  "
                f"{statistics.median(self.seconds):>8.0f}  {max(self.seconds):>8.0f}  {reasons}")


HEADER = "   N  full  not graded  lost  median s  slowest s  failures"


def verdict(result: dict | None) -> tuple[str, list[str]]:
    """'full', 'not graded' or 'lost', and the failure kinds of the tasks without full marks."""
    if result is None:
        return "not graded", ["no result"]
    short = [t for t in result["tests"] if t["score"] < t["max_score"]]
    kinds = [t.get("failure") or "wrong answer" for t in short]
    if not short:
        return "full", []
    return ("not graded" if all(kind in GRADER_FAULTS for kind in kinds) else "lost"), kinds


def night(students: int) -> Night:
    """Start `students` gradings at once and wait for all of them."""
    with tempfile.TemporaryDirectory() as folder:
        started, running = time.monotonic(), []
        for index in range(students):
            output = Path(folder) / f"{index}.json"
            with open(output, "w") as stdout:
                process = subprocess.Popen(
                    [sys.executable, "-m", "grader", MIX[index % len(MIX)], "--json", "--submission", "solutions"],
                    cwd=ROOT, stdout=stdout, stderr=subprocess.DEVNULL)
            running.append((process, output))
        seconds, outcomes, reasons = [], Counter(), Counter()
        while running:
            for process, output in [r for r in running if r[0].poll() is not None]:
                running.remove((process, output))
                seconds.append(time.monotonic() - started)
                try:
                    result = json.loads(output.read_text())
                except json.JSONDecodeError:
                    result = None
                outcome, kinds = verdict(result)
                outcomes[outcome] += 1
                reasons.update(kinds)
            time.sleep(POLL)
    return Night(students, outcomes["full"], outcomes["not graded"], outcomes["lost"], seconds, reasons)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="5,10,20,30", help="how many students at once, in turn")
    args = parser.parse_args()
    subprocess.run([sys.executable, "-m", "grader", "engine", "start"], cwd=ROOT, check=True, capture_output=True)
    print(HEADER, flush=True)
    for size in (int(s) for s in args.sizes.split(",")):
        print(night(size).line(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
