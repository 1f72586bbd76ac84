"""The terminal report a student reads after `grade exercise-N`."""

from __future__ import annotations

import textwrap

from grader.report.model import GradeResult


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
        mark = {"passed": paint("PASS", "32"), "failed": paint("FAIL", "31"),
                "error": paint("NOT GRADED", "33")}[task.status]
        points = f"{_num(task.score)}/{_num(task.max_score)}"
        lines.append(f"  {mark} {points:>5}  {task.task} — {task.title}")
        if not task.passed:
            lines.append(textwrap.indent(task.feedback, "         "))
    for note in result.notes:
        lines.append("\n" + "\n".join(textwrap.fill(line, width=100, subsequent_indent="  ")
                                       for line in note.splitlines()))
    total = f"{_num(result.score)}/{_num(result.max_score)}"
    lines.append(paint(f"\nTotal: {total} points", "1") + f"  ({result.execution_time:.1f} s)")
    if not result.complete:
        lines.append(paint("Some tasks were not graded because the grader failed, not your code: "
                           "grade again; if it persists, tell your instructor.", "33"))
    return "\n".join(lines)


def _num(value: float) -> str:
    return f"{value:g}"
