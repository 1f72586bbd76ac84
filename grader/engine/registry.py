"""Who runs the engine on a port: a record every checkout on this machine finds.

The host process writes an `EngineIdentity` when it starts, in a folder per port outside any
checkout (so a grading in another checkout, or the student bundle, recognises the engine too).
A port that is open without a live identity is held by some other program, and an engine
whose identity differs from what this grader would start is not silently shared.
"""

from __future__ import annotations

import fcntl
import json
import sys
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from grader import paths
from grader.kafka.artifacts import fetched_connector_jars


def runtime_dir(port: int) -> Path:
    """The folder of the engine on `port`: its pid file, identity and leases."""
    return paths.RUNTIME / str(port)


@contextmanager
def starting(port: int):
    """Held while a grader starts (or restarts) the engine on `port`: two gradings that find it
    gone at once (two lanes, two terminals) start one engine, not one each."""
    folder = runtime_dir(port)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "start.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


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

    @classmethod
    def of_this_grader(cls, pid: int, port: int, kafka_connector: bool, last_used_file: Path) -> EngineIdentity:
        return cls(pid, port, grader_version(), pyspark_version(), kafka_connector, str(last_used_file),
                   sys.executable)

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

    def mismatch(self) -> str | None:
        """Why this grader should not grade on the engine, as the end of a sentence, or None."""
        if self.grader_version != grader_version():
            return f"was started by grader {self.grader_version} (this is {grader_version()})"
        if self.pyspark_version != pyspark_version():
            return f"runs pyspark {self.pyspark_version} (this grader uses {pyspark_version()})"
        if self.python and not Path(self.python).exists():
            return f"runs its Python workers with {self.python}, which no longer exists"
        if not self.kafka_connector and fetched_connector_jars():
            return "was started without Spark's Kafka connector, which has been fetched since"
        return None


def read_identity(port: int) -> EngineIdentity | None:
    """The identity recorded for `port`, whether or not its host still runs."""
    try:
        return EngineIdentity(**json.loads((runtime_dir(port) / "engine.json").read_text()))
    except (OSError, ValueError, TypeError):
        return None
