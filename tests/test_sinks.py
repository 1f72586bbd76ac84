"""The referee's checks that what it reads is the query's own output, on fake queries and plans,
without Spark: a memory table must be the query's sink and hold what it wrote, a Kafka topic what
the query sent, and no other query may run beside the task's."""

from types import SimpleNamespace as Fake

import pytest

from grader.referee import results
from grader.referee.results import WrongResult, check_kafka_output, check_memory_table, check_no_other_queries

MEMORY_TABLE_PLAN = """== Parsed Logical Plan ==
'UnresolvedRelation [counts], [], false

== Analyzed Logical Plan ==
page: string, count: bigint
SubqueryAlias counts
+- View (`counts`, [page#1, count#2L])
   +- MemoryPlan MemorySink, [page#1, count#2L]

== Optimized Logical Plan ==
MemoryPlan MemorySink, [page#1, count#2L]
"""
# `spark.table("counts").filter(...).createOrReplaceTempView("counts")`, over the sink's own table.
FILTERED_VIEW_PLAN = MEMORY_TABLE_PLAN.replace("   +- MemoryPlan MemorySink, [page#1, count#2L]\n", """\
   +- Filter (count#2L > 1)
      +- SubqueryAlias counts
         +- View (`counts`, [page#1, count#2L])
            +- MemoryPlan MemorySink, [page#1, count#2L]
""")


@pytest.fixture(autouse=True)
def no_waiting_for_progress(monkeypatch):
    monkeypatch.setattr(results, "PROGRESS_WAIT", 0.0)


def query(description: str, *rows_per_batch: int, name: str = "", id: str = "q-1"):
    """A query whose progress reports one batch per entry of `rows_per_batch`."""
    progress = [Fake(batchId=batch, durationMs={"addBatch": 1}, sink=Fake(description=description, numOutputRows=rows))
                for batch, rows in enumerate(rows_per_batch)]
    return Fake(recentProgress=progress, name=name, id=id)


def frame(pages: list, plan: str = MEMORY_TABLE_PLAN):
    """A DataFrame of one string column, `page`, analysed as `plan`."""
    page = Fake(name="page", dataType=Fake(simpleString=lambda: "string"))
    return Fake(schema=Fake(fields=[page]), collect=lambda: [(value,) for value in pages],
                _explain_string=lambda extended: plan)


def session(table=None, active=()):
    """A session whose memory tables are all `table`, running the queries `active`."""
    return Fake(catalog=Fake(tableExists=lambda name: table is not None), table=lambda name: table,
                streams=Fake(active=list(active)))


def test_a_view_that_filters_the_memory_sink_is_not_its_table():
    with pytest.raises(WrongResult, match="`counts` is not the memory sink of your query"):
        check_memory_table(session(frame(["home"], FILTERED_VIEW_PLAN)), query("MemorySink", 2), "counts")


def test_a_memory_table_of_a_query_writing_elsewhere_is_not_its_table():
    with pytest.raises(WrongResult, match="Your query writes to NoopTable, not to a memory sink"):
        check_memory_table(session(frame(["home"])), query("NoopTable", 1), "counts")


def test_a_memory_table_holds_what_its_query_wrote_in_either_mode_when_the_mode_is_not_known():
    three = session(frame(["home", "docs", "blog"]))
    assert len(check_memory_table(three, query("MemorySink", 2, 3), "counts").rows) == 3  # complete
    assert len(check_memory_table(three, query("MemorySink", 2, 1), "counts").rows) == 3  # append
    with pytest.raises(WrongResult, match="holds 3 row\\(s\\), but your query wrote 2 or 4"):
        check_memory_table(three, query("MemorySink", 2, 2), "counts")
    with pytest.raises(WrongResult, match="holds 3 row\\(s\\), but your query wrote 1:"):
        check_memory_table(three, query("MemorySink", 2, 1), "counts", mode="complete")


def test_a_kafka_topic_holds_only_what_the_kafka_sink_wrote():
    kafka = "org.apache.spark.sql.kafka010.KafkaSourceProvider$KafkaTable@3c9c6f41"
    check_kafka_output(query(kafka, 3, 2), held=5)
    with pytest.raises(WrongResult, match="holds 7 message\\(s\\), but your query wrote 5"):
        check_kafka_output(query(kafka, 3, 2), held=7)
    with pytest.raises(WrongResult, match="Your query writes to ForeachBatchSink, not to Kafka"):
        check_kafka_output(query("ForeachBatchSink", 3, 2), held=5)


def test_a_query_the_task_did_not_ask_for_is_named():
    own, rate = query("MemorySink", id="own"), query("ForeachBatchSink", name="mender", id="other")
    check_no_other_queries(session(active=[own]), [own])
    with pytest.raises(WrongResult, match="A query this task did not ask for is running \\(`mender`\\)"):
        check_no_other_queries(session(active=[own, rate]), [own])
