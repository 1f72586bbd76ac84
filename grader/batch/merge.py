"""`grade merge`: the results folders of a class's slices (`grade batch --shard K/N`, one per
machine) joined into one results folder, with the same gradebook, exports and report that one
batch grading the whole class writes."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from grader.batch.runner import write_class_exports
from grader.batch.shards import BatchRecord, ShardError, differences
from grader.batch.store import Gradebook


def slice_record(results: Path) -> BatchRecord:
    record = BatchRecord.read(results)
    if record is None:
        raise ShardError(f"{results} is not the results folder of a `grade batch` that records what "
                         "graded it (no batch.json): grade its slice again with this grader.")
    return record


def merge(folders: list[Path], out: Path) -> list[str]:
    """Join the slices in `folders` into `out`; the slices still missing (none when the class is
    whole). ShardError, before anything is written, on slices graded differently or overlapping."""
    if out.exists() and any(out.iterdir()):
        raise ShardError(f"{out} is not empty: merge into a new folder (or remove it first), so no "
                         "earlier grade stays in the merged gradebook.")
    records = {folder: slice_record(folder) for folder in folders}
    apart = {folder: (record.shard, how) for folder, record in records.items() if (how := record.graded_apart())}
    if apart:
        told = "; ".join(f"{folder} (slice {shard}) was {how}" for folder, (shard, how) in apart.items())
        slices = ", ".join(shard for shard, _ in apart.values())
        raise ShardError(f"{told}: regrade slice {slices} with this checkout (`grade batch` with its "
                         "--shard and --force, into its folder), then merge again.")
    first_folder, first = next(iter(records.items()))
    for folder, record in records.items():
        if record.settings() != first.settings():
            raise ShardError(f"{folder} and {first_folder} were graded differently "
                             f"({differences(record, first)}): grade every slice with the same grader "
                             "and options, then merge again.")
    shards = [shard for record in records.values() for shard in record.shard.split("+")]
    missing = missing_slices(shards)
    owners: dict[str, Path] = {}
    for folder, record in records.items():
        for student in record.students:
            if student in owners:
                raise ShardError(f"{student} is graded in both {owners[student]} and {folder}: give "
                                 "each slice once.")
            owners[student] = folder
    results, refused = {}, {}
    for folder, record in records.items():
        gradebook = Gradebook(folder / "gradebook.sqlite")
        try:
            stored = gradebook.results()
        finally:
            gradebook.close()
        results.update({student: stored[student] for student in record.students})
        refused.update(json.loads((folder / "refused.json").read_text()))
    results = dict(sorted(results.items()))
    merged = Gradebook(out / "gradebook.sqlite")
    try:
        for student, result in results.items():
            merged.save(student, result)
    finally:
        merged.close()
    engines = ", ".join(sorted({r.engine for r in records.values() if r.engine}))
    record = dataclasses.replace(first, shard="+".join(sorted(shards)), engine=engines)
    # The slices' code stays on the machines that graded them: each slice's report flags its copies.
    write_class_exports(results, dict(sorted(refused.items())), record, out, compared=[])
    return missing


def missing_slices(shards: list[str]) -> list[str]:
    """The slices of the cut that `shards` come from that none of them is; ShardError when they
    come from different cuts or one is given twice."""
    counts = {int(shard.split("/")[1]) for shard in shards}
    if len(counts) != 1:
        raise ShardError(f"The slices {', '.join(shards)} come from cuts of the class into different "
                         "numbers of slices: merge the slices of one cut (one N).")
    repeated = sorted({shard for shard in shards if shards.count(shard) > 1})
    if repeated:
        raise ShardError(f"Slice {', '.join(repeated)} is given twice: give each slice once.")
    count = counts.pop()
    return [f"{k}/{count}" for k in range(1, count + 1) if f"{k}/{count}" not in shards]
