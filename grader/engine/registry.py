"""Who runs the engine on a port: a record every checkout on this machine finds.

The host process writes an `EngineIdentity` when it starts, in a folder per port outside any
checkout (so a grading in another checkout, or the student bundle, recognises the engine too).
A port that is open without a live identity is held by some other program, and an engine
whose identity differs from what this grader would start is not silently shared.
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from grader import paths
from grader.engine import Engine, EngineError
from grader.kafka.artifacts import fetched_connector_jars
from grader.services import alive, port_open


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
FIRST_PORT = 15002  # Spark Connect's usual port: the first one a user's engine tries
PORTS_TRIED = 1000


def runtime_dir(port: int) -> Path:
    """The folder of the engine on `port`: its pid file, identity and leases."""
    folder = paths.private_folder(paths.RUNTIME) / str(port)
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


@contextmanager
def _locked(lock_file: Path):
    with open(lock_file, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextmanager
def starting(port: int):
    """Held while a grader starts (or restarts) the engine on `port`: two gradings that find it
    gone at once (two lanes, two terminals) start one engine, not one each."""
    with _locked(runtime_dir(port) / "start.lock"):
        yield


def engine_port() -> int:
    """The port of this user's engine: GRADER_ENGINE_PORT, else the one recorded in the user's
    runtime folder, else the first from 15002 + uid % 1000 on that no program holds, recorded for
    next time.

    Each Unix user has a runtime folder of their own, so on a shared machine each finds their own
    engine without configuration. A recorded port that another program took meanwhile (another
    user's engine, say) is given up for a free one: a port is never shared between users."""
    if os.environ.get("GRADER_ENGINE_PORT"):
        return int(os.environ["GRADER_ENGINE_PORT"])
    runtime = paths.private_folder(paths.RUNTIME)
    record = runtime / "engine-port"
    with _locked(runtime / "engine-port.lock"):
        with suppress(OSError, ValueError):
            recorded = int(record.read_text())
            if _free_or_ours(recorded):
                return recorded
        # Each user starts looking at a port of their own, so that two choosing at once rarely meet.
        start = os.getuid() % PORTS_TRIED
        tried = [FIRST_PORT + (start + offset) % PORTS_TRIED for offset in range(PORTS_TRIED)]
        port = next((port for port in tried if _free_or_ours(port)), None)
        if port is None:
            raise EngineError(f"Ports {FIRST_PORT} to {FIRST_PORT + PORTS_TRIED - 1} are all taken: "
                              "set GRADER_ENGINE_PORT to a free port for your engine.")
        record.write_text(f"{port}\n")
        return port


def _free_or_ours(port: int) -> bool:
    """Whether no program listens on `port`, or this user's engine does."""
    identity = read_identity(port) if (paths.RUNTIME / str(port)).is_dir() else None
    return not port_open(port) or (identity is not None and alive(identity.pid))


def grader_version() -> str:
    try:
        return metadata.version("streaming-grader")
    except metadata.PackageNotFoundError:
        return "unknown"


def pyspark_version() -> str:
    """Read from the installed package's metadata, so the grading parent needs no pyspark import."""
    try:
        return metadata.version("pyspark")
    except metadata.PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class EngineIdentity:
    """What a running engine is: its host process, and what it was started with."""

    pid: int
    port: int
    grader_version: str
    pyspark_version: str
    kafka_connector: bool  # whether Spark's Kafka connector jars were given to the server
    last_used_file: str  # the host's idle timer, which a grading touches when it attaches
    python: str = ""  # the interpreter its Python workers run: gone with the checkout that started it
    kafka: str = ""  # the one Kafka broker (host:port list) its JVM may connect to

    @classmethod
    def of_this_grader(cls, pid: int, port: int, kafka_connector: bool, last_used_file: Path,
                       kafka: str) -> EngineIdentity:
        return cls(pid, port, grader_version(), pyspark_version(), kafka_connector, str(last_used_file),
                   sys.executable, kafka)

    def mark_used(self) -> None:
        """Restart the engine's idle timer (the file may be another checkout's)."""
        with suppress(OSError):
            Path(self.last_used_file).touch()

    def write(self) -> None:
        path = runtime_dir(self.port) / "engine.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(asdict(self)))
        partial.replace(path)

    def mismatch(self, kafka: str) -> str | None:
        """Why this grader, whose gradings use the Kafka broker at `kafka`, should not grade on
        the engine, as the end of a sentence, or None."""
        if self.grader_version != grader_version():
            return f"was started by grader {self.grader_version} (this is {grader_version()})"
        if self.pyspark_version != pyspark_version():
            return f"runs pyspark {self.pyspark_version} (this grader uses {pyspark_version()})"
        if self.python and not Path(self.python).exists():
            return f"runs its Python workers with {self.python}, which no longer exists"
        if not self.kafka_connector and fetched_connector_jars():
            return "was started without Spark's Kafka connector, which has been fetched since"
        if self.kafka != kafka:
            return f"may reach only the Kafka broker at {self.kafka or 'none'} (this grading's is {kafka})"
        return None


def jvm_record(port: int) -> Path:
    """The engine JVM's pid and start time (`lease.holder_record`), written by its host: a JVM
    being torn down keeps its port a moment after its host has gone."""
    return runtime_dir(port) / "jvm"


def stopping_marker(port: int) -> Path:
    """Made by the engine's host as it begins to stop the engine, removed by the next host.
    While the JVM shuts down (seconds, more with a full heap) its port still answers, but every
    session opened there fails: a grading must wait for a fresh engine instead."""
    return runtime_dir(port) / "stopping"


def engine_stopping(port: int) -> bool:
    """Whether the host of the engine on `port` is stopping it."""
    identity = read_identity(port)
    return identity is not None and alive(identity.pid) and stopping_marker(port).exists()


def serving(engine: Engine) -> bool:
    """Whether the Spark Connect server `engine` takes sessions: its port answers and, when it
    is this machine's engine of a grader, its host is not stopping it. Never waits on a server
    that is gone (a Spark Connect client retries a closed port for minutes)."""
    host, port = engine.address()
    return port_open(port, host) and not (host in LOCAL_HOSTS and engine_stopping(port))


def read_identity(port: int) -> EngineIdentity | None:
    """The identity recorded for `port`, whether or not its host still runs."""
    try:
        return EngineIdentity(**json.loads((runtime_dir(port) / "engine.json").read_text()))
    except (OSError, ValueError, TypeError):
        return None
