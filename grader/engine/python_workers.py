"""How the engine's Python workers start: isolated, and confined more tightly than the engine.

Spark runs each Python worker (the UDF daemon, each `foreachBatch` function's process) as
`PYSPARK_PYTHON -m MODULE`. Ours is a script that runs Python isolated (`-I`: no current folder,
no PYTHONPATH, no user site-packages on the import path, so nothing a submission wrote can be
imported in place of pyspark or the standard library) through `python -m
grader.engine.python_workers -m MODULE`, which confines the worker in a Landlock domain nested in
the engine's before running MODULE. In it, a student's UDF or `foreachBatch` function writes only
where gradings keep their files (not the engine's own folders, whose `userFiles` Spark puts on
every worker's import path), cannot trace, signal or read the memory of the engine's JVM, and
connects to no TCP port but the engine's (not Kafka's, not the JVM's internal ones).
"""

from __future__ import annotations

import os
import runpy
import stat
import sys
from pathlib import Path


# The engine's Spark Connect port, the one TCP port its Python workers may connect to (the
# foreachBatch workers are clients of the engine); they reach the JVM itself through Unix sockets.
ENGINE_PORT = "GRADER_ENGINE_CONNECT_PORT"


def write_launcher(folder: Path) -> Path:
    """The PYSPARK_PYTHON script, written into `folder` (which the engine reads but cannot write)."""
    folder.mkdir(parents=True, exist_ok=True)
    launcher = folder / "python-worker"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -I -m grader.engine.python_workers "$@"\n')
    launcher.chmod(stat.S_IRWXU)
    return launcher


def main(argv: list[str]) -> None:
    from grader.confinement import confine, engine_area, gradings_root, sockets_root

    if argv[:1] != ["-m"] or len(argv) < 2:
        raise SystemExit(f"usage: python -m grader.engine.python_workers -m MODULE (got {argv})")
    port = int(os.environ[ENGINE_PORT])
    unconfined = confine(readable=[engine_area(port)], writable=[gradings_root(port), sockets_root(port)],
                         tcp_ports=(port,))
    if unconfined:
        print(f"Python worker not confined: {unconfined}", file=sys.stderr)
    sys.argv = [argv[1], *argv[2:]]
    runpy.run_module(argv[1], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
