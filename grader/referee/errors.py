"""Failures whose cause is the grading infrastructure, told apart from the student's by Spark's
own words: such a task is retried on a healthy engine, never scored."""

from __future__ import annotations

import re

# (pattern on an error's text, what happened, for the report). First match wins.
INFRASTRUCTURE_SIGNS: list[tuple[str, str]] = [
    (r"Python worker failed to connect back|CANNOT_OPEN_SOCKET|Timed out while waiting for the Python worker",
     "A Python worker of the Spark engine did not start in time (the machine was too busy)."),
    (r"StatusCode\.UNAVAILABLE|failed to connect to all addresses|Connection refused|Socket closed",
     "The Spark engine stopped answering."),
    (r"StatusCode\.DEADLINE_EXCEEDED|RETRIES_EXCEEDED",
     "The Spark engine did not answer in time."),
]


def infrastructure_cause(message: str) -> str | None:
    """What went wrong with the engine, when `message` says so; None when it is the code's doing."""
    for pattern, what in INFRASTRUCTURE_SIGNS:
        if re.search(pattern, message):
            return f"{what} This is not a problem with your code; the task was not graded."
    return None
