"""Fixture streams: folders that receive one file per micro-batch, and the recipes of the
DataFrames a task is handed.

Files are written under a hidden name and renamed into the folder, so Spark's file source never
sees half a file; with one new file per step and `processAllAvailable()`, every fixture batch is
exactly one micro-batch.

A recipe is plain JSON (`{"kind": "stream", "folder": ..., "format": ...}`): the referee writes
it, and the process that calls the student's function turns it into a DataFrame of that
process's own session with `materialize`, so no DataFrame ever crosses a process boundary.
"""

from __future__ import annotations

import os
from pathlib import Path

from grader.spec import FixtureStream, Scenario


class StreamFolders:
    """The input folders of one task's scenario, fed batch by batch."""

    def __init__(self, scenario: Scenario, root: Path):
        self.scenario = scenario
        self.root = root
        self.folders = {name: root / "streams" / name for name in scenario.streams}
        for folder in self.folders.values():
            folder.mkdir(parents=True, exist_ok=True)
        self.fed_rows: dict[str, int] = dict.fromkeys(scenario.streams, 0)

    def feed(self, index: int) -> None:
        """Make batch `index` of every stream arrive in its folder."""
        for name, stream in self.scenario.streams.items():
            if index < len(stream.batches) and not stream.batches[index].is_empty:
                _write_atomically(
                    self.folders[name] / f"batch-{index:03d}{stream.suffix}",
                    stream.batches[index].lines,
                )
                self.fed_rows[name] += stream.rows_in(index)

    def stream_recipe(self, name: str) -> dict:
        return {"kind": "stream", "folder": str(self.folders[name]), **_reading(self.scenario.streams[name])}

    def static_recipe(self, name: str) -> dict:
        """All of the stream's batches as one batch DataFrame, from a folder of its own."""
        stream = self.scenario.streams[name]
        folder = self.root / "static" / name
        folder.mkdir(parents=True, exist_ok=True)
        for index, batch in enumerate(stream.batches):
            _write_atomically(folder / f"batch-{index:03d}{stream.suffix}", batch.lines)
        return {"kind": "static", "folder": str(folder), **_reading(stream)}


def materialize(spark, recipe: dict) -> object:
    """The value a recipe stands for, in `spark`'s session."""
    kind = recipe["kind"]
    if kind == "value":
        return recipe["value"]
    if kind == "spark":
        return spark
    if kind == "kafka_stream":
        return (spark.readStream.format("kafka")
                .option("kafka.bootstrap.servers", recipe["bootstrap"])
                .option("subscribe", recipe["topic"])
                .option("startingOffsets", "earliest")
                .load())
    reader = spark.readStream.option("maxFilesPerTrigger", 1) if kind == "stream" else spark.read
    reader = reader.format(recipe["format"])
    if recipe["schema"]:
        reader = reader.schema(recipe["schema"])
    return reader.options(**recipe["options"]).load(recipe["folder"])


def _reading(stream: FixtureStream) -> dict:
    return {"format": stream.format, "schema": stream.schema, "options": stream.options}


def _write_atomically(target: Path, lines: tuple[str, ...]) -> None:
    hidden = target.with_name(f".{target.name}.tmp")
    hidden.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    os.replace(hidden, target)
