"""Reading back what file and database sinks wrote, and the runs that need more than
"feed, process, read": a replayed batch, a query that stops by itself, several queries."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from grader.outcome import Snapshot
from grader.referee.results import WrongResult, check_memory_table, snapshot, to_json_value

STOP_WAIT = 45.0  # a tiny availableNow run ends within seconds


def read_files(spark, folder: Path, fmt: str) -> Snapshot:
    """Everything a file sink has written to `folder`, read back as `fmt`."""
    if not any(p.suffix != ".crc" for p in folder.glob("part-*")):
        raise WrongResult(f"Your query wrote no files into the folder it was given: write there with "
                          f".option('path', folder) and .format('{fmt}').")
    try:
        return snapshot(spark.read.format(fmt).load(str(folder)))
    except Exception:
        raise WrongResult(f"The folder holds files that are not {fmt}: write them with "
                          f".format('{fmt}').") from None


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
