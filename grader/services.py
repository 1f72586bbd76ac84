"""Background services the grader starts and finds again later: the warm Spark engine and the
Kafka broker. Each is a detached process in its own session, known by its pid file. Linux only
(/proc tells whether a pid is still the process we started)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts connections on `host`:`port`."""
    with suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def listeners(port: int) -> set[int]:
    """The uids of the processes listening on TCP `port` of this machine (any address)."""
    uids = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with suppress(OSError), open(table) as rows:
            next(rows)
            for row in rows:
                fields = row.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                    uids.add(int(fields[7]))
    return uids


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie does not); reaps it if it is an exited child of ours."""
    with suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def wait_for_exit(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@dataclass(frozen=True)
class Service:
    """A detached process recorded in `pid_file`; `marker`, one of its command-line arguments,
    tells it apart from an unrelated process that reused the pid."""

    pid_file: Path
    marker: str

    def running_pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text())
            arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError):
            return None
        return pid if self.marker.encode() in arguments and alive(pid) else None

    def launch(self, argv: list[str], log_file: Path, cwd: Path, env: dict | None = None) -> int:
        """Start `argv` detached (its own session, output to `log_file`) and record its pid."""
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        with open(log_file, "wb") as log:
            process = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=cwd, env=env, start_new_session=True,
            )
        self.pid_file.write_text(f"{process.pid}\n")
        return process.pid

    def terminate(self, timeout: float = 30.0) -> bool:
        """SIGTERM, then SIGKILL after `timeout` s, to the whole process group. False if none ran."""
        pid = self.running_pid()
        if pid is not None:
            with suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
            if not wait_for_exit(pid, timeout):
                with suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
                wait_for_exit(pid, 10.0)
        self.pid_file.unlink(missing_ok=True)
        return pid is not None


def tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
