"""Exercises, tasks and the known mistakes each task's feedback can name."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field, replace

from grader.spec.interface import Input, Output


# `grader.judge.compare` matches columns by name: students should not wonder whether order counts.
COLUMN_ORDER_NOTE = "The order of the columns is not checked; their names and types are."


@dataclass(frozen=True)
class Mistake:
    """A wrong answer students really give, and the sentence that tells them which it was.

    Its implementation lives in `solutions/wrong_answers/exercise_NN/<id>.py`; `grade record` stores
    what it produces on the task's scenario, so the grader recognises it in a submission.
    """

    id: str
    message: str


@dataclass(frozen=True, eq=False)  # identity: tasks are declared once
class Task:
    """One graded function of an exercise.

    `params` maps each parameter of the student's function to what the grader passes in;
    `output` says what it must return; `scenario` names the fixture streams it is run on;
    `doc` is the docstring students read; `concept` is the hint shown when the task fails.
    `hidden_scenarios` name more streams, kept from students, that instructor grading also
    runs (`grade verify` asks for one at least). `equivalents` maps a parameter change of the reference (a mutant's `change`, see
    `grader.authoring.mutants`) that is as right as the asked answer to why it is.
    `builds_on` names the tasks of the same exercise whose answer this one asks students to reuse:
    when one of those fails too, the feedback says to fix it first.
    """

    name: str
    title: str
    points: int
    params: dict[str, Input]
    output: Output
    scenario: str
    doc: str
    concept: str
    mistakes: tuple[Mistake, ...] = ()
    hidden_scenarios: tuple[str, ...] = ()
    equivalents: dict[str, str] = field(default_factory=dict)
    builds_on: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = [m.id for m in self.mistakes]
        if len(names) != len(set(names)):
            raise ValueError(f"task {self.name}: mistake ids repeat: {names}")

    @property
    def scenarios(self) -> tuple[str, ...]:
        """The public scenario first, then the hidden ones."""
        return (self.scenario, *self.hidden_scenarios)

    @property
    def needs_kafka(self) -> bool:
        return self.output.needs_kafka or any(kind.needs_kafka for kind in self.params.values())

    def signature(self) -> str:
        """The stub's `def` line, type hints included."""
        args = ", ".join(f"{name}: {kind.annotation}" for name, kind in self.params.items())
        return f"def {self.name}({args}) -> {self.output.annotation}:"

    def docstring(self) -> str:
        """The task's text as students read it, with what every check leaves out."""
        return f"{inspect.cleandoc(self.doc)}\n\n{COLUMN_ORDER_NOTE}"

    def mistake(self, mistake_id: str) -> Mistake:
        return next(m for m in self.mistakes if m.id == mistake_id)


@dataclass(frozen=True, eq=False)  # identity: exercises are declared once
class Exercise:
    """A module of tasks students fill in, graded as `grade exercise-N`."""

    number: int
    slug: str
    title: str
    intro: str
    tasks: tuple[Task, ...] = field(default_factory=tuple)

    @property
    def id(self) -> str:
        return f"exercise-{self.number}"

    @property
    def module_name(self) -> str:
        return f"exercise_{self.number:02d}_{self.slug}"

    @property
    def needs_kafka(self) -> bool:
        return any(t.needs_kafka for t in self.tasks)

    @property
    def max_score(self) -> int:
        return sum(t.points for t in self.tasks)

    def task(self, name: str) -> Task:
        return next(t for t in self.tasks if t.name == name)

    def narrowed_to(self, name: str) -> Exercise:
        """This exercise with task `name` and the tasks it builds on only (they are graded with
        it, so its feedback can say when one of them is what fails); `KeyError` if there is none."""
        if name not in {t.name for t in self.tasks}:
            known = ", ".join(t.name for t in self.tasks)
            raise KeyError(f"{self.id} has no task {name!r}. Its tasks are: {known}.")
        wanted, pending = set(), [name]
        while pending:
            current = pending.pop()
            wanted.add(current)
            pending += [n for n in self.task(current).builds_on if n not in wanted]
        return replace(self, tasks=tuple(t for t in self.tasks if t.name in wanted))
