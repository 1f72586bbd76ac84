"""Where the project's folders are: exercises, solutions, fixtures, caches and scratch files."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("GRADER_PROJECT", Path(__file__).resolve().parent.parent))
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
    """Whether this copy is a student's bundle (`grade bundle`): it has no solutions/ folder, so
    the instructor's verbs have nothing to work from and must not touch the student's files."""
    return not SOLUTIONS.is_dir()
