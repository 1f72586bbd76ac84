"""Which Spark Connect sessions the warm engine lets in: only those the grader opened.

The engine runs a gate (`gate/SessionGate.java`, a gRPC interceptor of Spark Connect) that
serves a session only while a file named by its id exists in the engine's `sessions/` folder,
and a guard (`gate/SubmissionGuard.java`, a session extension) that loads no code at run time
and keeps each session's objects in it (no tables, databases, global views).
The grader's trusted processes write those files; the engine and student code can only read
them. So nothing a submission starts can live in a session of its own past its grading, and one
student cannot reach another's session. The gate is compiled from source once per pyspark, with
the JDK's `javac`.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from grader.engine.lease import holder_record, prune
from grader.engine.registry import pyspark_version, runtime_dir
from grader.engine.spark_home import installed_spark_home

GATE_SOURCES = sorted((Path(__file__).with_name("gate")).glob("*.java"))
GATE_CLASS = "streaminggrader.SessionGate"
SUBMISSION_GUARD = "streaminggrader.SubmissionGuard"  # see gate/SubmissionGuard.java
SESSIONS_PROPERTY = "streaminggrader.sessions"


class GateUnavailable(RuntimeError):
    """The gate could not be compiled; the message says why."""


def sessions_dir(port: int) -> Path:
    return runtime_dir(port) / "sessions"


def compiled_gate(cache: Path) -> Path:
    """The folder holding the compiled gate (a class-path entry), compiled under `cache` once."""
    sources = b"".join(source.read_bytes() for source in GATE_SOURCES)
    key = hashlib.sha256(sources + pyspark_version().encode()).hexdigest()[:12]
    folder = cache / f"session-gate-{key}"
    if (folder / "streaminggrader" / "SessionGate.class").is_file():
        return folder
    javac = shutil.which("javac")
    if javac is None:
        raise GateUnavailable("the JDK's javac is not installed (install a JDK 17, not only a JRE)")
    jars = installed_spark_home() / "jars"
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    done = subprocess.run([javac, "-nowarn", "-cp", f"{jars}/*", "-d", str(partial), *map(str, GATE_SOURCES)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise GateUnavailable(f"javac failed: {done.stderr.strip()[-1000:]}")
    partial.rename(folder)
    return folder


def gate_conf(gate: Path) -> dict[str, str]:
    """The engine's settings that put the gate in front of every request, and the guard against
    code loaded at run time in every session."""
    return {
        "spark.connect.grpc.interceptor.classes": GATE_CLASS,
        "spark.sql.extensions": SUBMISSION_GUARD,
        "spark.driver.extraClassPath": str(gate),
    }


def gate_java_option(port: int) -> str:
    return f"-D{SESSIONS_PROPERTY}={sessions_dir(port)}"


def prune_admissions(port: int) -> None:
    """Strike off the sessions of gradings that were killed before they could do it themselves."""
    with suppress(OSError):
        prune(sessions_dir(port))


def admit(url: str, session_id: str | None = None) -> tuple[str, Path | None]:
    """Admit a session (a new id unless given) on the engine at `url` for as long as this process
    runs: its id, and the entry that admits it (None on a server that is not this machine's
    engine, which has no gate to tell). The engine's host strikes the entry off once this process
    has ended (`prune_admissions`)."""
    from grader.engine.handshake import address

    session_id = session_id or str(uuid.uuid4())
    _, port = address(url)
    entry = sessions_dir(port) / session_id
    try:
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        entry.write_text(holder_record())
    except OSError:  # not this machine's engine: nothing to admit
        return session_id, None
    return session_id, entry


@contextmanager
def admitted_session(url: str, session_id: str | None = None) -> Iterator[str]:
    """Admit a session (a new id unless given) on the engine at `url` for the duration; its id.
    On a server without the gate the file is simply never read."""
    session_id, entry = admit(url, session_id)
    try:
        yield session_id
    finally:
        if entry is not None:
            entry.unlink(missing_ok=True)
