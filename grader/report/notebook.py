"""A task check's result as a notebook cell shows it: the terminal report's text as the plain
form, and HTML for Jupyter, both from the same `GradeResult` and the same sentences.

The HTML is the parts in `HTML_PARTS`, each a function of the result, in order: the code graded,
the verdicts, the picture of each event-time task's stream (SVG, as `feedback.html` shows it),
then notes on the whole submission.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from grader.report.feedback_page import stream_pictures
from grader.report.model import GradeResult
from grader.report.text import MARKS, NOT_GRADED_ADVICE, points, render

COLOURS = {"passed": "#1a7f37", "failed": "#cf222e", "error": "#9a6700"}


def graded_code(result: GradeResult) -> str:
    """Which code was graded."""
    return "".join(f"<p><i>{escape(said)}</i></p>" for said in result.files.values())


def verdicts(result: GradeResult) -> str:
    """Each task's mark and points; for a failed task, its feedback: what was fed, batch by batch,
    the rows expected against the rows produced, and the concept."""
    parts = []
    for task in result.tasks:
        word = MARKS[task.status][0]
        parts.append(f'<p><b style="color:{COLOURS[task.status]}">{word}</b> {points(task)} '
                     f"<code>{escape(task.task)}</code> — {escape(task.title)}</p>")
        if not task.passed:
            parts.append(f"<pre>{escape(task.feedback)}</pre>")
    if not result.complete:
        parts.append(f"<p>{escape(NOT_GRADED_ADVICE)}</p>")
    return "".join(parts)


def notes(result: GradeResult) -> str:
    """What concerns the whole submission: cells left out, a file that could not be imported."""
    return "".join(f"<pre>{escape(note)}</pre>" for note in result.notes)


HTML_PARTS = (graded_code, verdicts, stream_pictures, notes)


@dataclass(frozen=True)
class CheckResult:
    """What a check cell shows: `__repr__` for a terminal or a log, `_repr_html_` for Jupyter."""

    result: GradeResult

    @property
    def passed(self) -> bool:
        return self.result.full_marks

    def __repr__(self) -> str:
        return render(self.result).strip()

    def _repr_html_(self) -> str:
        return "<div>" + "".join(part(self.result) for part in HTML_PARTS) + "</div>"
