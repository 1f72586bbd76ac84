"""The pytest plugin that turns the task checks into a grade."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.judge import Verdict
from grader.judge.expected import Expectation, StaleExpectation, entry_key, expectation_for, is_hidden
from grader import outcome as kinds
from grader.outcome import Outcome
from grader.report.model import NOT_RUN, GradeResult, TaskResult
from grader.supervision.supervisor import KILL_GRACE, STARTUP_ALLOWANCE, ParallelPools, Run
from grader.spec import Exercise, Scenario, Task, load_scenario
from grader.engine import Engine
from grader.time_limits import budget_for, ceiling_for


@dataclass(frozen=True)
class ScenarioCheck:
    """One scenario a task is graded on: the run that takes it, what it must produce, and
    whether its rows are hidden from the student."""

    run_id: str
    scenario: Scenario
    expectation: Expectation
    hidden: bool


def _scenario_checks(exercise: Exercise, task: Task, folder: Path | None, hidden: bool):
    """The task's checks, public scenario first (and with `hidden` the hidden ones), or the
    staleness error to report."""
    checks = []
    for name in task.scenarios if hidden else (task.scenario,):
        try:
            expectation = expectation_for(exercise, task, folder, name)  # first: it reports a missing file
        except StaleExpectation as error:
            return error
        checks.append(ScenarioCheck(f"{exercise.id}::{entry_key(task, name)}", load_scenario(name),
                                    expectation, is_hidden(task, name)))
    return checks


VERDICT = pytest.StashKey[tuple[Verdict, Outcome, str]]()  # and the picture's SVG, or ""
# Gradescope's per-test visibility; when students see a batch's results is the instructor's
# choice of the top-level visibility (`grade batch --visibility`).
TASK_VISIBILITY = "visible"
# How many skipped notebook statements a note lists before saying how many more there are.
SKIPPED_SHOWN = 6


class GradingPlugin:
    """Grades `submissions[exercise]` for each exercise; `result` holds the grade afterwards.
    With `hidden` (instructor grading), each task runs on its hidden scenarios too; with
    `pictures`, each event-time task's stream is drawn."""

    def __init__(self, submissions: dict[Exercise, Path], engine: Engine, label: str, workdir: Path | None = None,
                 expected_dir: Path | None = None, timeout: float | None = None, lanes: int = 1,
                 hidden: bool = False, pictures: bool = False):
        self.submissions = submissions
        self.pictures = pictures
        self.timeout = timeout
        self.lanes = lanes
        self.engine = engine
        self.label = label
        self.workdir = workdir
        self.expected_dir = expected_dir
        self.tasks: list[TaskResult] = []
        self.notes: list[str] = []
        # Read before any student code runs, so nothing it writes can change what it is judged by.
        self.references = {
            (exercise.id, task.name): _scenario_checks(exercise, task, expected_dir, hidden)
            for exercise in submissions
            for task in exercise.tasks
        }
        self.started = time.monotonic()

    @property
    def result(self) -> GradeResult:
        return GradeResult(self.label, list(self.tasks), time.monotonic() - self.started, list(self.notes))

    def budget(self, check: ScenarioCheck | None) -> float:
        """The machine seconds a run may go without progress: the one given, or from the
        reference's recorded time."""
        return self.timeout or budget_for(check.expectation.seconds if check else None)

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "task_ref" not in metafunc.fixturenames:
            return
        params = [
            pytest.param(
                (exercise, task),
                id=f"{exercise.id}::{task.name}",
                marks=pytest.mark.timeout(self._longest(exercise, task) + STARTUP_ALLOWANCE + 30),
            )
            for exercise in self.submissions
            for task in exercise.tasks
        ]
        metafunc.parametrize("task_ref", params)

    def _longest(self, exercise: Exercise, task: Task) -> float:
        """How long the task's runs may last together, each to its ceiling."""
        checks = self.references[(exercise.id, task.name)]
        checks = [None] if isinstance(checks, StaleExpectation) else checks
        return sum(ceiling_for(self.budget(check)) + KILL_GRACE for check in checks)

    @pytest.fixture(scope="session")
    def worker_pool(self):
        runs = [
            Run(check.run_id, exercise.number, task.name, submission, self.budget(check), check.scenario.name)
            for exercise, submission in self.submissions.items()
            for task in exercise.tasks
            if not isinstance(checks := self.references[(exercise.id, task.name)], StaleExpectation)
            for check in checks
        ]
        with ParallelPools(runs, self.engine, self.workdir, self.lanes) as pool:
            yield pool

    @pytest.fixture
    def reference(self, task_ref) -> list[ScenarioCheck]:
        exercise, task = task_ref
        found = self.references[(exercise.id, task.name)]
        if isinstance(found, StaleExpectation):
            raise found
        return found

    @pytest.fixture
    def draw_pictures(self) -> bool:
        return self.pictures

    @pytest.fixture
    def record_verdict(self, request):
        def record(verdict: Verdict, outcome: Outcome, picture: str = "") -> None:
            request.node.stash[VERDICT] = (verdict, outcome, picture)

        return record

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        if report.when == "call" or (report.when == "setup" and report.failed):
            self.tasks.append(self._task_result(item, report))
        return report

    def _note_skipped(self, exercise: Exercise, outcome: Outcome) -> None:
        """The notebook cells left out, said once per file (however many of its exercises or
        tasks are graded) and kept short."""
        if not outcome.skipped:
            return
        shown = "\n".join(f"  {line}" for line in outcome.skipped[:SKIPPED_SHOWN])
        more = len(outcome.skipped) - SKIPPED_SHOWN
        if more > 0:
            shown += f"\n  … and {more} more"
        note = (f"{self.submissions[exercise].name}: not run when graded (only imports and definitions "
                f"are):\n{shown}")
        if note not in self.notes:
            self.notes.append(note)

    def _said_once(self, exercise: Exercise, why: str) -> str:
        """Why the exercise's file could not be imported goes into the notes once; each task
        points there instead of repeating it."""
        note = f"{exercise.id}: {why}"
        if note not in self.notes:
            self.notes.append(note)
        return f"{NOT_RUN}the file could not be imported; see the note on {exercise.id} below the tasks."

    def _failed_foundation(self, exercise: Exercise, task: Task) -> str:
        """A sentence for a failed task whose answer reuses another task's that failed too."""
        failed = [t.task for t in self.tasks
                  if t.exercise == exercise.id and t.task in task.builds_on and not t.passed]
        if not failed:
            return ""
        names = " and ".join(f"`{name}`" for name in failed)
        return (f"\nThis task builds on {names}, which failed too: fix {'that' if len(failed) == 1 else 'those'} "
                "first, then grade again; this one may pass with it.")

    def _task_result(self, item: pytest.Item, report: pytest.TestReport) -> TaskResult:
        exercise, task = item.callspec.params["task_ref"]
        points, visibility = task.points, TASK_VISIBILITY
        recorded = item.stash.get(VERDICT, None)
        if recorded is not None:
            verdict, outcome, picture = recorded
            self._note_skipped(exercise, outcome)
            feedback = verdict.feedback
            if outcome.failure is not None and outcome.failure.kind == kinds.LOAD:
                feedback = self._said_once(exercise, verdict.summary)
            elif not verdict.passed:
                feedback += self._failed_foundation(exercise, task)
            return TaskResult(
                exercise.id, task.name, task.title, points if verdict.passed else 0, points,
                feedback, task.concept, verdict.mistake, outcome.seconds, visibility,
                outcome.failure.kind if outcome.failure else None, picture,
            )
        # No verdict: the check itself failed (a time limit, stale expected results).
        message = getattr(report.longrepr, "reprcrash", None)
        text = message.message if message is not None else str(report.longrepr)
        return TaskResult(exercise.id, task.name, task.title, 0, points,
                          f"This task could not be graded: {text}", task.concept, None, report.duration,
                          visibility, kinds.NOT_GRADED)
