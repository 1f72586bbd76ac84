"""Spark settings for grading tiny deterministic streams (no Spark import: the parent reads them).

Spark's defaults are sized for clusters: 200 shuffle partitions make a stateful micro-batch on a
few rows about twenty times slower than 2 partitions. The same settings serve every engine.
"""

from pathlib import Path

LOG4J_CONFIG = Path(__file__).with_name("log4j2.properties")

TINY_STREAM_CONF = {
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.streaming.forceDeleteTempCheckpointLocation": "true",
}

# What makes pyspark (and spark-submit) a Spark Connect client: set in a grading's process once it
# attaches to the engine, or in a user's profile. An engine, or a local session, started with
# them would look for a server instead of being one ("Remote cannot be specified with master").
CONNECT_CLIENT_VARIABLES = ("SPARK_REMOTE", "SPARK_CONNECT_MODE_ENABLED")

LOCAL_ONLY_CONF = {
    "spark.master": "local[2]",
    "spark.app.name": "streaming-grader",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.memory": "1g",
    "spark.driver.extraJavaOptions": f"-Dlog4j.configurationFile=file:{LOG4J_CONFIG}",
}
