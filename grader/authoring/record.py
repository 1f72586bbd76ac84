"""`grade record`: run the reference solution and every known mistake through each task."""

from __future__ import annotations

from pathlib import Path

from grader import paths
from grader.engine.server import engine_for
from grader.grading import default_lanes, submission_file
from grader.judge.expected import Expectation, save_expectations, task_digest
from grader.outcome import Outcome
from grader.sandbox.supervisor import ParallelPools, Run
from grader.spec import Exercise


def mistake_file(exercise: Exercise, mistake_id: str, wrong_answers: Path | None = None) -> Path:
    return (wrong_answers or paths.WRONG_ANSWERS) / f"exercise_{exercise.number:02d}" / f"{mistake_id}.py"


def reference_and_mistake_runs(exercise: Exercise, solutions: Path, wrong_answers: Path | None = None,
                                stubs: Path | None = None) -> list[Run]:
    """Runs for the solution of every task, then for every known mistake (ids `task` and
    `task!mistake`), and with `stubs` for its stub (`task!stub`)."""
    runs = []
    for task in exercise.tasks:
        if stubs is not None:
            stub = submission_file(exercise, stubs)
            runs.append(Run(f"{task.name}!stub", exercise.number, task.name, stub, task.timeout))
        runs.append(Run(task.name, exercise.number, task.name, submission_file(exercise, solutions), task.timeout))
        runs += [
            Run(f"{task.name}!{m.id}", exercise.number, task.name,
                mistake_file(exercise, m.id, wrong_answers), task.timeout)
            for m in task.mistakes
        ]
    return runs


def run_reference_and_mistakes(exercise: Exercise, solutions: Path, engine: dict | None = None,
                               wrong_answers: Path | None = None, stubs: Path | None = None) -> dict[str, Outcome]:
    runs = reference_and_mistake_runs(exercise, solutions, wrong_answers, stubs)
    engine = engine or engine_for()
    with ParallelPools(runs, engine, lanes=default_lanes(engine)) as pools:
        return pools.all_outcomes()


class RecordingError(Exception):
    pass


def record(exercise: Exercise, solutions: Path | None = None, engine: dict | None = None,
           expected_dir: Path | None = None) -> Path:
    """Write the exercise's expected outcomes; refuse if the reference solution fails a task."""
    outcomes = run_reference_and_mistakes(exercise, solutions or paths.SOLUTIONS, engine)
    found = {}
    for task in exercise.tasks:
        reference = outcomes[task.name]
        if reference.failure is not None:
            raise RecordingError(
                f"The reference solution of {exercise.id} / {task.name} failed: "
                f"{reference.failure.message}\n{reference.failure.detail}"
            )
        mistakes = {m.id: outcomes[f"{task.name}!{m.id}"] for m in task.mistakes}
        found[task.name] = Expectation(task_digest(task), reference, mistakes)
    return save_expectations(exercise, found, expected_dir)
