"""Fixture streams inside the worker: folders that receive one file per micro-batch.

Files are written under a hidden name and renamed into the folder, so Spark's file source never
sees half a file; with one new file per step and `processAllAvailable()`, every fixture batch is
exactly one micro-batch.
"""

from __future__ import annotations

import os
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession

from grader.spec import FixtureStream, Scenario


class StreamFolders:
    """The input folders of one task's scenario, fed batch by batch."""

    def __init__(self, scenario: Scenario, root: Path):
        self.scenario = scenario
        self.root = root
        self.folders = {name: root / "streams" / name for name in scenario.streams}
        for folder in self.folders.values():
            folder.mkdir(parents=True, exist_ok=True)

    def feed(self, index: int) -> None:
        """Make batch `index` of every stream arrive in its folder."""
        for name, stream in self.scenario.streams.items():
            if index < len(stream.batches) and not stream.batches[index].is_empty:
                _write_atomically(
                    self.folders[name] / f"batch-{index:03d}{stream.suffix}",
                    stream.batches[index].lines,
                )

    def read_stream(self, spark: SparkSession, name: str) -> DataFrame:
        stream = self.scenario.streams[name]
        reader = _configure(spark.readStream, stream).option("maxFilesPerTrigger", 1)
        return reader.load(str(self.folders[name]))

    def read_static(self, spark: SparkSession, name: str) -> DataFrame:
        """All of the stream's batches as one batch DataFrame, from a folder of its own."""
        stream = self.scenario.streams[name]
        folder = self.root / "static" / name
        folder.mkdir(parents=True, exist_ok=True)
        for index, batch in enumerate(stream.batches):
            _write_atomically(folder / f"batch-{index:03d}{stream.suffix}", batch.lines)
        return _configure(spark.read, stream).load(str(folder))


def _configure(reader, stream: FixtureStream):
    reader = reader.format(stream.format)
    if stream.schema:
        reader = reader.schema(stream.schema)
    return reader.options(**stream.options)


def _write_atomically(target: Path, lines: tuple[str, ...]) -> None:
    hidden = target.with_name(f".{target.name}.tmp")
    hidden.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    os.replace(hidden, target)
