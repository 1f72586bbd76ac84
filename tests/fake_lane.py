"""A stand-in for a lane's process (referee or worker), for the supervisor's tests: each run's
task name says what it does, so every way a lane can end is reached in milliseconds.

    python fake_lane.py JOB.json RESULT_FD
"""

import json
import os
import sys
import time
from pathlib import Path


def main() -> None:
    job = json.loads(Path(sys.argv[1]).read_text())
    results = os.fdopen(int(sys.argv[2]), "w")

    def send(message: dict) -> None:
        results.write(json.dumps(message) + "\n")
        results.flush()

    for run in job["runs"]:
        behaviour = run["task"]
        if behaviour == "passes":
            send({"run": run["id"], "outcome": {"task": behaviour, "snapshots": [{"columns": [], "rows": []}]}})
        elif behaviour == "hangs":
            time.sleep(3600)
        elif behaviour == "crashes":
            os._exit(1)
        elif behaviour == "hoards":
            hoard = bytearray(400 * 1024 * 1024)  # touched, so it is resident
            for page in range(0, len(hoard), 4096):
                hoard[page] = 1
            time.sleep(3600)
        elif behaviour == "meets_a_lost_engine":
            failure = {"kind": "infrastructure", "message": "The Spark engine stopped answering."}
            send({"run": run["id"], "outcome": {"task": behaviour, "failure": failure}})
            return
        elif behaviour == "finds_no_engine":
            send({"run": run["id"], "engine_error": "ConnectionError: nothing answers"})
            return


if __name__ == "__main__":
    main()
