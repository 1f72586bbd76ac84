"""Submissions in: each file copied, as the bytes of a regular file of its own, into the
worker's folder before the worker confines itself. A link is never followed: a submission that
is a symbolic link to the reference solution (or a hard link to a classmate's file) is refused,
and the worker can read only the copies."""

from __future__ import annotations

import os
import stat
from pathlib import Path

SIZE_LIMIT = 5 * 1024 * 1024  # far beyond any exercise file or notebook


class Refused(Exception):
    """The submission file cannot be graded as it is; the message says why, for the student."""


def stage(submission: Path, into: Path) -> Path:
    """A copy of `submission` in `into` (same name), or Refused. A missing file stays missing, for
    the loader to report."""
    for part in (submission.parent, submission):
        try:
            info = os.lstat(part)
        except FileNotFoundError:
            return into / submission.name
        if stat.S_ISLNK(info.st_mode):
            raise Refused(f"{part.name} is a symbolic link (to {os.readlink(part)}); submit the file "
                          "itself: the grader does not follow links.")
    if not stat.S_ISREG(info.st_mode):
        raise Refused(f"{submission.name} is not a regular file; submit the file itself.")
    if info.st_nlink > 1:
        raise Refused(f"{submission.name} is a hard link to another file; submit a copy of your own.")
    if info.st_size > SIZE_LIMIT:
        raise Refused(f"{submission.name} is {info.st_size // 1024} KiB; an exercise file is far smaller.")
    descriptor = os.open(submission, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(descriptor, "rb") as source:
        content = source.read(SIZE_LIMIT + 1)
    into.mkdir(parents=True, exist_ok=True)
    copy = into / submission.name
    copy.write_bytes(content)
    return copy
