"""`grade verify`: prove the checks tell right from wrong, for CI on the solutions branch.

Every stub and notebook must be what the declaration generates, and every stub must fail as not
implemented; fresh runs of the reference solution must match the stored expectations exactly,
on the public scenario and on each hidden one (so grading is deterministic and the stores are in
sync); every known mistake must fail its task with its own
message; a task no wrong answer fails is reported, since nothing shows its check can fail, and
so is a task without a hidden scenario, since the bundle ships its public expected rows: an answer
that serves them (or is tuned to them) would earn its points in instructor grading too.

With mutants (the default), every parameter mutant of each task's reference (see
`grader.authoring.mutants`) is graded on the task's public scenario, once: one that earns full
marks is reported, naming the parameter, unless the task declares the change an accepted
equivalent. The public data is what must tell them apart, so that a student whose answer is off
by one parameter sees why in their own feedback, before any hidden scenario is run.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grader import outcome as kinds
from grader import paths
from grader.authoring.instructor_errors import runnable_problems
from grader.authoring.mutants import Mutant, mutants
from grader.authoring.notebooks import stale_notebooks
from grader.authoring.stubs import stale_stubs
from grader.authoring.record import mistake_file, reference_and_mistake_runs, run_all, run_id
from grader.grading.submission import submission_file
from grader.judge import judge
from grader.judge.compare import same_tables
from grader.judge.expected import StaleExpectation, entry_key, expectation_for
from grader.outcome import Outcome
from grader.supervision.supervisor import Run
from grader.spec import Collect, Exercise, Task, load_scenario
from grader.time_limits import budget_for
from grader.engine import Engine


@dataclass
class MutantCounts:
    generated: int = 0
    caught: int = 0
    equivalent: int = 0
    surviving: int = 0

    def __str__(self) -> str:
        return (f"{self.generated} mutants: {self.caught} caught, {self.equivalent} accepted as "
                f"equivalent, {self.surviving} surviving")


@dataclass
class Verification:
    """Every problem found, as sentences (none: the exercise's checks hold), and how its mutants fared."""

    problems: list[str] = field(default_factory=list)
    mutants: MutantCounts = field(default_factory=MutantCounts)


def verify(exercise: Exercise, solutions: Path | None = None, engine: Engine | None = None,
           expected_dir: Path | None = None, wrong_answers: Path | None = None,
           with_mutants: bool = True) -> Verification:
    stale = stale_stubs(exercises=[exercise]) + stale_notebooks(exercises=[exercise])
    result = Verification(declaration_problems(exercise, wrong_answers)
                          + [f"{exercise.id}: {paths.shown(p)} is not what its declaration generates: run `grade generate`."
                             for p in stale])
    if result.problems:
        return result
    solution = submission_file(exercise, solutions or paths.SOLUTIONS).path
    with tempfile.TemporaryDirectory(prefix="mutants-") as folder:
        checked = _mutant_runs(exercise, solution, Path(folder)) if with_mutants else {}
        runs = reference_and_mistake_runs(exercise, solutions or paths.SOLUTIONS, wrong_answers, stubs=paths.EXERCISES)
        outcomes = run_all(runs + list(checked), engine)
    for task in exercise.tasks:
        try:
            expected = {s: expectation_for(exercise, task, expected_dir, s) for s in task.scenarios}
        except StaleExpectation as error:
            result.problems.append(str(error))
            continue
        result.problems += _task_problems(exercise, task, outcomes, expected)
        task_mutants = {run.id: mutant for run, mutant in checked.items() if run.task == task.name}
        _judge_mutants(exercise, task, task_mutants, outcomes, expected[task.scenario], result)
    return result


def declaration_problems(exercise: Exercise, wrong_answers: Path | None = None) -> list[str]:
    """What is missing from the exercise's declaration, or keeps it from running, found before anything runs."""
    problems = runnable_problems(exercise)
    for task in exercise.tasks:
        if not task.mistakes:
            problems.append(f"{exercise.id} / {task.name}: no known wrong answer, so nothing shows its check can fail.")
        if not task.hidden_scenarios:
            problems.append(
                f"{exercise.id} / {task.name}: no hidden scenario, so an answer that serves the public expected "
                "rows the student bundle ships, or is tuned to them, earns its points in instructor grading too. "
                "Write one in fixtures/hidden/streams/ (other rows, more edge cases), name it in the task's "
                f"`hidden_scenarios`, and run `grade record {exercise.id}`."
            )
        for mistake in task.mistakes:
            if not mistake_file(exercise, mistake.id, wrong_answers).is_file():
                problems.append(f"{exercise.id} / {task.name}: wrong answer {mistake.id} has no file "
                                f"{mistake_file(exercise, mistake.id, wrong_answers)}.")
    return problems


def _mutant_runs(exercise: Exercise, solution: Path, folder: Path) -> dict[Run, Mutant]:
    """One run per mutant of each task's function, on the task's public scenario."""
    source = solution.read_text()
    runs = {}
    for task in exercise.tasks:
        for index, mutant in enumerate(mutants(source, task.name)):
            path = folder / f"{task.name}-{index}.py"
            path.write_text(mutant.source)
            runs[Run(run_id(task, variant=f"mutant-{index}"), exercise.number, task.name, path, budget_for(None))] = mutant
    return runs


def _task_problems(exercise: Exercise, task: Task, outcomes: dict[str, Outcome], expected: dict) -> list[str]:
    problems = []
    where = f"{exercise.id} / {task.name}"
    stub = outcomes[run_id(task, variant="stub")].failure
    if stub is None or stub.kind != kinds.NOT_IMPLEMENTED:
        problems.append(f"{where}: the stub does not fail as not implemented: {stub.message if stub else 'it passes'}")
    ordered = isinstance(task.output, Collect) and task.output.ordered
    for name in task.scenarios:
        scenario, stored = load_scenario(name), expected[name]
        reference = outcomes[run_id(task, name)]
        on = f"{exercise.id} / {entry_key(task, name)}"
        verdict = judge(task, scenario, reference, stored)
        if ours := grader_fault(reference):
            problems.append(f"{on}: the reference solution {ours}")
        elif not verdict.passed:
            problems.append(f"{on}: the reference solution fails its own check: {verdict.summary}")
        if reference.failure is None and not same_tables(stored.reference.snapshots, reference.snapshots, ordered):
            problems.append(f"{on}: a fresh run of the reference differs from the stored one (not deterministic?).")
    scenario, stored = load_scenario(task.scenario), expected[task.scenario]
    for mistake in task.mistakes:
        outcome = outcomes[run_id(task, variant=mistake.id)]
        verdict = judge(task, scenario, outcome, stored)
        if ours := grader_fault(outcome):
            problems.append(f"{where}: wrong answer {mistake.id} {ours}")
        elif verdict.passed:
            problems.append(f"{where}: wrong answer {mistake.id} passes the check.")
        elif verdict.mistake != mistake.id:
            named = f"as {verdict.mistake}" if verdict.mistake else "without naming it"
            problems.append(f"{where}: wrong answer {mistake.id} fails, but {named}: {verdict.summary}")
    return problems


def grader_fault(outcome: Outcome) -> str | None:
    """How a run failed for a cause of the grader's own (then it proves nothing either way), or None."""
    failure = outcome.failure
    if failure is None or failure.kind not in kinds.GRADER_FAULTS:
        return None
    return f"could not be run, for a cause of the grader's own: {failure.message} {failure.detail}".rstrip()


def _judge_mutants(exercise: Exercise, task: Task, task_mutants: dict[str, Mutant], outcomes: dict[str, Outcome],
                   expected, result: Verification) -> None:
    """Count the task's mutants; report each that earns full marks and is no declared equivalent."""
    scenario = load_scenario(task.scenario)
    survived = set()
    for id_, mutant in task_mutants.items():
        result.mutants.generated += 1
        if ours := grader_fault(outcomes[id_]):
            result.problems.append(f"{exercise.id} / {task.name}: the mutant with {mutant.description} {ours}")
        elif not judge(task, scenario, outcomes[id_], expected).passed:
            result.mutants.caught += 1
        elif mutant.change in task.equivalents:
            result.mutants.equivalent += 1
            survived.add(mutant.change)
        else:
            result.mutants.surviving += 1
            result.problems.append(
                f"{exercise.id} / {task.name}: the mutant with {mutant.description} of the reference earns "
                f"full marks: scenario {task.scenario} cannot tell it from the asked answer. Add rows to "
                f"fixtures/streams/{task.scenario}.toml that tell them apart, or, if it is as right, "
                "declare the change in the task's `equivalents`."
            )
    if task_mutants:
        for change in sorted(set(task.equivalents) - survived):
            result.problems.append(f"{exercise.id} / {task.name}: `equivalents` declares {change!r}, which is no "
                                   "mutant earning full marks: remove it, or correct its text.")
