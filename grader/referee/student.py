"""The student's side of a run, as the referee sees it: something that calls the student's
function and hands back what it returned.

`RemoteStudent` reaches a confined worker process over a socket. What comes back is a handle,
never a result: the plan of a returned DataFrame (rebuilt in the referee's own session, where
Spark analyses it afresh), the id of a started query (driven through the referee's own client),
or the name of some other type. Between calls every process of the student's is stopped
(SIGSTOP), so nothing of theirs runs while the referee feeds, drives and reads.
"""

from __future__ import annotations

import base64
import json
import os
import select
import signal
import socket
import time
from contextlib import suppress
from typing import Protocol

from grader import outcome as kinds
from grader.lifecycle import become_subreaper, parents
from grader.outcome import Failure
from grader.time_limits import STOP_SIGNAL, OutOfTime, out_of_time_message

# What a worker may report about a call: the ways student code fails. Anything else it claims
# (an engine failure, say) is its own code talking, and counts as an exception.
STUDENT_KINDS = (kinds.LOAD, kinds.MISSING, kinds.NOT_IMPLEMENTED, kinds.EXCEPTION, kinds.WRONG_RESULT,
                 kinds.EXIT, kinds.TIMEOUT, kinds.SPARK_STOPPED, kinds.QUERY_FAILED)
REPLY_GRACE = 10.0  # once asked to stop, how long the worker has to reply


class StudentFailed(Exception):
    """The student's function failed; `failure` says how, for the outcome."""

    def __init__(self, failure: Failure):
        super().__init__(failure.message)
        self.failure = failure


class WorkerLost(Exception):
    """The worker process went away or stopped answering; `failure` says what to record."""

    def __init__(self, failure: Failure):
        super().__init__(failure.message)
        self.failure = failure


class Student(Protocol):
    printed: str

    def call(self, recipes: dict[str, dict]) -> object:
        """Call the student's function with the arguments the recipes stand for."""


class Descendants:
    """Every process below this one. The referee makes itself a child subreaper, so a process the
    student's code double-forks away stays below it, where it can be stopped and killed."""

    def __init__(self):
        become_subreaper()
        self.own = os.getpid()

    def pids(self) -> list[int]:
        known = parents()
        below, frontier = set(), {self.own}
        while frontier:
            frontier = {pid for pid, parent in known.items() if parent in frontier} - below
            below |= frontier
        return sorted(below)

    def signal_all(self, signum: int) -> None:
        for pid in self.pids():
            with suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signum)


class RemoteStudent:
    """Calls `task` of the submission in the worker at the end of `channel`."""

    def __init__(self, channel: Channel, spark, descendants: Descendants, worker: int, call: dict):
        self.channel = channel
        self.spark = spark
        self.descendants = descendants
        self.worker = worker  # its pid
        self.request = call  # exercise, task, submission, budget
        self.printed = ""
        self.skipped: list[str] = []  # notebook code the worker left out when importing
        self.calling = False
        self.stop_asked: float | None = None  # when the worker was asked to stop the call

    def call(self, recipes: dict[str, dict]) -> object:
        self.descendants.signal_all(signal.SIGCONT)
        self.calling = True
        try:
            self.channel.send({"call": {**self.request, "arguments": recipes}})
            reply = self.channel.receive()
        finally:
            self.calling = False
            self.descendants.signal_all(signal.SIGSTOP)
        self.printed += str(reply.get("printed", ""))[:4000]
        self.skipped = [str(line)[:300] for line in reply.get("skipped", [])][:50]
        if "failure" in reply:
            failure = Failure(**reply["failure"])
            if failure.kind not in STUDENT_KINDS:
                failure = Failure(kinds.EXCEPTION, failure.message)
            raise StudentFailed(failure)
        return self._rebuilt(reply["returned"])

    def out_of_time(self, past_ceiling: bool) -> None:
        """The task is out of time: a call under way is asked to stop, and given REPLY_GRACE to
        say where the student's code was; otherwise, or past that, OutOfTime. A call is the
        student's even past the ceiling: their function only plans and starts queries, which a
        busy machine slows by seconds, so what keeps it that long is their sleep or wait."""
        if not self.calling:
            raise OutOfTime(busy=past_ceiling)
        if self.stop_asked is None:
            self.stop_asked = time.monotonic()
            with suppress(ProcessLookupError):
                os.kill(self.worker, STOP_SIGNAL)
        elif time.monotonic() - self.stop_asked > REPLY_GRACE:
            raise OutOfTime()

    def _rebuilt(self, handle: dict) -> object:
        """The referee's own object for what the function returned."""
        kind = handle["kind"]
        if kind == "dataframe":
            from pyspark.sql.connect import proto

            plan = proto.Plan()
            plan.ParseFromString(base64.b64decode(handle["plan"]))
            return _dataframe(plan.root, self.spark)
        if kind == "query":
            from pyspark.sql.connect.streaming.query import StreamingQuery

            return StreamingQuery(self.spark, handle["id"], handle["run_id"], handle["name"])
        if kind == "none":
            return None
        return type(str(handle.get("type", "object"))[:80], (), {})()


def _dataframe(relation, spark):
    from pyspark.sql.connect.dataframe import DataFrame
    from pyspark.sql.connect.plan import LogicalPlan

    class Received(LogicalPlan):
        """A plan that arrived as a protobuf relation."""

        def __init__(self):
            super().__init__(None)

        def plan(self, session):
            return relation

    return DataFrame(Received(), spark)


class Channel:
    """JSON messages, one per line, over a socket between the referee and its worker."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.pending = b""

    def send(self, message: dict) -> None:
        self.sock.sendall((json.dumps(message) + "\n").encode())

    def receive(self, timeout: float | None = None) -> dict:
        """The next message, or WorkerLost when the worker ends or stays silent past `timeout`
        (by default it is waited for: the task's clock bounds the wait)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self.pending:
            remaining = 1.0 if deadline is None else deadline - time.monotonic()
            if remaining <= 0:
                raise WorkerLost(Failure(kinds.TIMEOUT, out_of_time_message(timeout)))
            ready, _, _ = select.select([self.sock], [], [], min(remaining, 1.0))
            if ready:
                chunk = self.sock.recv(1 << 16)
                if not chunk:
                    raise WorkerLost(Failure(
                        kinds.CRASH, "The Python process running your code ended abruptly (os._exit(), "
                        "a crash, or running out of memory), so this task has no result."))
                self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return json.loads(line)
