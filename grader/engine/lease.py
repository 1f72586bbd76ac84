"""Leases: a grading's claim on the warm engine, so the engine never stops under it.

A grading holds a lease while it runs, whichever way it reached the engine (started it, found
it, or was given its URL with `--remote`). A lease is a file naming the grading's process; the
engine's host counts it while that process lives, so a grading that is killed leaves no lease
that keeps the engine up for ever. The host stops only after its idle time without a lease.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from grader.engine import Engine
from grader.engine.registry import LOCAL_HOSTS, read_identity, runtime_dir


def leases_dir(port: int) -> Path:
    return runtime_dir(port) / "leases"


@contextmanager
def engine_lease(engine: Engine) -> Iterator[None]:
    """Hold a lease on the engine for the duration, when `engine` is a warm engine of this
    machine; on any other engine (local, a remote server) do nothing."""
    lease = _lease_file(engine)
    if lease is None:
        yield
        return
    prune(lease.parent)
    lease.write_text(holder_record())
    try:
        yield
    finally:
        lease.unlink(missing_ok=True)


def live_leases(port: int) -> list[Path]:
    """The leases on the engine at `port` whose grading still runs."""
    try:
        leases = list(leases_dir(port).iterdir())
    except OSError:
        return []
    return [lease for lease in leases if holder_runs(lease)]


def _lease_file(engine: Engine) -> Path | None:
    if not engine.is_connect:
        return None
    host, port = engine.address()
    if host not in LOCAL_HOSTS or read_identity(port) is None:
        return None
    folder = leases_dir(port)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"


def holder_record(pid: int | None = None) -> str:
    """What a file held for as long as process `pid` (this one by default) runs says: its pid
    and when it started."""
    pid = pid or os.getpid()
    return f"{pid} {_start_time(pid, zombie_too=True)}\n"


def prune(folder: Path) -> None:
    """Remove the files of `folder` whose holder process no longer runs (killed before it could
    remove its own)."""
    for held in folder.iterdir():
        if not holder_runs(held):
            held.unlink(missing_ok=True)


def holder_runs(held: Path, until_reaped: bool = False) -> bool:
    """Whether the process `held` names (`holder_record`) still runs (its start time rules out a
    reused pid). With `until_reaped`, also once it has exited and is not yet reaped: a killed
    process's main thread shows as a zombie while its other threads still hold its files and
    sockets."""
    with suppress(OSError, ValueError):
        pid, started = held.read_text().split()
        return _start_time(int(pid), zombie_too=until_reaped) == started
    return False


def _start_time(pid: int, zombie_too: bool = False) -> str | None:
    """When `pid` started, in clock ticks since boot; None if it is gone (or a zombie, unless
    `zombie_too`)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return None if fields[0] == "Z" and not zombie_too else fields[19]
