"""Kafka tooling: pinned broker and Spark connector jars, a local KRaft broker, topic helpers.

Nothing here imports Spark; the broker runs as a detached JVM that outlives the command that
started it, so students can keep it up across grading runs.
"""

import os

# How users run these tools; error messages name the command that fixes the problem.
COMMAND = "grade kafka"


class KafkaToolError(RuntimeError):
    """An expected failure, worded for the user: what happened and the command that fixes it."""


def broker_port() -> int:
    """The port of the local broker: GRADER_KAFKA_PORT, else Kafka's usual 9092."""
    return int(os.environ.get("GRADER_KAFKA_PORT", 9092))


def default_bootstrap() -> str:
    """The broker clients talk to: GRADER_KAFKA_BOOTSTRAP, else the local broker."""
    return os.environ.get("GRADER_KAFKA_BOOTSTRAP") or f"127.0.0.1:{broker_port()}"


def bootstrap_ports(bootstrap: str) -> tuple[int, ...]:
    """The ports of a `host:port,host:port` bootstrap list."""
    return tuple(int(address.rsplit(":", 1)[1]) for address in bootstrap.split(",") if ":" in address)
