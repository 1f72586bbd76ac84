"""`grade gradescope try`: run an autograder zip as Gradescope would, on this machine, without
touching it: setup.sh once, then run_autograder per submission, each inside a bubblewrap sandbox
where the machine's root is read-only, /autograder is a folder of ours laid out as Gradescope
lays it (source/, submission/, results/), /tmp and root's home are empty and private, and
processes die with the sandbox.

Gradescope builds its image once and grades each submission in a fresh container of it; so
here a prepared folder (source/ and the venv/ setup.sh made) is kept and reused: each run gets
a fresh copy of source/ and the venv read-only, never the previous run's files.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from grader import paths
from grader.gradescope import AUTOGRADER, RESULTS, SOURCE, SUBMISSION, VENV

PREPARED_MARK = ".prepared"  # holds the digest of the zip setup.sh ran for
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
FORWARDED = ("JAVA_HOME",)  # passed into the sandbox when set
# Made fresh inside the sandbox rather than shown from the machine.
PRIVATE = {"proc", "dev", "tmp", "root", "autograder"}


class SandboxError(Exception):
    """The sandbox cannot run; the message says why and what to do."""


@dataclass(frozen=True)
class Run:
    """One sandboxed step's exit status and its output (stdout and stderr together)."""

    status: int
    output: str


def unavailable_reason() -> str | None:
    """Why bubblewrap cannot sandbox here, or None when it can."""
    if not shutil.which("bwrap"):
        return "bubblewrap is not installed (Debian and Ubuntu: apt-get install bubblewrap)"
    probe = subprocess.run(["bwrap", *_root_mounts(), "--unshare-pid", "--unshare-net", "true"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        return f"bubblewrap cannot make a sandbox here ({probe.stderr.strip()}); it needs user namespaces"
    return None


def free_port() -> int:
    """A port no program listens on: setup.sh shares the machine's network (for pip), so the
    engine it starts once must not take the port of an engine already running here."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def digest(zip_path: Path) -> str:
    return hashlib.sha256(zip_path.read_bytes()).hexdigest()


def prepare(zip_path: Path, prepared: Path) -> Run | None:
    """Unpack `zip_path` into `prepared`/source and run its setup.sh there, unless `prepared`
    was already set up from this very zip. The setup's run, or None when reused."""
    wanted = digest(zip_path)
    mark = prepared / PREPARED_MARK
    if mark.is_file() and mark.read_text() == wanted:
        return None
    if prepared.exists() and any(prepared.iterdir()) and not (prepared / SOURCE / "setup.sh").is_file():
        raise SandboxError(f"{prepared} holds files but no autograder set up by `grade gradescope try`; "
                           "give a new or empty folder to --prepared, it is emptied before each set-up.")
    shutil.rmtree(prepared, ignore_errors=True)
    (prepared / SOURCE).mkdir(parents=True)
    _unzip(zip_path, prepared / SOURCE)
    pip_cache = paths.CACHE / "gradescope-pip"
    pip_cache.mkdir(parents=True, exist_ok=True)
    setup = _sandboxed(["bash", f"{AUTOGRADER}/{SOURCE}/setup.sh"], [("--bind", prepared, AUTOGRADER),
                       ("--bind", pip_cache, Path("/tmp/pip-cache"))],
                       network=True, env={"PIP_CACHE_DIR": "/tmp/pip-cache", "GRADER_ENGINE_PORT": str(free_port())})
    if setup.status == 0:
        mark.write_text(wanted)
    return setup


def run_autograder(prepared: Path, submission: Path, results: Path) -> Run:
    """Grade `submission` with the autograder set up in `prepared`, in a fresh copy of its
    source/ (without network, as a container of its own); results.json and stdout (what
    run_autograder printed) land in `results`."""
    with tempfile.TemporaryDirectory(prefix="autograder-run-") as run:
        run = Path(run)
        shutil.copytree(prepared / SOURCE, run / SOURCE, symlinks=True)
        shutil.copy2(run / SOURCE / "run_autograder", run / "run_autograder")
        if submission.is_dir():
            shutil.copytree(submission, run / SUBMISSION, symlinks=True)
        else:  # a single file or zip is uploaded into the folder, as Gradescope does
            (run / SUBMISSION).mkdir()
            shutil.copy2(submission, run / SUBMISSION / submission.name, follow_symlinks=False)
        (run / RESULTS).mkdir()
        graded = _sandboxed([f"{AUTOGRADER}/run_autograder"], [("--bind", run, AUTOGRADER),
                            ("--ro-bind", prepared / VENV, AUTOGRADER / VENV)], network=False)
        (run / RESULTS / "stdout").write_text(graded.output)  # as Gradescope keeps it, for the instructor
        results.mkdir(parents=True, exist_ok=True)
        for produced in (run / RESULTS).iterdir():
            shutil.copy2(produced, results / produced.name)
    return graded


def _sandboxed(command: list[str], binds: list[tuple[str, Path, Path]], network: bool,
               env: dict[str, str] | None = None) -> Run:
    env = {"PATH": SYSTEM_PATH, "HOME": "/root", "LANG": "C.UTF-8",
           **{name: os.environ[name] for name in FORWARDED if name in os.environ}, **(env or {})}
    # Without capabilities even as root, so nothing inside can remount the machine's root.
    argv = ["bwrap", *_root_mounts(), "--unshare-pid", "--die-with-parent", "--new-session", "--clearenv",
            "--cap-drop", "ALL"]
    if not network:
        argv.append("--unshare-net")
    for name, value in env.items():
        argv += ["--setenv", name, value]
    for kind, source, target in binds:
        argv += [kind, str(source), str(target)]
    argv += ["--chdir", str(AUTOGRADER), *command]
    done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, errors="replace")
    return Run(done.returncode, done.stdout)


def _root_mounts() -> list[str]:
    """The machine's root, read-only, on a root of the sandbox's own (so /autograder can be made
    without touching the machine's), with private /proc, /dev, /tmp and /root."""
    argv = ["--tmpfs", "/"]
    for entry in sorted(Path("/").iterdir()):
        if entry.name in PRIVATE:
            continue
        if entry.is_symlink():
            argv += ["--symlink", os.readlink(entry), str(entry)]
        elif entry.is_dir():
            argv += ["--ro-bind", str(entry), str(entry)]
    return [*argv, "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/root",
            "--dir", str(AUTOGRADER)]


def _unzip(zip_path: Path, target: Path) -> None:
    """Unpack as `unzip` does, keeping each file's permissions (the scripts' execute bit)."""
    with zipfile.ZipFile(zip_path) as bundle:
        for member in bundle.infolist():
            bundle.extract(member, target)
            mode = member.external_attr >> 16 & 0o777
            if mode and not member.is_dir():
                os.chmod(target / member.filename, mode)
