"""`grade batch` with each student graded by a stand-in for `grade` that needs no Spark, so tests
of the batch itself (names, archives, Ctrl-C, kill -9) run in seconds.

    python tests/batch_without_spark.py batch SUBMISSIONS --out RESULTS ...   the real batch
    python tests/batch_without_spark.py grade SUBMISSION                     the stand-in

The stand-in leaves a witness that it started (a file named after the submission, holding its
pid, in $FAKE_GRADE_WITNESS if set), waits $FAKE_GRADE_SECONDS (default 0), then prints the
result of one task as `grade --json` would: full marks, or none for a submission named `*_wrong`.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def grade(submission: Path) -> int:
    from grader.report.model import GradeResult, TaskResult

    witness = os.environ.get("FAKE_GRADE_WITNESS")
    if witness:
        (Path(witness) / submission.name).write_text(str(os.getpid()))
    time.sleep(float(os.environ.get("FAKE_GRADE_SECONDS", "0")))
    score = 0 if submission.stem.endswith("_wrong") else 2
    result = GradeResult(str(submission), [TaskResult("exercise-2", "read_lines", "readStream", score, 2, "Passed." if score else "Wrong.")])
    print(json.dumps(result.to_dict()))
    return 0


def batch(argv: list[str]) -> int:
    from grader import cli
    from grader.batch import runner

    runner.grading_command = lambda submission, exercises, engine_args: [
        sys.executable, __file__, "grade", str(submission.path)]
    return cli.main(["batch", *argv])


if __name__ == "__main__":
    verb, *rest = sys.argv[1:]
    sys.exit(grade(Path(rest[0])) if verb == "grade" else batch(rest))
