"""The kernel-enforced confinement of processes that run student code, tried on plain files."""

import json
import subprocess
import sys

from conftest import requires_confinement

PROBE = """
import json, os, subprocess, sys
from pathlib import Path
from grader.confinement import confine

given, own, secret = map(Path, sys.argv[1:4])
assert confine(readable=[given], writable=[own]) is None

def attempt(action):
    try:
        action()
        return "allowed"
    except OSError as error:
        return type(error).__name__

print(json.dumps({
    "read given": attempt(lambda: (given / "data.txt").read_text()),
    "write given": attempt(lambda: (given / "data.txt").write_text("changed")),
    "write own": attempt(lambda: (own / "out.txt").write_text("mine")),
    "read secret": attempt(lambda: (secret / "answer.txt").read_text()),
    "list secret": attempt(lambda: os.listdir(secret)),
    "read secret from a child": "allowed" if subprocess.run(
        ["cat", str(secret / "answer.txt")], capture_output=True).returncode == 0 else "refused",
    "signal the parent": attempt(lambda: os.kill(os.getppid(), 0)),
}))
"""


@requires_confinement
def test_a_confined_process_reaches_only_what_it_was_given(tmp_path):
    given, own, secret = (tmp_path / name for name in ("given", "own", "secret"))
    for folder in (given, own, secret):
        folder.mkdir()
    (given / "data.txt").write_text("fixture")
    (secret / "answer.txt").write_text("42")
    done = subprocess.run([sys.executable, "-c", PROBE, str(given), str(own), str(secret)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "read given": "allowed",
        "write given": "PermissionError",
        "write own": "allowed",
        "read secret": "PermissionError",
        "list secret": "PermissionError",
        "read secret from a child": "refused",
        "signal the parent": "PermissionError",
    }
    assert (given / "data.txt").read_text() == "fixture"
