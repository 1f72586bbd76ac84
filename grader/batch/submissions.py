"""Finding the students in a submissions folder: one entry each, named by the student's id."""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = (".py", ".ipynb")


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path       # a folder of exercise files, or a single .py / .ipynb
    problem: str = ""  # why it cannot be graded at all (a broken zip), if so


def student_id(entry: Path) -> str:
    name = entry.name
    for suffix in (".zip", *SUFFIXES):
        name = name.removesuffix(suffix)
    return re.sub(r"[^A-Za-z0-9_.@-]+", "_", name)


def discover(folder: Path, unpack_to: Path) -> list[Submission]:
    """Every folder, .py, .ipynb or .zip directly in `folder`; zips are unpacked under `unpack_to`."""
    found = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        student = student_id(entry)
        if entry.is_dir() or entry.suffix in SUFFIXES:
            found.append(Submission(student, entry))
        elif entry.suffix == ".zip":
            found.append(_unzipped(student, entry, unpack_to / student))
    return found


def _unzipped(student: str, archive: Path, target: Path) -> Submission:
    """The zip's content: its single top folder or file if it has one, else the whole of it."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    try:
        with zipfile.ZipFile(archive) as bundle:
            for member in bundle.infolist():
                destination = (target / member.filename).resolve()
                if target.resolve() not in destination.parents and destination != target.resolve():
                    return Submission(student, target, f"{archive.name} holds a path outside itself: {member.filename}")
            bundle.extractall(target)
    except zipfile.BadZipFile:
        return Submission(student, target, f"{archive.name} is not a readable zip file.")
    entries = [e for e in target.iterdir() if not e.name.startswith((".", "__MACOSX"))]
    if len(entries) == 1 and (entries[0].is_dir() or entries[0].suffix in SUFFIXES):
        return Submission(student, entries[0])
    return Submission(student, target)
