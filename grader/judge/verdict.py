"""A task's verdict: passed or not, and feedback that says what to fix."""

from __future__ import annotations

import json
from dataclasses import dataclass

from grader.judge.compare import first_difference, same_tables
from grader.judge.expected import Expectation
from grader.judge.explain import explain, fingerprint
from grader.judge.timeline import shown_watermark
from grader import outcome as kinds
from grader.outcome import Outcome
from grader.spec import Collect, Scenario, Task
from grader.spec.steps import Check, Feed

FED_LINES_SHOWN = 6
PRINTED_LINES = 15
PRINTED_WIDTH = 160


@dataclass(frozen=True)
class Verdict:
    passed: bool
    summary: str             # one sentence: what went wrong ("" when passed)
    details: str = ""        # the story: what was fed, expected rows against rows got
    mistake: str | None = None  # the id of a known mistake the submission made
    hint: str = ""           # the concept to revisit

    @property
    def feedback(self) -> str:
        if self.passed:
            return "Passed."
        parts = [self.summary, self.details]
        if self.hint:
            parts.append(f"Concept: {self.hint}")
        return "\n".join(p for p in parts if p)


def judge(task: Task, scenario: Scenario, got: Outcome, expected: Expectation) -> Verdict:
    """Compare `got` with the reference outcome and name any known mistake it repeats."""
    ordered = isinstance(task.output, Collect) and task.output.ordered
    mistake = _known_mistake(got, expected, ordered)
    if got.failure is not None:
        summary = explain(got.failure)
        if mistake:
            summary = f"{task.mistake(mistake).message}\n({summary})"
        details = "\n".join(part for part in (_student_lines(got), _printed(got)) if part)
        not_theirs = got.failure.kind in kinds.GRADER_FAULTS  # no concept to revisit
        return Verdict(False, summary, details, mistake, "" if not_theirs else task.concept)
    reference = expected.reference.snapshots
    found = first_difference(reference, got.snapshots, ordered)
    if found is not None:
        index, difference = found
        story = _story(task, scenario, index, expected.reference.watermarks, got.watermarks)
        summary = task.mistake(mistake).message if mistake else difference.sentence
        details = "\n".join(
            part for part in (story, difference.sentence if mistake or not difference.rows else "",
                              difference.rows, _printed(got)) if part
        )
        return Verdict(False, summary, details, mistake, task.concept)
    if len(reference) != len(got.snapshots):
        return Verdict(False, "The query produced results for a different number of batches.",
                       hint=task.concept)
    return Verdict(True, "")


def on_hidden_data(verdict: Verdict) -> Verdict:
    """A verdict on a hidden scenario, told without its rows: the student sees that the answer
    fails data they have not seen, the summary sentence and the known mistake, never the story,
    the rows or what their code printed (it may print the hidden rows)."""
    if verdict.passed:
        return verdict
    summary = ("Your answer is right on the public data but not on a hidden scenario (other data, "
               f"more edge cases), so this task earns no points. {verdict.summary}")
    return Verdict(False, summary, "", verdict.mistake, verdict.hint)


def _known_mistake(got: Outcome, expected: Expectation, ordered: bool) -> str | None:
    for mistake_id, wrong in expected.mistakes.items():
        if got.failure is not None and wrong.failure is not None:
            if fingerprint(got.failure) == fingerprint(wrong.failure):
                return mistake_id
        elif got.failure is None and wrong.failure is None:
            if same_tables(wrong.snapshots, got.snapshots, ordered):
                return mistake_id
    return None


def _story(task: Task, scenario: Scenario, index: int, watermarks: list, your_watermarks: list) -> str:
    """The steps of the run up to check `index`, where the answer went wrong: what arrived in
    each batch, when the student's function was called (see `grader.spec.steps`), and where the
    asked query's watermark stood after each batch, beside the student's."""
    steps = task.output.steps(scenario.batch_count)
    checks = [position for position, step in enumerate(steps) if isinstance(step, Check)]
    lines = []
    for position, step in enumerate(steps[:checks[index] + 1]):
        if isinstance(step, Check):
            if watermarks:
                lines.append(f"  {_watermarks_said(watermarks, your_watermarks, checks.index(position))}")
        elif isinstance(step, Feed):
            for stream, fed in scenario.fed_at(step.batch).items():
                shown = ", ".join(_fed_line(line) for line in fed[:FED_LINES_SHOWN])
                more = f" … (+{len(fed) - FED_LINES_SHOWN})" if len(fed) > FED_LINES_SHOWN else ""
                lines.append(f"  batch {step.batch + 1} → {stream}: {shown}{more}")
        elif step.narration:
            lines.append(f"  {step.narration}")
    header = [f"What the grader did ({scenario.name}), step by step:"] if any("batch" in line for line in lines) else []
    return "\n".join([*header, *lines, f"{steps[checks[index]].moment}, the sink differs from the reference:"]
                     if header else [f"{steps[checks[index]].moment}:"])


def _watermarks_said(watermarks: list, your_watermarks: list, check: int) -> str:
    asked = shown_watermark(watermarks[check])
    if not your_watermarks:
        yours = "your query has none"
    else:
        yours = "yours too" if your_watermarks[check] == watermarks[check] else \
            f"yours: {shown_watermark(your_watermarks[check])}"
    return f"watermark now {asked} ({yours})"


def _fed_line(line: str) -> str:
    """A fed line as the student thinks of it: a JSON row as a tuple of its values."""
    try:
        row = json.loads(line)
    except ValueError:
        return repr(line)
    if not isinstance(row, dict):
        return repr(line)
    return "(" + ", ".join(str(v) for v in row.values()) + ")"


def _student_lines(got: Outcome) -> str:
    """Where in the student's file an exception came from (the worker keeps only those frames)."""
    if got.failure.kind != kinds.EXCEPTION or not got.failure.detail.startswith("  line "):
        return ""
    return "Where it happened in your file:\n" + got.failure.detail


def _printed(got: Outcome) -> str:
    if not got.printed.strip():
        return ""
    lines = [line if len(line) <= PRINTED_WIDTH else line[:PRINTED_WIDTH] + " …" for line in got.printed.splitlines()]
    more = f"\n  | … ({len(lines) - PRINTED_LINES} more lines)" if len(lines) > PRINTED_LINES else ""
    return "Your code printed:\n" + "\n".join(f"  | {line}" for line in lines[:PRINTED_LINES]) + more
