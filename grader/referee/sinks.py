"""Reading back what file and database sinks wrote, and the runs that need more than
"feed, process, read": a replayed batch, a query that stops by itself, several queries."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path
from urllib.parse import unquote, urlparse

from grader.outcome import Snapshot
from grader.referee.results import (
    WrongResult,
    check_memory_table,
    rows_per_batch,
    settles,
    shown_sink,
    sink_description,
    snapshot,
    to_json_value,
)

STOP_WAIT = 45.0  # a tiny availableNow run ends within seconds
METADATA = "_spark_metadata"  # the folder of a file sink's log, inside the folder it writes
LOG_FILE = re.compile(r"(\d+)(?:\.compact)?")


class CommittedFiles:
    """What a file sink committed to its folder, by the sink's own log (`_spark_metadata`), read
    check after check: the files the log lists up to the batch the query last committed, and
    nothing else in the folder. A file sink only adds, so whatever was read once must read the same
    at every later check: a log entry or a file that changed was written by something else."""

    def __init__(self, folder: Path, fmt: str):
        self.folder = folder.resolve()
        self.format = fmt
        self.digests: dict[Path, str] = {}  # every log and data file read so far

    def read(self, spark, query) -> Snapshot:
        log = self.folder / METADATA
        if not log.is_dir():
            raise WrongResult(f"The folder has no `{METADATA}`, the log in which a file sink records the "
                              "files it committed, so nothing in it counts: write it with a file sink, "
                              f".writeStream.format('{self.format}').option('path', folder), not with code "
                              "of your own.")
        self._require_file_sink(query)
        if not settles(lambda: _newest(_log_files(log)) == _newest(rows_per_batch(query))):
            raise WrongResult(f"The folder's log (`{METADATA}`) ends at batch {_newest(_log_files(log))}, but "
                              f"your query's last batch is {_newest(rows_per_batch(query))}: something other "
                              "than your query wrote to the folder.")
        files = self._committed(_log_files(log))
        if not files:
            raise WrongResult(f"Your query wrote no files into the folder it was given: write there with "
                              f".option('path', folder) and .format('{self.format}').")
        try:
            # Plain paths: Spark reads a URI's escapes (a run's `@`, say) as they are.
            return snapshot(spark.read.format(self.format).load([str(path) for path in files]))
        except Exception:
            raise WrongResult(f"The folder holds files that are not {self.format}: write them with "
                              f".format('{self.format}').") from None

    def _require_file_sink(self, query) -> None:
        description = sink_description(query)
        written = re.fullmatch(r"FileSink\[(.*)\]", description)
        if description and not (written and _local_path(written[1]) == self.folder):
            raise WrongResult(f"Your query writes to {shown_sink(description)}, not to files in the folder it "
                              f"was given: start it with .writeStream.format('{self.format}') and "
                              ".option('path', folder).")

    def _committed(self, log_files: dict[int, Path]) -> list[Path]:
        """The data files the log lists, each checked to be in the folder and as the sink
        committed it, and every file read at an earlier check checked to read the same."""
        for path, digest in self.digests.items():
            if path.exists() and _digest(path) != digest:
                raise self._changed(path)
        compacted = max((batch for batch, path in log_files.items() if path.suffix == ".compact"), default=0)
        sizes: dict[Path, int] = {}
        for batch in range(compacted, max(log_files, default=-1) + 1):
            if batch not in log_files:
                raise self._changed(self.folder / METADATA / str(batch))
            try:
                for path, size, action in _entries(log_files[batch]):
                    if action == "delete":
                        sizes.pop(path, None)
                    else:
                        sizes[path] = size
            except (OSError, ValueError, LookupError, TypeError, AttributeError):  # not a log a sink wrote
                raise self._changed(log_files[batch]) from None
            self.digests.setdefault(log_files[batch], _digest(log_files[batch]))
        for path, size in sizes.items():
            if not (path.is_relative_to(self.folder) and path.is_file() and path.stat().st_size == size):
                raise self._changed(path)
            self.digests.setdefault(path, _digest(path))
        return sorted(sizes)

    def _changed(self, path: Path) -> WrongResult:
        shown = path.relative_to(self.folder) if path.is_relative_to(self.folder) else path
        return WrongResult(f"`{shown}` is not as your query committed it: a file sink only adds files, so "
                           "something other than your query wrote to the folder.")


def _log_files(log: Path) -> dict[int, Path]:
    """A file sink log's batch files by batch id (`9.compact` lists every file up to batch 9)."""
    return {int(found[1]): path for path in log.iterdir() if (found := LOG_FILE.fullmatch(path.name))}


def _newest(batches: dict[int, object]) -> int | None:
    return max(batches, default=None)


def _entries(log_file: Path) -> list[tuple[Path, int, str]]:
    """(path, size, action) of each file one batch file of a file sink log lists: after a
    version line, one JSON object per line."""
    entries = [json.loads(line) for line in log_file.read_text().splitlines()[1:] if line.strip()]
    return [(_local_path(entry["path"]), entry["size"], entry.get("action")) for entry in entries]


def _local_path(uri: str) -> Path:
    return Path(unquote(urlparse(uri).path)).resolve()


def _digest(path: Path) -> str | None:
    """The SHA-256 of the file at `path` (None when it is no file any more)."""
    if not path.is_file():
        return None
    with path.open("rb") as read:
        return hashlib.file_digest(read, "sha256").hexdigest()


def read_table(database: Path, table: str, columns: tuple[str, ...]) -> Snapshot:
    """The rows of a SQLite table written by a foreachBatch writer."""
    if not database.exists():
        raise WrongResult(f"Your query created no database at the path it was given; write the "
                          f"table `{table}` there.")
    try:
        with sqlite3.connect(database) as connection:
            rows = connection.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
    except sqlite3.Error as error:
        raise WrongResult(f"Reading table `{table}` ({', '.join(columns)}) failed: {error}.") from None
    return Snapshot([(c, "sqlite") for c in columns], [[to_json_value(v) for v in row] for row in rows])


def forget_last_batch(checkpoint: Path) -> None:
    """Delete the newest batch's commit, so the next start of the query runs that batch again
    under the same batch id, as after a crash between writing and committing."""
    commits = [p for p in (checkpoint / "commits").iterdir() if p.name.isdigit()]
    if not commits:
        raise WrongResult("Your query committed no batch to its checkpoint: use "
                          ".option('checkpointLocation', checkpoint).")
    newest = max(commits, key=lambda p: int(p.name))
    newest.unlink()
    newest.with_name(f".{newest.name}.crc").unlink(missing_ok=True)  # Hadoop's checksum of it


def await_end(query) -> None:
    """Wait for a query that should stop by itself; stop it and say so if it does not."""
    if not query.awaitTermination(STOP_WAIT):
        query.stop()
        raise WrongResult("Your query was still running after it had processed all the data there was: "
                          "a query that should stop by itself needs .trigger(availableNow=True).")


def active_by_name(spark, names: list[str]) -> dict[str, object]:
    """The running queries called `names`; a missing one is the student's to start."""
    running = {q.name: q for q in spark.streams.active}
    missing = [n for n in names if n not in running]
    if missing:
        raise WrongResult(f"No running query is named {', '.join(map(repr, missing))}: start one per "
                          "name, with .queryName(name).")
    return {n: running[n] for n in names}


def row_counts(spark, queries: dict[str, object]) -> Snapshot:
    """Each query's name and how many rows its memory sink holds (checked to be that sink)."""
    return Snapshot([("query", "string"), ("rows", "bigint")],
                    [[name, len(check_memory_table(spark, query, name).rows)] for name, query in queries.items()])
