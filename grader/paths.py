"""Where the course's folders are (exercises, solutions, fixtures and the declarations among them),
and the grader's caches and scratch files.

The grader is the tool; a course is a folder it grades in, recognised by its
`fixtures/declarations/` (see `course_root`). One installed grader serves any number of courses.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# The course folder's mark: the exercises' declarations, relative to its root.
DECLARATIONS_FOLDER = Path("fixtures", "declarations")
# Names the course explicitly; a grading passes it on to its own processes, which run elsewhere.
COURSE_VARIABLE = "GRADER_PROJECT"
# Where the grader's package lives: its checkout (pyproject.toml, bin/) when installed editable.
GRADER_CHECKOUT = Path(__file__).resolve().parent.parent


def course_root(start: Path | None = None) -> Path:
    """The course the grader works on: `GRADER_PROJECT` when set, else the nearest folder at or
    above `start` (the current folder) holding `fixtures/declarations/`, else the checkout the
    grader itself lives in (a course and its grader kept together)."""
    if os.environ.get(COURSE_VARIABLE):
        return Path(os.environ[COURSE_VARIABLE]).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / DECLARATIONS_FOLDER).is_dir():
            return folder
    return GRADER_CHECKOUT


PROJECT_ROOT = course_root()
DECLARATIONS = PROJECT_ROOT / DECLARATIONS_FOLDER
EXERCISES = PROJECT_ROOT / "exercises"
SOLUTIONS = PROJECT_ROOT / "solutions"
FIXTURES = PROJECT_ROOT / "fixtures"
STREAMS = FIXTURES / "streams"
EXPECTED = FIXTURES / "expected"
# Scenarios and their expected outcomes that students never receive (`grade bundle` leaves them out).
HIDDEN = FIXTURES / "hidden"
HIDDEN_STREAMS = HIDDEN / "streams"
HIDDEN_EXPECTED = HIDDEN / "expected"
WRONG_ANSWERS = SOLUTIONS / "wrong_answers"
CACHE = Path(os.environ.get("GRADER_CACHE", PROJECT_ROOT / ".cache"))
# Grading runs' files: streams fed to Spark, checkpoints, sinks. One machine-wide root per user,
# so that an engine shared between checkouts can reach the files of each.
SCRATCH = Path(os.environ.get("GRADER_SCRATCH", Path(tempfile.gettempdir()) / f"streaming-grader-{os.getuid()}"))
# The running engines' records (pid, identity, leases, admitted sessions), one folder per port,
# outside any checkout so that every checkout of this user finds them.
RUNTIME = Path(os.environ.get("GRADER_RUNTIME", Path(tempfile.gettempdir()) / f"streaming-grader-engines-{os.getuid()}"))
# A grading's processes get a TMPDIR of their own: they are told these two folders explicitly.
SHARED_FOLDERS = {"GRADER_SCRATCH": str(SCRATCH), "GRADER_RUNTIME": str(RUNTIME)}
# And the course, whose declarations they look tasks up in, wherever they run.
COURSE = {COURSE_VARIABLE: str(PROJECT_ROOT)}


def shown(path: Path) -> str:
    """`path` as the instructor knows it: from the course's root when inside it."""
    try:
        return str(Path(path).resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


class ForeignFolder(RuntimeError):
    """A folder of this user's engines or gradings belongs to someone else, or others can read it."""


def private_folder(path: Path) -> Path:
    """`path` as a folder only this user can enter, made so if new. A machine-wide name such as
    /tmp/streaming-grader-engines-1000 could be made first by another user, who would then read
    the engine's admitted sessions or plant files in the gradings: such a folder is refused."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    status = path.stat()
    if status.st_uid != os.getuid():
        raise ForeignFolder(f"{path} belongs to another user, so it cannot hold your engine's or gradings' "
                            f"files: remove it, or choose another folder with GRADER_RUNTIME and GRADER_SCRATCH.")
    if status.st_mode & 0o077:
        path.chmod(0o700)
    return path


def in_student_bundle() -> bool:
    """Whether this copy is a student's bundle (`grade bundle`): it has exercises/ but no
    solutions/ folder, so the instructor's verbs have nothing to work from and must not touch the
    student's files. (A course folder just begun has neither.)"""
    return EXERCISES.is_dir() and not SOLUTIONS.is_dir()
