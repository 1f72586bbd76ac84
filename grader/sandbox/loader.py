"""Import a submission's source file as a module, turning every way it can fail into a sentence."""

from __future__ import annotations

import traceback
import types
from pathlib import Path

from grader.sandbox.notebooks import NotebookError, notebook_module


class LoadError(Exception):
    """The submission could not be imported; the message is for the student."""


def student_traceback(error: BaseException, filename: str, limit: int = 6) -> str:
    """The frames of `error`'s traceback that are in the student's file, last ones first kept."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == filename]
    lines = [f"  line {f.lineno}, in {f.name}: {f.line}" for f in frames[-limit:]]
    return "\n".join(lines)


def load_submission(path: Path, module_name: str) -> types.ModuleType:
    """Run the file's top-level code in a fresh module named `module_name`; of a notebook, only
    its definitions (`module.__skipped__` lists what was left out)."""
    if not path.is_file():
        raise LoadError(f"There is no file {path.name} in the submission: the grader finds each exercise "
                        "by its file's name, so save your work under that name.")
    module = types.ModuleType(module_name)
    module.__file__ = str(path)
    module.__skipped__ = []
    source = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix != ".ipynb":
        _run(source, path, module)
        return module
    try:
        notebook = notebook_module(source, path.name)
    except NotebookError as error:
        raise LoadError(str(error)) from None
    module.__skipped__ = list(notebook.skipped)
    for statement in notebook.statements:
        try:
            _run(statement.source, path, module)
        except LoadError:
            if statement.definition:
                raise
            # A top-level assignment that needs the student's own data or session: not graded.
            module.__skipped__.append(f"{statement.shown} (it failed)")
    return module


def _run(source: str, path: Path, module: types.ModuleType) -> None:
    try:
        code = compile(source, str(path), "exec")
    except SyntaxError as error:
        where = f"line {error.lineno}" + (f", column {error.offset}" if error.offset else "")
        shown = (error.text or "").rstrip()
        raise LoadError(
            f"{path.name} has a syntax error at {where}: {error.msg}.\n    {shown}\n"
            "Fix it and run the grader again; no task can be graded until the file parses."
        ) from None
    try:
        exec(code, module.__dict__)
    except (SystemExit, KeyboardInterrupt) as error:
        raise LoadError(
            f"Importing {path.name} raised {type(error).__name__} (sys.exit() or similar at top "
            "level). Remove it: the grader imports your file and calls your functions."
        ) from None
    except ModuleNotFoundError as error:
        raise LoadError(
            f"Importing {path.name} failed: there is no module named '{error.name}' where it is graded.\n"
            f"{student_traceback(error, str(path))}\n"
            f"Only {path.name} itself is graded: another file of yours beside it (a helper module) "
            f"is not there. Put what you need from '{error.name}' into {path.name}."
        ) from None
    except Exception as error:
        raise LoadError(
            f"Importing {path.name} raised {type(error).__name__}: {error}\n"
            f"{student_traceback(error, str(path))}\n"
            "Top-level code runs when the grader imports your file: keep it to imports and "
            "definitions."
        ) from None
