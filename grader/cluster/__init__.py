"""A Spark standalone cluster on this machine, for a class larger than the warm engine serves:
a master, workers and a Spark Connect server whose executors run on those workers, all started
from the installed pyspark's own jars. Gradings reach it with `--remote` (`grade cluster`)."""
