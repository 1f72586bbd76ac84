"""Near-identical code between students of a batch, found with copydetect's winnowed fingerprints
(the method of MOSS): renamed variables and moved comments do not hide a copy.

What every student starts from (the stubs) and what every right answer shares (the reference
solutions) is boilerplate, left out of the comparison: two students who both wrote the expected
`spark.readStream.text(folder)` are not flagged, two who share the same odd helper are.
"""

from __future__ import annotations

import io
import itertools
import tempfile
from pathlib import Path

import nbformat

from grader import paths
from grader.batch.archives import UnsafeArchive
from grader.batch.submissions import Submission, unpacked
from grader.report.model import SimilarPair

# Share of a submission's own code (boilerplate aside) found in the other's, in either direction.
NEAR_IDENTICAL = 0.8
# Fewer tokens of their own than this (a stub with one line filled in) say nothing about copying.
MIN_OWN_TOKENS = 40


def source_text(path: Path) -> str:
    """The Python a submission holds: its modules and its notebooks' code cells, in path order."""
    files = [path] if path.is_file() else sorted(
        p for p in path.rglob("*") if p.is_file() and not p.is_symlink()
        and not any(part.startswith((".", "__MACOSX")) for part in p.relative_to(path).parts))
    parts = []
    for file in files:
        if file.suffix == ".py":
            parts.append(file.read_text(errors="replace"))
        elif file.suffix == ".ipynb":
            try:
                notebook = nbformat.reads(file.read_text(errors="replace"), as_version=4)
            except Exception:  # nbformat raises several kinds for a broken notebook: nothing to compare
                continue
            parts += [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    return "\n".join(parts)


def _fingerprint(text: str, boilerplate=None):
    from copydetect import CodeFingerprint, defaults  # imported when used: it pulls in matplotlib

    k = defaults.NOISE_THRESHOLD
    window = defaults.GUARANTEE_THRESHOLD - defaults.NOISE_THRESHOLD + 1
    return CodeFingerprint("submission.py", k, window, boilerplate=boilerplate, fp=io.StringIO(text))


def boilerplate_hashes() -> list[int]:
    """The fingerprints of the stubs and the reference solutions: code every student may share."""
    shared = [p for folder in (paths.EXERCISES, paths.SOLUTIONS) if folder.is_dir() for p in folder.glob("*.py")]
    return sorted({h for p in shared for h in _fingerprint(p.read_text()).hashes})


def near_identical(submissions: list[Submission]) -> list[SimilarPair]:
    """Pairs of students whose own code is near-identical, most similar first. A zip that cannot
    be unpacked safely is left out (its student failed to load already)."""
    if len(submissions) < 2:
        return []
    from copydetect import compare_files

    boilerplate = boilerplate_hashes()
    prints = {}
    with tempfile.TemporaryDirectory(prefix="similarity-") as scratch:
        for submission in submissions:
            try:
                text = source_text(unpacked(submission, Path(scratch)).path)
            except (UnsafeArchive, OSError):
                continue
            fingerprint = _fingerprint(text, boilerplate)
            if fingerprint.token_coverage >= MIN_OWN_TOKENS:
                prints[submission.student] = fingerprint
    pairs = []
    for (first, a), (second, b) in itertools.combinations(prints.items(), 2):
        _, (share_a, share_b), _ = compare_files(a, b)
        similarity = float(max(share_a, share_b))
        if similarity >= NEAR_IDENTICAL:
            pairs.append(SimilarPair(first, second, similarity))
    return sorted(pairs, key=lambda pair: -pair.similarity)
