"""Turn what a task returned into snapshots: the rows its sink holds after each fixture batch."""

from __future__ import annotations

import datetime as dt
import decimal
import math
from typing import Iterator

from pyspark.sql import DataFrame, Row

from grader.outcome import Snapshot


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
    if not all(hasattr(value, attr) for attr in ("processAllAvailable", "isActive", "name")):
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


def sink_snapshots(query, feed, read, batch_count: int) -> Iterator[Snapshot]:
    """Feed each fixture batch, run it through the query, and yield what `read()` finds in its sink."""
    for index in range(batch_count):
        feed(index)
        try:
            query.processAllAvailable()
        except Exception as error:
            error.fixture_batch = index  # the runner reports where in the stream it failed
            raise
        yield read()
