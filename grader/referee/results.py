"""Turn what a task returned into snapshots: the rows its sink holds after each fixture batch,
checked against the query's own account of what it read and wrote."""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
import time

from pyspark.sql import DataFrame, Row

from grader.outcome import Snapshot


PROGRESS_WAIT = 10.0
KAFKA_SINK = "org.apache.spark.sql.kafka010."  # the package of every sink Spark's Kafka connector has
# The operators of a memory sink's own table: its name, the view the sink registered, its data.
MEMORY_SINK_TABLE = ["SubqueryAlias", "View", "MemoryPlan"]


class WrongResult(Exception):
    """The task returned something that is not what it asks for; the message says what to do."""


def to_json_value(value: object) -> object:
    """A Spark value as plain JSON: structs become objects, times ISO strings."""
    if isinstance(value, Row):
        return {k: to_json_value(v) for k, v in value.asDict().items()}
    if isinstance(value, dict):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(v) for v in value]
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def snapshot(frame: DataFrame) -> Snapshot:
    columns = [(f.name, f.dataType.simpleString()) for f in frame.schema.fields]
    rows = [[to_json_value(v) for v in row] for row in frame.collect()]
    return Snapshot(columns, rows)


def require_dataframe(value: object, streaming: bool) -> DataFrame:
    wanted = "a streaming DataFrame" if streaming else "a batch (non-streaming) DataFrame"
    if value is None:
        raise WrongResult(f"Your function returned None; it must return {wanted}. Did you forget `return`?")
    if not isinstance(value, DataFrame):
        raise WrongResult(f"Your function returned a {type(value).__name__}; it must return {wanted}.")
    if "LocalRelation" in analyzed_plan(value):
        raise WrongResult("Your result holds rows written into your code (spark.createDataFrame or "
                          "similar): it must be computed from the input the grader gave you.")
    if value.isStreaming != streaming:
        hint = (
            "Read the input with spark.readStream (or transform the streaming DataFrame you were given)."
            if streaming
            else "Use spark.read and DataFrame transformations, not readStream."
        )
        raise WrongResult(f"Your function returned {'a batch' if streaming else 'a streaming'} DataFrame; "
                          f"it must return {wanted}. {hint}")
    return value


def require_query(value: object, query_name: str | None = None, running: bool = True):
    """The StreamingQuery the task started, checked to be running (under `query_name`, if given).

    A query that already failed is returned as it is: running it raises its error, which tells
    more than "not running". `running=False` accepts a query that already ended by itself."""
    if not is_query(value):
        raise WrongResult(
            f"Your function returned {type(value).__name__}; it must return the StreamingQuery that "
            "`.start()` gives back."
        )
    if query_name is not None and value.name != query_name:
        raise WrongResult(
            f"Your query is named {value.name!r}; name it {query_name!r} with "
            f".queryName(...) (the parameter you were given) so its memory table can be read."
        )
    if running and not value.isActive and value.exception() is None:
        raise WrongResult("Your query is not running any more: return it right after `.start()`, "
                          "without stopping it or waiting for it to end.")
    return value


def is_query(value: object) -> bool:
    """Whether `value` is a StreamingQuery (a Spark Connect DataFrame answers every attribute)."""
    return not isinstance(value, DataFrame) and all(
        hasattr(value, attr) for attr in ("processAllAvailable", "isActive", "id", "runId", "name"))


def analyzed_plan(frame: DataFrame) -> str:
    """Spark's analyzed logical plan of `frame`, as text."""
    explained = frame._explain_string(extended=True) if hasattr(frame, "_explain_string") else \
        frame._jdf.queryExecution().toString()
    return explained.split("== Optimized Logical Plan ==")[0]


def check_memory_table(spark, query, table: str, mode: str | None = None) -> Snapshot:
    """The memory sink `table` of `query`, once it is shown to be that query's sink and to hold
    what the query says it wrote (`mode`, when known, tells how its rows add up)."""
    if not spark.catalog.tableExists(table):
        raise WrongResult(f"This task reads your query's memory sink, `{table}`, and there is none{_sink_of(query)}. "
                          "Write with .format('memory') and .queryName(...) given the name the task passes you.")
    description = sink_description(query)
    if description and description != "MemorySink":
        raise WrongResult(f"Your query writes to {shown_sink(description)}, not to a memory sink, so `{table}` "
                          "is not its table: write with .format('memory') and .queryName(...).")
    if plan_operators(spark.table(table)) != MEMORY_SINK_TABLE:
        raise WrongResult(f"`{table}` is not the memory sink of your query: something else was "
                          "registered under its name. Let the query's memory sink own that name.")
    found = snapshot(spark.table(table))
    if not settles(lambda: len(found.rows) in _rows_held(query, mode)):
        written = " or ".join(map(str, sorted(_rows_held(query, mode))))
        raise WrongResult(f"The memory table `{table}` holds {len(found.rows)} row(s), but your query "
                          f"wrote {written}: the table was changed outside the query.")
    return found


def plan_operators(frame: DataFrame) -> list[str]:
    """The operators of `frame`'s analyzed plan, top down."""
    analyzed = analyzed_plan(frame).split("== Analyzed Logical Plan ==")[-1]
    tree = analyzed.split("\n")[2:]  # below the header's line end and the schema line
    return [re.match(r"[\s:+-]*(\S+)", line)[1] for line in tree if line.strip()]


def check_kafka_output(query, held: int) -> None:
    """`query` writes to Kafka, and the output topic holds as many messages as it wrote: no
    message sent there by other code counts."""
    description = sink_description(query)
    if description and KAFKA_SINK not in description:
        raise WrongResult(f"Your query writes to {shown_sink(description)}, not to Kafka: start it with "
                          ".writeStream.format('kafka') and the options 'kafka.bootstrap.servers' and "
                          "'topic' you were given.")
    if not settles(lambda: _rows_written(query) == held):
        raise WrongResult(f"The output topic holds {held} message(s), but your query wrote {_rows_written(query)}: "
                          "only what your query sends to the topic it was given counts, and nothing else "
                          "may send to it.")


def check_no_other_queries(spark, own: list) -> None:
    """No query runs in the session but the task's own (`own`): a query the task did not ask for
    could write to its outputs while the referee feeds and reads them."""
    ids = {query.id for query in own}
    for query in spark.streams.active:
        if query.id not in ids:
            named = f"`{query.name}`" if query.name else f"id {query.id}"
            raise WrongResult(f"A query this task did not ask for is running ({named}): the task asks "
                              "for no other query than its own, so start only that one.")


def sink_description(query) -> str:
    """What `query` writes to, as its newest progress describes it ("" before its first)."""
    progress = query.recentProgress
    return progress[-1].sink.description if progress else ""


def shown_sink(description: str) -> str:
    """A sink's description without its Java package and object id ("ForeachBatchSink")."""
    return re.sub(r"^(\w+\.)+|\$?@[0-9a-f]+$", "", description)


def _sink_of(query) -> str:
    """What `query` writes to instead, as a clause for a sentence ("" when it cannot tell)."""
    description = sink_description(query)
    if "console" in description.lower():
        return ": your query writes to the console sink, which prints rows and keeps none to check"
    return f": your query writes to {shown_sink(description)}" if description else ""


def settles(condition) -> bool:
    """Whether `condition()` holds now or within `PROGRESS_WAIT` seconds: a query reports its
    progress a moment after its batch commits, so a check against progress waits for it before it
    accuses."""
    deadline = time.monotonic() + PROGRESS_WAIT
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def rows_per_batch(query) -> dict[int, int]:
    """The rows each batch of `query` wrote, by batch id, from its own progress: the batches that
    ran (those with an `addBatch` time); -1 where its sink does not count them (a file sink)."""
    return {progress.batchId: progress.sink.numOutputRows
            for progress in query.recentProgress if "addBatch" in progress.durationMs}


def _rows_written(query) -> int:
    """How many rows `query` wrote over all its batches."""
    return sum(max(rows, 0) for rows in rows_per_batch(query).values())


def _rows_held(query, mode: str | None) -> set[int]:
    """How many rows the memory sink of `query` holds by its progress: the newest batch's in
    complete mode, the sum over its batches in append and update mode, either one when the mode is
    not known (a query the student started)."""
    batches = rows_per_batch(query)
    newest, total = (max(batches[max(batches)], 0) if batches else 0), _rows_written(query)
    if mode is None:
        return {newest, total}
    return {newest} if mode == "complete" else {total}


def watermark_of(query) -> str | None:
    """The event-time watermark `query` has reached (`eventTime.watermark` of its progress, read
    by the referee), or None when it has none. Watermarks only rise, so the largest is current."""
    marks = [progress.eventTime.get("watermark") for progress in query.recentProgress if progress.eventTime]
    return max((mark for mark in marks if mark), default=None)


def check_sources(query, fed: dict[str, int]) -> None:
    """Every streaming source of `query` is an input the grader fed (a folder or a topic), and it
    read no more rows than arrived there: no stream of the student's own making stands in."""
    read: dict[str, int] = {}
    for progress in query.recentProgress:
        for index, source in enumerate(progress.sources):
            key = (index, source.description)
            read[key] = read.get(key, 0) + max(source.numInputRows or 0, 0)
    for (_, description), rows in read.items():
        place = next((place for place in fed if place in description), None)
        if place is None:
            raise WrongResult(f"Your query reads a stream the grader did not give you ({description}): "
                              "read the input you were handed.")
        if rows > fed[place]:
            raise WrongResult(f"Your query read {rows} row(s) from its input, but only {fed[place]} "
                              "arrived there: read the input you were handed, as it is.")
