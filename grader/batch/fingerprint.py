"""What grades a class, as one hash: the grader's code and the course's grading data.

Two checkouts with one package version can grade differently (a fixed check, a new hidden
scenario, a re-recorded expectation), so a batch's results folder records this fingerprint and
slices are merged, or a batch resumed, only under the same one. It covers every file of the
grader package (code, the gate's Java, schemas, scripts) and of `fixtures/` (streams, expected
outcomes of the reference solutions, hidden scenarios, and the declarations once they live
there): their paths and contents, read in sorted order, leaving out Python's compiled caches.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import grader
from grader import paths

IGNORED_SUFFIXES = (".pyc", ".pyo")


@functools.cache
def grading_fingerprint() -> str:
    """The fingerprint of this grader and its fixtures (hex), computed once per process."""
    digest = hashlib.sha256()
    for name, root in (("grader", Path(grader.__file__).resolve().parent), ("fixtures", paths.FIXTURES)):
        for path in _files(root):
            digest.update(f"{name}/{path.relative_to(root).as_posix()}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(
        path for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in IGNORED_SUFFIXES
    )
