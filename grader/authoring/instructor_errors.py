"""What is wrong with an exercise's own parts, told to the instructor as file, line and what to
change: a stream its task reads that its scenario lacks, a fixture that does not load, a
reference solution that fails. `grade record` and `grade verify` say these before anything else."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from grader import catalog, paths
from grader.outcome import Failure
from grader.spec import Exercise, FolderOf, KafkaStreamOf, StaticOf, StreamOf, Task, TopicOf, load_scenario
from grader.spec.fixture_check import FixtureError

STREAM_INPUTS = (StreamOf, StaticOf, FolderOf, TopicOf, KafkaStreamOf)
# Spark's name for what it could not resolve, in an analysis error.
UNRESOLVED = re.compile(r"name `([^`]+)` cannot be resolved")


def runnable_problems(exercise: Exercise) -> list[str]:
    """Why the exercise's tasks cannot run as declared: each scenario must load, and hold every
    stream the task's inputs name."""
    problems, declaration = [], catalog.declaration_file(exercise)
    for task in exercise.tasks:
        for name in task.scenarios:
            try:
                scenario = load_scenario(name)
            except (FixtureError, FileNotFoundError) as error:
                problems.append(f"{exercise.id} / {task.name}: {error}")
                continue
            for kind in task.params.values():
                if isinstance(kind, STREAM_INPUTS) and kind.stream not in scenario.streams:
                    line = _line_naming(declaration, kind.stream)
                    problems.append(
                        f"{paths.shown(declaration)}, line {line}: task {task.name} reads stream {kind.stream!r}, "
                        f"which scenario {name} does not have (its streams: {', '.join(scenario.streams)}). "
                        "Correct the name in the declaration, or the [streams.NAME] table of the scenario.")
    return problems


def solution_failed(exercise: Exercise, task: Task, scenario: str, failure: Failure, solution: Path) -> str:
    """The sentence for a reference solution that fails its own task: where in the solution, what
    Spark or Python said, and what to do."""
    said = _first_sentence(failure.message)
    line = _solution_line(solution, task, failure)
    batch = f", batch {failure.batch + 1}" if failure.batch is not None else ""
    return (f"{paths.shown(solution)}, line {line}: the reference solution of {exercise.id} / {task.name} fails on "
            f"scenario {scenario}{batch}: {said} Correct the solution (or the columns of the stream it reads), "
            f"then run `grade record {exercise.id}` again; `grade {exercise.id} --submission {paths.shown(solution)}` "
            "shows the whole feedback.")


def _first_sentence(message: str) -> str:
    text = message.strip().splitlines()[0] if message.strip() else "it failed without a message"
    text = re.sub(r"\s*SQLSTATE: \w+;?\s*$", "", text).strip()
    return text if text.endswith(".") else text + "."


def _solution_line(solution: Path, task: Task, failure: Failure) -> int | str:
    """Where the solution went wrong: its frame in the traceback, else the line naming what Spark
    could not resolve, else the task's `def`."""
    frames = re.findall(rf'File "[^"]*{re.escape(solution.name)}", line (\d+)', failure.detail)
    if frames:
        return int(frames[-1])
    unresolved = UNRESOLVED.search(failure.message)
    if unresolved:
        line = _line_naming(solution, unresolved.group(1))
        if line != "?":
            return line
    try:
        tree = ast.parse(solution.read_text())
    except (OSError, SyntaxError):
        return "?"
    return next((node.lineno for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == task.name), "?")


def _line_naming(path: Path, name: str) -> int | str:
    """The first line of `path` holding `name` in quotes."""
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return "?"
    quoted = (f'"{name}"', f"'{name}'")
    return next((number for number, text in enumerate(lines, 1) if any(q in text for q in quoted)), "?")
