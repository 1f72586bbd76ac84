"""Child processes that die with the process that started them, even when it is killed -9.

    subprocess.Popen(command, preexec_fn=die_with_parent)

Linux only (`prctl(PR_SET_PDEATHSIG)`); elsewhere `die_with_parent` does nothing. The kernel
counts the *thread* that forked the child as its parent: fork from a thread that lives as long
as the process (the main thread), or the child dies when that thread ends.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1

# Looked up once here: a child between fork and exec should do as little as it can.
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def die_with_parent() -> None:
    """Have the kernel SIGKILL this process the moment its parent dies."""
    if _prctl is None:
        return
    parent = os.getppid()
    if _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"prctl(PR_SET_PDEATHSIG): {os.strerror(error)}")
    if os.getppid() != parent:  # the parent died before the request took hold
        os.kill(os.getpid(), signal.SIGKILL)


PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    """Adopt every orphan among this process's descendants (a double-forked daemon included),
    instead of letting it move to init, out of reach."""
    if _prctl is not None:
        _prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def parents() -> dict[int, int]:
    """Each running process's parent, from /proc."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    found[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    return found


def kill_adopted(keep: int) -> None:
    """SIGKILL every child of this subreaper but `keep`: the others were adopted orphans."""
    me = os.getpid()
    for pid, parent in parents().items():
        if parent == me and pid != keep:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                continue
