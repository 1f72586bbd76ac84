"""Every exercise's declaration, by number. `grade exercise-N` looks them up here."""

from __future__ import annotations

import importlib
import pkgutil

from grader.spec import Exercise


def _discover() -> dict[int, Exercise]:
    found = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        exercise = getattr(module, "EXERCISE", None)
        if isinstance(exercise, Exercise):
            found[exercise.number] = exercise
    return dict(sorted(found.items()))


EXERCISES: dict[int, Exercise] = _discover()


class UnknownExercise(LookupError):
    pass


def exercise(ref: int | str) -> Exercise:
    """Look up `3`, `"3"` or `"exercise-3"`."""
    text = str(ref).removeprefix("exercise-").removeprefix("exercise_")
    try:
        return EXERCISES[int(text)]
    except (ValueError, KeyError):
        known = ", ".join(e.id for e in EXERCISES.values())
        raise UnknownExercise(f"There is no exercise {ref!r}. The exercises are: {known}.") from None
