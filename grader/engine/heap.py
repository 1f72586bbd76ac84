"""How full the engine's heap stays after garbage collection, read from the JVM's own GC log.

A JVM whose live data fills its heap spends both cores collecting garbage: every query crawls,
and a correct answer would run past its time limit. The engine's host stops the engine before
that (`grader.engine.server.host`); the next grading starts a fresh one, and a grading in flight
retries its task there, as it does when the engine is killed.
"""

from __future__ import annotations

import os
import re
from collections import deque
from pathlib import Path
from typing import IO

# The engine's -Xmx (spark.driver.memory). 2 GiB grades a class two at a time; on a server where
# every user runs an engine of their own, 1 GiB grades one student's exercises (README: sizing).
MAX_HEAP_MB = int(os.environ.get("GRADER_ENGINE_HEAP_MB", 2048))
MAX_HEAP = f"{MAX_HEAP_MB}m"
# The share of the heap still in use after collections at which the engine is stopped: when no
# grading holds a lease on it, and even while one does (its tasks then run again on a fresh engine).
STOP_WHEN_IDLE = float(os.environ.get("GRADER_ENGINE_HEAP_PERCENT", 60)) / 100
STOP_NOW = 0.85
RECENT = 20  # the collections looked at: the smallest heap they left bounds the live data

_AFTER_COLLECTION = re.compile(r"\d+M->(\d+)M\(\d+M\)")
# The JVM logs its collections on its standard output, which only the host reads: a file it
# could write, student code running in it could write too. A line counts only in the JVM's own
# shape; what a console sink prints there starts with '|', '+', '-' or 'Batch'.
GC_TO_STDOUT = "-Xlog:gc:stdout:uptime"
_GC_LINE = re.compile(r"\[\d+\.\d+s\] GC\(\d+\) Pause [\w ()-]+ \d+M->\d+M\(\d+M\) \d+\.\d+ms")


def keep_gc_lines(stream: IO[bytes], log: Path) -> None:
    """Copy the collections the JVM reports on `stream` into `log` (the last ones only), until
    the stream ends; anything else it prints goes to the host's own output, the engine's log."""
    kept: deque[str] = deque(maxlen=10 * RECENT)
    for raw in stream:
        line = raw.decode(errors="replace").rstrip("\n")
        if not _GC_LINE.fullmatch(line):
            print(line, flush=True)
            continue
        kept.append(line)
        partial = log.with_suffix(".partial")
        partial.write_text("\n".join(kept) + "\n")
        partial.replace(log)


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
