"""`grade record`: run the reference solution and every known mistake through each task, on its
public scenario and on each hidden one, and how long the reference took on each."""

from __future__ import annotations

from pathlib import Path

from grader import paths
from grader.engine.lease import engine_lease
from grader.engine.server import engine_for
from grader.authoring.instructor_errors import runnable_problems, solution_failed
from grader.authoring.stubs import stub_path
from grader.grading import default_lanes
from grader.grading.submission import submission_file
from grader.judge.expected import Expectation, entry_key, is_hidden, save_expectations, task_digest
from grader.outcome import Outcome
from grader.supervision.supervisor import ParallelPools, Run
from grader.spec import Exercise, Task
from grader.engine import Engine
from grader.time_limits import budget_for


def mistake_file(exercise: Exercise, mistake_id: str, wrong_answers: Path | None = None) -> Path:
    return (wrong_answers or paths.WRONG_ANSWERS) / f"exercise_{exercise.number:02d}" / f"{mistake_id}.py"


def run_id(task: Task, scenario: str | None = None, variant: str = "") -> str:
    """`task`, `task!variant` (a mistake, the stub, a mutant), and `@scenario` after either for a
    hidden scenario."""
    name = f"{task.name}!{variant}" if variant else task.name
    return f"{name}@{scenario}" if is_hidden(task, scenario) else name


def reference_and_mistake_runs(exercise: Exercise, solutions: Path, wrong_answers: Path | None = None,
                                stubs: Path | None = None) -> list[Run]:
    """Runs for the solution of every task and for every known mistake, on each of the task's
    scenarios (ids from `run_id`), and with `stubs` for its stub on the public one."""
    runs = []
    for task in exercise.tasks:
        if stubs is not None:
            runs.append(Run(run_id(task, variant="stub"), exercise.number, task.name,
                            stub_path(exercise, stubs), budget_for(None)))
        for scenario in task.scenarios:
            runs.append(Run(run_id(task, scenario), exercise.number, task.name,
                            submission_file(exercise, solutions).path, budget_for(None), scenario))
            runs += [
                Run(run_id(task, scenario, m.id), exercise.number, task.name,
                    mistake_file(exercise, m.id, wrong_answers), budget_for(None), scenario)
                for m in task.mistakes
            ]
    return runs


def run_all(runs: list[Run], engine: Engine | None = None) -> dict[str, Outcome]:
    """Every run's outcome, under a lease: the warm engine is not stopped for idleness or a
    fuller heap while an instructor's runs use it."""
    engine = engine or engine_for()
    with engine_lease(engine), ParallelPools(runs, engine, lanes=default_lanes(engine)) as pools:
        return pools.all_outcomes()


class RecordingError(Exception):
    pass


def record(exercise: Exercise, solutions: Path | None = None, engine: Engine | None = None,
           expected_dir: Path | None = None) -> list[Path]:
    """Write the exercise's expected outcomes, public and hidden; refuse if a task cannot run as
    declared, or if the reference solution fails a task on any scenario."""
    problems = runnable_problems(exercise)
    if problems:
        raise RecordingError("\n".join(problems))
    solution = submission_file(exercise, solutions or paths.SOLUTIONS).path
    outcomes = run_all(reference_and_mistake_runs(exercise, solutions or paths.SOLUTIONS), engine)
    public, hidden = {}, {}
    for task in exercise.tasks:
        for scenario in task.scenarios:
            reference = outcomes[run_id(task, scenario)]
            if reference.failure is not None:
                raise RecordingError(solution_failed(exercise, task, scenario, reference.failure, solution))
            mistakes = {m.id: outcomes[run_id(task, scenario, m.id)] for m in task.mistakes}
            found = hidden if is_hidden(task, scenario) else public
            found[entry_key(task, scenario)] = Expectation(task_digest(task, scenario), reference, mistakes,
                                                          round(reference.seconds, 1))
    written = [save_expectations(exercise, public, expected_dir)]
    if hidden:
        written.append(save_expectations(exercise, hidden, hidden=True))
    return written
