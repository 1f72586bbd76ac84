"""The result as GitHub Classroom's autograding reads it: the JSON a runner action hands
`classroom-resources/autograding-grading-reporter` (base64-encoded, in the environment variable
`<RUNNER>_RESULTS`), whose task scores the reporter adds up into the "Points X/Y" Classroom
records."""

from __future__ import annotations

import base64
import json

from grader.report.model import GradeResult

# Our task statuses in the reporter's words.
STATUS = {"passed": "pass", "failed": "fail", "error": "error"}


def classroom_result(result: GradeResult) -> dict:
    status = "error" if not result.complete else "pass" if result.full_marks else "fail"
    return {
        "version": 1,
        "status": status,
        "max_score": result.max_score,
        "tests": [
            {"name": t.name, "status": STATUS[t.status], "score": t.score,
             "message": "" if t.passed else t.feedback, "line_no": 0, "duration": round(t.seconds * 1000)}
            for t in result.tasks
        ],
    }


def classroom_line(result: GradeResult) -> str:
    """`classroom_result` as the one base64 line a workflow step puts in its `result` output."""
    return base64.b64encode(json.dumps(classroom_result(result)).encode()).decode()
