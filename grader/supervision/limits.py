"""Limits on a worker beyond time: its memory, the size of what it writes, and the processes it
leaves behind.

Every worker carries a random token in its environment, which its children inherit even when
they start a session of their own or double-fork away from its process group; killing a worker
kills every process that carries its token.
"""

from __future__ import annotations

import os
import resource
import signal
from contextlib import suppress
from pathlib import Path

TOKEN_VARIABLE = "GRADER_WORKER_TOKEN"
MEMORY_LIMIT_MB = float(os.environ.get("GRADER_MEMORY_LIMIT_MB", 2048))
# No file a worker writes (its output log included) may grow past this: a loop that prints to the
# real stdout or writes a file without end would otherwise fill the disk before its deadline.
FILE_LIMIT_MB = float(os.environ.get("GRADER_FILE_LIMIT_MB", 128))


def limit_file_size() -> None:
    """Past FILE_LIMIT_MB a write fails with EFBIG (Python ignores SIGXFSZ), in this process and
    every process it starts."""
    limit = int(FILE_LIMIT_MB * 1024 * 1024)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def resident_mb(pid: int) -> float:
    """The resident memory of one process, in MiB (0 once it is gone)."""
    with suppress(OSError, ValueError, IndexError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def tagged(token: str) -> list[int]:
    """Every process whose environment carries `token`."""
    marker = f"{TOKEN_VARIABLE}={token}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with suppress(OSError):
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
    return found


def kill_tagged(token: str) -> None:
    for pid in tagged(token):
        with suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
