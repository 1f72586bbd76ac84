"""Every exercise's declaration, by number, read from the course's `fixtures/declarations/`.

Each `exercise_NN_<slug>.py` there assigns `EXERCISE = Exercise(...)` (see `grader.spec`). They are
read once, on first use (`catalog.EXERCISES`, `catalog.exercise(ref)`), so a declaration that
does not load is told as a `DeclarationError` naming its file and line, not as an import failure.
"""

from __future__ import annotations

import difflib
import functools
import importlib.util
import traceback
from pathlib import Path

from grader import paths, spec
from grader.spec import Exercise


class UnknownExercise(LookupError):
    pass


class DeclarationError(Exception):
    """A declaration file that does not give an exercise; the message says where and what to change."""


def declared_in(folder: Path) -> dict[int, tuple[Exercise, Path]]:
    """The exercises declared by the `exercise_*.py` files of `folder`, by number, each with its file."""
    found: dict[int, tuple[Exercise, Path]] = {}
    for path in sorted(folder.glob("exercise_*.py")):
        exercise = load_declaration(path)
        if exercise.number in found:
            raise DeclarationError(f"{paths.shown(path)} and {paths.shown(found[exercise.number][1])} both declare "
                                   f"exercise {exercise.number}: give one of them another `number`.")
        found[exercise.number] = (exercise, path)
    return dict(sorted(found.items()))


@functools.cache
def _course() -> dict[int, tuple[Exercise, Path]]:
    return declared_in(paths.DECLARATIONS)


def _course_exercises() -> dict[int, Exercise]:
    return {number: exercise for number, (exercise, _) in _course().items()}


def declaration_file(exercise: Exercise) -> Path:
    """The file that declares `exercise`."""
    declared = _course().get(exercise.number)
    return declared[1] if declared else paths.DECLARATIONS / f"{exercise.module_name}.py"


def __getattr__(name: str):
    # `catalog.EXERCISES` reads the declarations when first asked for, not when grader is imported.
    if name == "EXERCISES":
        return _course_exercises()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def exercise(ref: int | str) -> Exercise:
    """Look up `3`, `"3"` or `"exercise-3"`."""
    exercises = _course_exercises()
    text = str(ref).removeprefix("exercise-").removeprefix("exercise_")
    try:
        return exercises[int(text)]
    except (ValueError, KeyError):
        known = ", ".join(e.id for e in exercises.values()) or f"none (no declaration in {paths.DECLARATIONS})"
        raise UnknownExercise(f"There is no exercise {ref!r}. The exercises are: {known}.") from None


def load_declaration(path: Path) -> Exercise:
    """The exercise the file at `path` declares; `DeclarationError` when it declares none."""
    spec = importlib.util.spec_from_file_location(f"course_declarations.{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        code = f" (`{error.text.strip()}`)" if error.text and error.text.strip() else ""
        raise DeclarationError(f"{paths.shown(path)}, line {error.lineno}: {error.msg}{code}. Correct the Python "
                               "there and run the command again.") from None
    except Exception as error:
        raise DeclarationError(f"{paths.shown(path)}, line {_line_in(path, error)}: {_said(error)}") from None
    exercise = getattr(module, "EXERCISE", None)
    if not isinstance(exercise, Exercise):
        raise DeclarationError(f"{paths.shown(path)} assigns no `EXERCISE = Exercise(...)`: every file named "
                               "exercise_*.py in fixtures/declarations/ declares one exercise.")
    return exercise


def _line_in(path: Path, error: Exception) -> int | str:
    """The line of `path` the error came from (the last frame in that file)."""
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__) if Path(frame.filename) == path]
    return lines[-1] if lines else "?"


def _said(error: Exception) -> str:
    """What went wrong, and what usually fixes it."""
    if isinstance(error, NameError) and error.name:
        close = difflib.get_close_matches(error.name, spec.__all__, n=1)
        if close:
            return f"{error} (did you mean {close[0]}?). Correct its spelling, and import it from grader.spec."
        return f"{error}. Define it, or import it from grader.spec if it is one of its kinds."
    if isinstance(error, TypeError) and "argument" in str(error):
        return (f"{error}. See the fields of Exercise, Task and the input and output kinds in "
                "grader/spec/ (model.py, interface.py).")
    return f"{type(error).__name__}: {error}."
