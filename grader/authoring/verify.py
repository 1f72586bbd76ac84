"""`grade verify`: prove the checks tell right from wrong, for CI on the solutions branch.

Every stub must fail as not implemented; fresh runs of the reference solution must match the
stored expectations exactly (so grading is deterministic and the store is in sync); every known
mistake must fail its task with its own message; a task no wrong answer fails is reported,
since nothing shows its check can fail.
"""

from __future__ import annotations

from pathlib import Path

from grader import outcome as kinds
from grader import paths
from grader.authoring.record import mistake_file, run_reference_and_mistakes
from grader.judge import judge
from grader.judge.compare import same_tables
from grader.judge.expected import StaleExpectation, expectation_for
from grader.spec import Collect, Exercise, load_scenario


def verify(exercise: Exercise, solutions: Path | None = None, engine: dict | None = None,
           expected_dir: Path | None = None, wrong_answers: Path | None = None) -> list[str]:
    """Every problem found, as sentences; an empty list means the exercise's checks hold."""
    problems = []
    for task in exercise.tasks:
        if not task.mistakes:
            problems.append(f"{exercise.id} / {task.name}: no known wrong answer, so nothing shows its check can fail.")
        for mistake in task.mistakes:
            if not mistake_file(exercise, mistake.id, wrong_answers).is_file():
                problems.append(f"{exercise.id} / {task.name}: wrong answer {mistake.id} has no file "
                                f"{mistake_file(exercise, mistake.id, wrong_answers)}.")
    if problems:
        return problems
    outcomes = run_reference_and_mistakes(exercise, solutions or paths.SOLUTIONS, engine, wrong_answers,
                                          stubs=paths.EXERCISES)
    for task in exercise.tasks:
        where = f"{exercise.id} / {task.name}"
        try:
            expected = expectation_for(exercise, task, expected_dir)
        except StaleExpectation as error:
            problems.append(str(error))
            continue
        scenario = load_scenario(task.scenario)
        stub = outcomes[f"{task.name}!stub"].failure
        if stub is None or stub.kind != kinds.NOT_IMPLEMENTED:
            problems.append(f"{where}: the stub does not fail as not implemented: {stub.message if stub else 'it passes'}")
        reference = outcomes[task.name]
        verdict = judge(task, scenario, reference, expected)
        if not verdict.passed:
            problems.append(f"{where}: the reference solution fails its own check: {verdict.summary}")
        ordered = isinstance(task.output, Collect) and task.output.ordered
        if reference.failure is None and not same_tables(expected.reference.snapshots, reference.snapshots, ordered):
            problems.append(f"{where}: a fresh run of the reference differs from the stored one (not deterministic?).")
        for mistake in task.mistakes:
            verdict = judge(task, scenario, outcomes[f"{task.name}!{mistake.id}"], expected)
            if verdict.passed:
                problems.append(f"{where}: wrong answer {mistake.id} passes the check.")
            elif verdict.mistake != mistake.id:
                named = f"as {verdict.mistake}" if verdict.mistake else "without naming it"
                problems.append(f"{where}: wrong answer {mistake.id} fails, but {named}: {verdict.summary}")
    return problems
