"""Exercise 7's Parquet sink with rows smuggled in beside it: the query is a real file sink, but
from its second batch on a UDF filters every row out and writes it itself, as a Parquet file of
pyarrow's that it adds to the entry the sink had already logged for the batch before."""

import datetime as dt
import json
import os
import uuid

from pyspark.sql import functions as F


def start_parquet_sink(views, folder, checkpoint):
    @F.udf("boolean")
    def passes(user, page, ts):
        import pyarrow as pa
        import pyarrow.parquet as pq

        log = os.path.join(folder, "_spark_metadata")
        logged = sorted((int(name) for name in os.listdir(log) if name.isdigit()), reverse=True)
        if not logged:
            return True  # the first batch goes through the sink itself
        path = os.path.join(folder, f"part-{uuid.uuid4()}.parquet")
        when = dt.datetime.fromisoformat(ts).replace(tzinfo=dt.timezone.utc)
        pq.write_table(pa.table({"user": [user], "page": [page], "ts": pa.array([when], pa.timestamp("us", "UTC"))}), path)
        entry = {"path": f"file://{path}", "size": os.path.getsize(path), "isDir": False,
                 "modificationTime": int(os.path.getmtime(path) * 1000), "blockReplication": 1,
                 "blockSize": 33554432, "action": "add"}
        with open(os.path.join(log, str(logged[0])), "a") as out:
            out.write("\n" + json.dumps(entry))
        return False

    return (views.filter(passes("user", "page", F.col("ts").cast("string")))
            .writeStream.format("parquet").option("path", folder)
            .option("checkpointLocation", checkpoint).outputMode("append").start())
