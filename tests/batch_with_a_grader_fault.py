"""`grade batch` on real Spark, except that the students named in $GRADER_FAULT_STUDENTS (comma
separated) are "graded" by a process that ends without a result, as a grading process the grader
lost would: the batch's own path for a grader fault, reached on purpose.

    python tests/batch_with_a_grader_fault.py batch SUBMISSIONS --out RESULTS ...
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LOST = "import sys; print('the grading process lost its engine', file=sys.stderr); sys.exit(3)"


def main(argv: list[str]) -> int:
    from grader import cli
    from grader.batch import runner

    faulty = set(filter(None, os.environ.get("GRADER_FAULT_STUDENTS", "").split(",")))
    real = runner.grading_command
    runner.grading_command = lambda submission, exercises, engine_args: (
        [sys.executable, "-c", LOST] if submission.student in faulty
        else real(submission, exercises, engine_args))
    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
