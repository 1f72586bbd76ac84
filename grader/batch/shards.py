"""A class graded on several machines: `grade batch --shard K/N` grades one slice of it, and
`grade merge` joins the slices' results folders into one.

A student's slice comes from a hash of their id, not their place in the folder, so a student
added late joins one slice and moves no one else. Each results folder records what graded it
(`batch.json`: the fingerprint of the grader's code and fixtures, the grader and pyspark
versions, exercises, visibility, the shard), so a slice is resumed only by the same batch, and
slices graded differently are never merged.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from grader.batch.fingerprint import grading_fingerprint
from grader.engine.registry import grader_version, pyspark_version
from grader.report.exports import write_atomically

RECORD = "batch.json"


class ShardError(ValueError):
    """Slices that cannot be graded or merged as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Shard:
    """Slice `index` (1 to `count`) of a class cut in `count`."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        try:
            index, count = (int(part) for part in text.split("/"))
        except ValueError:
            raise ShardError(f"--shard {text}: write it K/N, as in 2/4 (slice 2 of 4).") from None
        if not 1 <= index <= count:
            raise ShardError(f"--shard {text}: K must be between 1 and N.")
        return cls(index, count)

    def holds(self, student: str) -> bool:
        digest = hashlib.sha256(student.encode()).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index - 1

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


WHOLE_CLASS = Shard(1, 1)


@dataclass(frozen=True)
class BatchRecord:
    """What graded a results folder; slices merge only when graded alike (`settings`, and the
    fingerprint of the grader's code and fixtures: see `grader.batch.fingerprint`)."""

    grader_version: str
    pyspark_version: str
    exercises: list[str]
    visibility: str
    shard: str
    students: list[str] = field(default_factory=list)  # those exported: the slice's, still in the folder
    engine: str = ""  # the Spark Connect URL graded on, or "local": each slice's may differ
    fingerprint: str = ""  # "" in a folder of a grader before fingerprints

    @classmethod
    def of_this_grader(cls, exercises: list[str], visibility: str, shard: Shard, engine: str) -> BatchRecord:
        return cls(grader_version(), pyspark_version(), exercises, visibility, str(shard), engine=engine,
                   fingerprint=grading_fingerprint())

    @classmethod
    def read(cls, results: Path) -> BatchRecord | None:
        """The record in `results`, or None in a folder a grader before records graded."""
        try:
            return cls(**json.loads((results / RECORD).read_text()))
        except FileNotFoundError:
            return None

    def write(self, results: Path) -> None:
        write_atomically(results / RECORD, json.dumps(asdict(self), indent=2) + "\n")

    def settings(self) -> dict:
        """The options and the Spark the folder was graded with (by what code: `fingerprint`; the
        grader's version is only shown, as two commits may share one)."""
        return {key: value for key, value in asdict(self).items()
                if key in ("pyspark_version", "exercises", "visibility")}

    def graded_apart(self) -> str | None:
        """How this folder's grading differs from what this checkout grades with, in an
        instructor's words (the end of "it was ..."), or None when it does not."""
        if not self.fingerprint:
            return "graded by an older grader, which did not record which grader code and fixtures graded it"
        if self.fingerprint != grading_fingerprint():
            return "graded by different grader code or fixtures than this checkout's"
        return None

    def resumable_as(self, other: BatchRecord) -> str | None:
        """Why a batch recorded as `other` must not continue this folder, or None when it may."""
        if other.shard != self.shard:
            return (f"it holds slice {self.shard} of the class, not {other.shard}: grade each slice "
                    "into a results folder of its own")
        apart = self.graded_apart()
        if apart:
            return f"it was {apart}; regrade it all with --force, or use a new folder"
        if other.settings() != self.settings():
            return f"it was graded with other settings ({differences(self, other)}); regrade it all with --force, or use a new folder"
        return None


def differences(first: BatchRecord, second: BatchRecord) -> str:
    mine, theirs = first.settings(), second.settings()
    return "; ".join(f"{key} {mine[key]} against {theirs[key]}" for key in mine if mine[key] != theirs[key])
