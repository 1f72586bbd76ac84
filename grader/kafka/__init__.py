"""Kafka tooling: pinned broker and Spark connector jars, a local KRaft broker, topic helpers.

Nothing here imports Spark; the broker runs as a detached JVM that outlives the command that
started it, so students can keep it up across grading runs.
"""

# How users run these tools; error messages name the command that fixes the problem.
COMMAND = "grade kafka"


class KafkaToolError(RuntimeError):
    """An expected failure, worded for the user: what happened and the command that fixes it."""
