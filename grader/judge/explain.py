"""Spark's refusals, told as the rule the student broke instead of a JVM stack trace."""

from __future__ import annotations

import re

from grader import outcome as kinds
from grader.outcome import Failure

APPEND_NEEDS_WATERMARK = (
    "Append mode on an aggregation needs a watermark: it writes a group once, when the group can no "
    "longer change, and only an event-time watermark tells Spark that. A count by word or by key, "
    "with no event time, cannot be appended: run it in update mode (the rows a batch changed) or "
    "complete mode (the whole table). A count by event-time window can: add withWatermark(...) on "
    "the column the windows are built on."
)

# (pattern on Spark's message, the rule in a sentence). First match wins.
SPARK_RULES: list[tuple[str, str]] = [
    (r"output mode: complete.*no streaming aggregations",
     "Complete mode needs an aggregation: it re-emits the whole result table, so a query that "
     "only selects or filters rows must run in append mode."),
    (r"output mode: append.*aggregations without watermark", APPEND_NEEDS_WATERMARK),
    (r"output mode: update.*session window",
     "Session windows do not support update mode: a session can still merge with the next one, so "
     "use append (with a watermark) or complete mode."),
    (r"output mode: \w+.*not supported in Data Source",
     "A file sink can only append: each micro-batch adds new files and never rewrites old ones, "
     "so only append mode is allowed."),
    (r"does not support recovering from checkpoint location",
     "The checkpoint folder already holds another query's progress: every query needs a "
     "checkpoint of its own."),
    (r"output mode: (\w+).*not supported",
     "This output mode is not allowed for this query: complete mode needs an aggregation; append "
     "mode on an aggregation needs a watermark on its event-time column; update mode suits "
     "aggregations whose rows change."),
    (r"Schema must be specified when creating a streaming source",
     "Spark could not tell the columns of your file stream: name the files' format, and give a "
     "schema unless the format has its own. Text files need no schema: spark.readStream.text(folder) "
     "(or .format('text').load(folder)) gives one `value` column. A .load(folder) with no format "
     "reads Parquet, and CSV or JSON files need their columns given with .schema(...), since files "
     "that have not arrived yet cannot be inspected."),
    (r"Stream-stream (LeftOuter|RightOuter|FullOuter|LeftSemi) join .* not supported without a watermark",
     "An outer or semi join of two streams needs watermarks and a time-range condition, so Spark "
     "knows when a row can no longer match: add withWatermark(...) on both sides and bound the "
     "event times in the join condition."),
    (r"RightOuter join with a streaming DataFrame/Dataset on the left and a static",
     "With the stream on the left, a stream-static join can be inner, left outer or left semi, not "
     "right or full outer: Spark cannot know that a static row will never match a future event."),
    (r"slide_duration.*must be <=.*window_duration|slideDuration.*must be less than or equal to the windowDuration",
     "A window's slide (the third argument of window()) cannot be longer than its length (the "
     "second): window(col, length, slide), e.g. window('ts', '1 minute', '30 seconds')."),
    (r"Global aggregation with session window in streaming query is not supported",
     "A streaming session window needs another grouping key besides session_window(...), such as "
     "a user or device id: Spark keeps sessions per key, not one global session in a stream."),
    (r"FullOuter joins? with streaming DataFrames?/Datasets? on the left and a static",
     "With the stream on the left, a stream-static join cannot be full outer: it would have to "
     "output static rows no event matched. Use a left outer join to keep every event."),
    (r"(LeftOuter|LeftSemi|LeftAnti) joins? with a streaming DataFrame/Dataset on the right and a static",
     "Put the stream on the left: stream.join(static, key, 'left') or 'left_semi'; with the static "
     "table on the left only inner and right outer joins work."),
    (r"Required attribute 'value' not found",
     "The Kafka sink sends each row as a message made from a column named `value` (and an "
     "optional `key`): select them, e.g. F.col('word').alias('key'), "
     "F.col('count').cast('string').alias('value')."),
    (r"(key|value) attribute unsupported type",
     "A Kafka message's key and value are strings or bytes: cast other columns with "
     ".cast('string') before writing them to Kafka."),
    (r"Sorting is not supported on streaming",
     "A stream cannot be sorted, except an aggregation in complete mode: remove orderBy/sort."),
    (r"Multiple streaming aggregations are not supported",
     "A streaming query may aggregate only once in this mode: combine the aggregations into one."),
    (r"UNRESOLVED_COLUMN|cannot be resolved",
     "Your query names a column the DataFrame does not have."),
    (r"Append output mode not supported when there are streaming aggregations", APPEND_NEEDS_WATERMARK),
]


def spark_rule(message: str) -> str | None:
    for pattern, sentence in SPARK_RULES:
        if re.search(pattern, message, flags=re.DOTALL):
            return sentence
    return None


def explain(failure: Failure) -> str:
    """What happened, in words a student can act on."""
    if failure.kind not in (kinds.QUERY_FAILED, kinds.EXCEPTION):
        return failure.message
    rule = spark_rule(f"{failure.message}\n{failure.detail}")
    where = f" (at fixture batch {failure.batch + 1})" if failure.batch is not None else ""
    if rule:
        return f"Spark refused your query{where}: {rule}"
    if failure.kind == kinds.QUERY_FAILED:
        return f"Your query failed{where}: {failure.message}"
    return failure.message + where


def fingerprint(failure: Failure) -> tuple[str, str]:
    """What makes two failures the same mistake: their kind and the rule (or message) given."""
    return failure.kind, spark_rule(f"{failure.message}\n{failure.detail}") or failure.message
