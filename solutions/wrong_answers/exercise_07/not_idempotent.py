import sqlite3


def start_sqlite_sink(views, database, checkpoint):
    def write(batch, batch_id):
        rows = [(batch_id, r["user"], r["page"]) for r in batch.select("user", "page").collect()]
        with sqlite3.connect(database) as connection:
            connection.execute("CREATE TABLE IF NOT EXISTS views (batch_id INTEGER, user TEXT, page TEXT)")
            connection.executemany("INSERT INTO views VALUES (?, ?, ?)", rows)

    return views.writeStream.foreachBatch(write).option("checkpointLocation", checkpoint).start()
