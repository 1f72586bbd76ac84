"""The terminal report a student reads after `grade exercise-N`."""

from __future__ import annotations

import textwrap

from grader.report.model import GradeResult, TaskResult

# Each task status as the report writes it, and its terminal colour.
MARKS = {"passed": ("PASS", "32"), "failed": ("FAIL", "31"), "error": ("NOT GRADED", "33")}
NOT_GRADED_ADVICE = ("Some tasks were not graded because the grader failed, not your code: grade again; "
                     "if it persists, tell your instructor.")


def render(result: GradeResult, color: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if color else text

    lines = []
    current = None
    for task in result.tasks:
        if task.exercise != current:
            current = task.exercise
            lines.append(paint(f"\n{task.exercise}", "1"))
            if task.exercise in result.files:
                lines.append(textwrap.fill(result.files[task.exercise], width=100, initial_indent="  ",
                                           subsequent_indent="    "))
        lines.append(f"  {paint(*MARKS[task.status])} {points(task):>5}  {task.task} — {task.title}")
        if not task.passed:
            lines.append(textwrap.indent(task.feedback, "         "))
    for note in result.notes:
        lines.append("\n" + "\n".join(textwrap.fill(line, width=100, subsequent_indent="  ")
                                       for line in note.splitlines()))
    total = f"{_num(result.score)}/{_num(result.max_score)}"
    lines.append(paint(f"\nTotal: {total} points", "1") + f"  ({result.execution_time:.1f} s)")
    if not result.complete:
        lines.append(paint(NOT_GRADED_ADVICE, "33"))
    return "\n".join(lines)


def points(task: TaskResult) -> str:
    return f"{_num(task.score)}/{_num(task.max_score)}"


def _num(value: float) -> str:
    return f"{value:g}"
