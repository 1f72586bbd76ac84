"""Start one member of the standalone cluster confined:
`python -m grader.cluster.member STATE_DIR COMMAND...` (STATE_DIR: the cluster's, read-only).

Executors run students' queries, UDFs and foreachBatch functions, and they are children of a
worker (the Connect server runs foreachBatch functions itself), so every member gives up the
files it does not need before it becomes the Spark process: the confinement carries over the
exec to the JVM and everything it starts, as it does for the warm engine.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from grader.confinement import confine, scratch_root


def main(state_dir: str, command: list[str]) -> None:
    unconfined = confine(readable=[Path(state_dir)], writable=[scratch_root()])
    if unconfined:
        print(f"cluster member not confined: {unconfined}", flush=True)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
