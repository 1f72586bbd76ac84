"""Stored expected outcomes: what the reference solution and each known mistake produce.

`grade record` runs them through every task's scenario and writes
`fixtures/expected/exercise-NN.json`; grading reads it, so students' runs never execute the
reference code, and a task's digest tells when the record is stale. Outcomes on hidden scenarios
go to `fixtures/hidden/expected/exercise-NN.json`, keyed `task@scenario`, which students never get.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from grader import paths
from grader.outcome import Outcome
from grader.spec import Exercise, Task, load_scenario


@dataclass(frozen=True)
class Expectation:
    """`seconds`: how long the reference's run took when recorded (None if not recorded), from
    which a task's time budget is set (`grader.time_limits.budget_for`)."""

    digest: str
    reference: Outcome
    mistakes: dict[str, Outcome] = field(default_factory=dict)
    seconds: float | None = None


class StaleExpectation(Exception):
    """The stored outcomes do not match the task's current declaration or fixtures."""


def task_digest(task: Task, scenario: str | None = None) -> str:
    """Changes whenever what the task is run on (its public scenario, or `scenario`), or how, changes."""
    payload = [load_scenario(scenario or task.scenario).digest(), repr(task.params), repr(task.output)]
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()[:16]


def is_hidden(task: Task, scenario: str | None) -> bool:
    return scenario is not None and scenario != task.scenario


def entry_key(task: Task, scenario: str | None = None) -> str:
    """How a task's outcomes on `scenario` are filed: by task name, `task@scenario` if hidden."""
    return f"{task.name}@{scenario}" if is_hidden(task, scenario) else task.name


def store_path(exercise: Exercise, folder: Path | None = None, hidden: bool = False) -> Path:
    """The public store (in `folder`, if given), or the hidden one."""
    return (paths.HIDDEN_EXPECTED if hidden else folder or paths.EXPECTED) / f"{exercise.id}.json"


def load_expectations(exercise: Exercise, folder: Path | None = None, hidden: bool = False) -> dict[str, Expectation]:
    path = store_path(exercise, folder, hidden)
    data = json.loads(path.read_text()) if path.exists() else {}
    return {
        name: Expectation(
            entry["digest"],
            Outcome.from_dict(entry["reference"]),
            {k: Outcome.from_dict(v) for k, v in entry["mistakes"].items()},
            entry.get("seconds"),
        )
        for name, entry in data.items()
    }


def expectation_for(exercise: Exercise, task: Task, folder: Path | None = None,
                    scenario: str | None = None) -> Expectation:
    """The stored outcomes of `task` on its public scenario, or on hidden `scenario`."""
    hidden = is_hidden(task, scenario)
    try:
        found = load_expectations(exercise, folder, hidden).get(entry_key(task, scenario))
        current = task_digest(task, scenario)
    except FileNotFoundError:  # a hidden scenario outside the instructors' copy
        found = current = None
    if found is None or found.digest != current:
        where = "fixtures/hidden" if hidden else "fixtures/expected"
        raise StaleExpectation(
            f"The expected results of {exercise.id} / {entry_key(task, scenario)} are missing or out of "
            f"date: run `grade record {exercise.id}` (needs the solutions) and commit {where}."
        )
    return found


def save_expectations(exercise: Exercise, found: dict[str, Expectation], folder: Path | None = None,
                      hidden: bool = False) -> Path:
    path = store_path(exercise, folder, hidden)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        name: {
            "digest": e.digest,
            "seconds": e.seconds,
            "reference": _stored(e.reference),
            "mistakes": {k: _stored(v) for k, v in sorted(e.mistakes.items())},
        }
        for name, e in found.items()
    }
    path.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n")
    return path


def _stored(outcome: Outcome) -> dict:
    """An outcome without what varies run to run (time, prints, tracebacks), and without
    watermarks where the query has none, so outcomes without event time are stored as before."""
    data = asdict(outcome)
    data.pop("seconds")
    data.pop("printed")
    if not any(data["watermarks"]):
        data.pop("watermarks")
    if data["failure"]:
        data["failure"]["detail"] = data["failure"]["detail"][:500]
    return data
