"""The referee's checks that what it reads is the query's own output, on fake queries, plans and
folders, without Spark: a file sink's folder is read by the sink's log, a memory table must be
the query's sink and hold what it wrote, a Kafka topic what the query sent, and no other query
may run beside the task's."""

import json
from types import SimpleNamespace as Fake

import pytest

from grader.referee import results
from grader.referee.results import WrongResult, check_kafka_output, check_memory_table, check_no_other_queries
from grader.referee.sinks import CommittedFiles

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


def session(table=None, active=(), loaded=None):
    """A session with the memory table `table`, the active queries `active`; the paths a batch
    read loads are added to `loaded`."""
    def load(paths):
        loaded.extend(paths)
        return frame(["home"])

    reader = Fake(load=load)
    return Fake(catalog=Fake(tableExists=lambda name: table is not None), table=lambda name: table,
                streams=Fake(active=list(active)), read=Fake(format=lambda fmt: reader))


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


def file_sink(folder):
    return f"FileSink[file:{folder}]"


def commit(folder, batch: int, *names: str, log: str | None = None) -> None:
    """Write the data files `names` into `folder` and log them as `batch`, as a file sink does."""
    entries = []
    for name in names:
        (folder / name).write_bytes(f"rows of {name}".encode())
        entries.append({"path": (folder / name).as_uri(), "size": (folder / name).stat().st_size, "action": "add"})
    (folder / "_spark_metadata").mkdir(exist_ok=True)
    (folder / "_spark_metadata" / (log or str(batch))).write_text("\n".join(["v1", *map(json.dumps, entries)]))


def test_a_folder_is_read_by_its_log_and_only_up_to_the_query_s_last_batch(tmp_path):
    commit(tmp_path, 0, "part-0.parquet")
    (tmp_path / "part-extra.parquet").write_bytes(b"not in the log")
    loaded = []
    CommittedFiles(tmp_path, "parquet").read(session(loaded=loaded), query(file_sink(tmp_path), -1))
    assert loaded == [str(tmp_path / "part-0.parquet")]
    commit(tmp_path, 1, "part-1.parquet")
    with pytest.raises(WrongResult, match="ends at batch 1, but your query's last batch is 0"):
        CommittedFiles(tmp_path, "parquet").read(session(loaded=[]), query(file_sink(tmp_path), -1))


def test_a_compacted_log_lists_every_file_up_to_its_batch(tmp_path):
    commit(tmp_path, 0, "part-0.parquet")
    commit(tmp_path, 1, "part-0.parquet", "part-1.parquet", log="1.compact")
    commit(tmp_path, 2, "part-2.parquet")
    loaded = []
    CommittedFiles(tmp_path, "parquet").read(session(loaded=loaded), query(file_sink(tmp_path), -1, -1, -1))
    assert loaded == [str(tmp_path / f"part-{batch}.parquet") for batch in range(3)]


def test_a_folder_without_the_log_or_written_by_another_sink_is_refused(tmp_path):
    (tmp_path / "part-0.parquet").write_bytes(b"written by pyarrow")
    with pytest.raises(WrongResult, match="has no `_spark_metadata`.*write it with a file sink"):
        CommittedFiles(tmp_path, "parquet").read(session(), query("ForeachBatchSink", -1))
    commit(tmp_path, 0, "part-0.parquet")
    with pytest.raises(WrongResult, match="writes to ForeachBatchSink, not to files in the folder"):
        CommittedFiles(tmp_path, "parquet").read(session(), query("ForeachBatchSink", -1))
    with pytest.raises(WrongResult, match="writes to FileSink\\[file:/elsewhere\\], not to files in the folder"):
        CommittedFiles(tmp_path, "parquet").read(session(), query(file_sink("/elsewhere"), -1))


def test_a_log_entry_read_once_cannot_change_later(tmp_path):
    files = CommittedFiles(tmp_path, "parquet")
    commit(tmp_path, 0, "part-0.parquet")
    files.read(session(loaded=[]), query(file_sink(tmp_path), -1))
    commit(tmp_path, 0, "part-0.parquet", "part-smuggled.parquet")  # batch 0's entry, rewritten
    commit(tmp_path, 1, "part-1.parquet")
    with pytest.raises(WrongResult, match="`_spark_metadata/0` is not as your query committed it"):
        files.read(session(loaded=[]), query(file_sink(tmp_path), -1, -1))


def test_a_data_file_must_be_as_large_as_the_log_says(tmp_path):
    commit(tmp_path, 0, "part-0.parquet")
    (tmp_path / "part-0.parquet").write_bytes(b"other rows, and more of them")
    with pytest.raises(WrongResult, match="`part-0.parquet` is not as your query committed it"):
        CommittedFiles(tmp_path, "parquet").read(session(loaded=[]), query(file_sink(tmp_path), -1))


def test_a_log_no_file_sink_wrote_is_refused_as_changed(tmp_path):
    commit(tmp_path, 0, "part-0.parquet")
    (tmp_path / "_spark_metadata" / "0").write_text('v1\n{"path": 7}')
    with pytest.raises(WrongResult, match="`_spark_metadata/0` is not as your query committed it"):
        CommittedFiles(tmp_path, "parquet").read(session(), query(file_sink(tmp_path), -1))
    outside = tmp_path.parent / "outside.parquet"
    outside.write_bytes(b"rows")
    entry = {"path": outside.as_uri(), "size": 4, "action": "add"}
    (tmp_path / "_spark_metadata" / "0").write_text(f"v1\n{json.dumps(entry)}")
    with pytest.raises(WrongResult, match="outside.parquet` is not as your query committed it"):
        CommittedFiles(tmp_path, "parquet").read(session(), query(file_sink(tmp_path), -1))
