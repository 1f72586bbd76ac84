"""How full the engine's heap stays after garbage collection, read from the JVM's own GC log.

A JVM whose live data fills its heap spends both cores collecting garbage: every query crawls,
and a correct answer would run past its time limit. The engine's host stops the engine before
that (`grader.engine.server.host`); the next grading starts a fresh one, and a grading in flight
retries its task there, as it does when the engine is killed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

MAX_HEAP_MB = 2048
MAX_HEAP = f"{MAX_HEAP_MB}m"  # the engine's -Xmx (spark.driver.memory)
# The share of the heap still in use after collections at which the engine is stopped: when no
# grading holds a lease on it, and even while one does (its tasks then run again on a fresh engine).
STOP_WHEN_IDLE = float(os.environ.get("GRADER_ENGINE_HEAP_PERCENT", 60)) / 100
STOP_NOW = 0.85
RECENT = 20  # the collections looked at: the smallest heap they left bounds the live data

_AFTER_COLLECTION = re.compile(r"\d+M->(\d+)M\(\d+M\)")


def gc_log_option(log: Path) -> str:
    """The JVM option writing its collections into `log` (two files of 1 MB at most)."""
    return f"-Xlog:gc:file={log}:uptime:filecount=2,filesize=1m"


def live_heap_mb(log: Path) -> int | None:
    """At most how many MiB of the heap are live: the smallest heap left after one of the last
    RECENT collections in `log`; None before any collection."""
    try:
        lines = log.read_text(errors="replace").splitlines()[-10 * RECENT:]
    except OSError:
        return None
    after = [int(found.group(1)) for line in lines if (found := _AFTER_COLLECTION.search(line))]
    return min(after[-RECENT:]) if after else None


def too_full(log: Path, leased: bool) -> str | None:
    """Why the engine must stop now, or None: its heap stays too full after collections."""
    live = live_heap_mb(log)
    if live is None:
        return None
    share = live / MAX_HEAP_MB
    if share >= STOP_NOW or (share >= STOP_WHEN_IDLE and not leased):
        return f"{live} MiB of its {MAX_HEAP_MB} MiB heap still in use after collections"
    return None
