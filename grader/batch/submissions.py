"""Finding the students in a submissions folder: one entry each, named by the student's id as
written (Unicode and all), and every entry that cannot be graded, with the reason.

Two entries that would share an id (`alice.py` and `alice.zip`, `Zoë` written two ways) are
both refused: grading either would silently replace the other's grade.
"""

from __future__ import annotations

import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from grader.batch.archives import UnsafeArchive, unpack

SUFFIXES = (".py", ".ipynb")
ARCHIVE = ".zip"
# What the results folder holds besides one folder per student: no student may be named so.
RESULTS_FILES = ("gradebook.sqlite", "gradebook.csv", "canvas.csv", "junit.xml", "report.html", "refused.json",
                 "batch.json")


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path  # a folder of exercise files, a single .py / .ipynb, or a .zip of either

    @property
    def archived(self) -> bool:
        return self.path.suffix == ARCHIVE and self.path.is_file()


@dataclass(frozen=True)
class Intake:
    """What a submissions folder holds: the students to grade, and the entries refused (entry
    name → why, in words for the instructor)."""

    submissions: list[Submission] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)

    @property
    def students(self) -> list[str]:
        return [s.student for s in self.submissions]


def as_id(name: str) -> str:
    """A name as ids are compared: NFC, so `Zoë` typed or unzipped either way is one student."""
    return unicodedata.normalize("NFC", name)


def student_id(entry: Path) -> str:
    name = as_id(entry.name)
    for suffix in (ARCHIVE, *SUFFIXES):
        name = name.removesuffix(suffix)
    return name


def id_problem(student: str) -> str:
    """Why `student` cannot name a folder of results, or "" when it can."""
    try:
        student.encode("utf-8")
    except UnicodeEncodeError:
        return "its name is not valid UTF-8"
    if not student.strip("."):
        return "its name is only dots"
    if any(c in "/\\" or unicodedata.category(c) == "Cc" for c in student):
        return "its name holds a slash or a control character"
    if student.casefold() in RESULTS_FILES:
        return f"its id {student!r} is the name of a file the results folder keeps for itself"
    return ""


def discover(folder: Path) -> Intake:
    """Every folder, .py, .ipynb or .zip directly in `folder` (hidden entries aside), each a
    student unless its kind, its name or a namesake keeps it from being graded."""
    refused: dict[str, str] = {}
    by_id: dict[str, list[Path]] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        shown = _printable(entry.name)
        student = student_id(entry)
        if not (entry.is_dir() or entry.is_file() and entry.suffix in (*SUFFIXES, ARCHIVE)):
            refused[shown] = ("not a folder, .py, .ipynb or .zip, so it cannot be graded: convert it "
                              "(a .rar or .7z to a .zip, say) or move it out of the folder.")
        elif problem := id_problem(student):
            refused[shown] = f"{problem}: rename it and run again."
        else:
            by_id.setdefault(student.casefold(), []).append(entry)
    submissions = []
    for entries in by_id.values():
        if len(entries) == 1:
            submissions.append(Submission(student_id(entries[0]), entries[0]))
            continue
        names = " and ".join(_printable(e.name) for e in entries)
        for entry in entries:
            refused[_printable(entry.name)] = (
                f"{names} would each be graded as {student_id(entry)!r}, one grade replacing the other, "
                "so neither is graded: keep one (rename or remove the others) and run again.")
    return Intake(submissions, dict(sorted(refused.items())))


def unpacked(submission: Submission, unpack_to: Path) -> Submission:
    """A zipped submission as the folder or file it holds (its single top entry, if it has
    one), unpacked under `unpack_to`; any other as it is. Raises UnsafeArchive."""
    if not submission.archived:
        return submission
    target = unpack_to / submission.student
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    try:
        unpack(submission.path, target)
    except UnsafeArchive:
        shutil.rmtree(target, ignore_errors=True)
        raise
    entries = [e for e in target.iterdir() if not e.name.startswith((".", "__MACOSX"))]
    if len(entries) == 1 and (entries[0].is_dir() or entries[0].suffix in SUFFIXES):
        return Submission(submission.student, entries[0])
    return Submission(submission.student, target)


def _printable(name: str) -> str:
    """A file name as it can be shown and stored, even when it is not valid UTF-8."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
