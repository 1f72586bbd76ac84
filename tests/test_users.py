"""Several Unix users of one machine (a lab server, a JupyterHub), each grading from their own copy
of the student bundle at the same time: each finds an engine of their own without configuration,
and none reaches another's engine, files or scratch.

Needs root (to add users) and Debian's `useradd`; skipped elsewhere, run under CI.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import ROOT
from grader import catalog
from grader.authoring.bundle import build_bundle

pytestmark = [
    pytest.mark.spark,
    pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("useradd"),
                       reason="adding Unix users needs root and useradd"),
]

USERS = ("grader-student-a", "grader-student-b")
EXERCISE = catalog.exercise(2)
# The system's Python (the tests' own may live where other users cannot enter) runs each user's grader.
SYSTEM_PYTHON = "/usr/bin/python3"


def shared_packages(base: Path) -> Path:
    """This Python's packages where every user can read them (linked, not copied, where the file
    system allows), without this checkout's grader: each user's comes from their bundle."""
    source = Path(next(p for p in sys.path if p.endswith("site-packages") and Path(p, "pyspark").is_dir()))
    target = base / "site-packages"
    ignored = shutil.ignore_patterns("__editable__*", "streaming_grader-*", "__pycache__")
    try:
        shutil.copytree(source, target, ignore=ignored, copy_function=os.link)
    except OSError:  # another file system
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target, ignore=ignored)
    return target


def installed(bundle: Path, packages: Path) -> Path:
    """What `bin/setup` makes in the bundle (its downloads aside): a venv of the system's Python
    that finds the bundle's grader and `packages`; its Python."""
    venv = bundle / ".venv"
    subprocess.run([SYSTEM_PYTHON, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site_packages = subprocess.run([python, "-c", "import site; print(site.getsitepackages()[0])"],
                                   capture_output=True, text=True, check=True).stdout.strip()
    (Path(site_packages) / "bundle.pth").write_text(f"{bundle}\n{packages}\n")
    return python


@pytest.fixture(scope="module")
def classroom():
    """Two users, each with a home holding a copy of the bundle whose exercise 2 is solved."""
    if not Path(SYSTEM_PYTHON).exists():
        pytest.skip(f"{SYSTEM_PYTHON} is needed to run every user's grader")
    base = Path(tempfile.mkdtemp(prefix="grader-classroom-"))
    base.chmod(0o755)
    bundle = base / "bundle"
    build_bundle(bundle)
    packages = shared_packages(base)
    homes = {}
    try:
        for user in USERS:
            subprocess.run(["userdel", "-r", user], capture_output=True)
            home = base / user
            subprocess.run(["useradd", "--no-create-home", "--home-dir", str(home), "--shell", "/bin/false", user],
                           check=True, capture_output=True)
            shutil.copytree(bundle, home / "streaming-exercises")
            installed(home / "streaming-exercises", packages)
            solved = home / "streaming-exercises" / "exercises" / f"{EXERCISE.module_name}.py"
            solved.write_text((ROOT / "solutions" / solved.name).read_text())
            account = pwd.getpwnam(user)
            subprocess.run(["chown", "-R", f"{account.pw_uid}:{account.pw_gid}", str(home)], check=True)
            home.chmod(0o700)
            homes[user] = home
        yield homes
    finally:
        for user in homes:
            as_user(user, homes[user], "engine", "stop", timeout=60)
            subprocess.run(["pkill", "-KILL", "-u", user], capture_output=True)
            subprocess.run(["userdel", user], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def as_user(user: str, home: Path, *args: str, timeout: float) -> subprocess.CompletedProcess:
    """`grade ARGS` as `user`, in their bundle, with nothing of the tests' environment."""
    account = pwd.getpwnam(user)
    bundle = home / "streaming-exercises"
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}
    return subprocess.run([str(bundle / ".venv" / "bin" / "python"), "-m", "grader", *args], cwd=bundle, env=env,
                          user=account.pw_uid, group=account.pw_gid, extra_groups=[],
                          capture_output=True, text=True, timeout=timeout)


def engine_hosts() -> dict[str, int]:
    """The running engine hosts: their owner's name and port."""
    hosts = {}
    for entry in Path("/proc").iterdir():
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
            owner = pwd.getpwuid(entry.stat().st_uid).pw_name
        except (OSError, KeyError):
            continue
        if b"grader.engine.server" in arguments:
            port = next(a for a in arguments if a.startswith(b"--engine-port="))
            hosts[owner] = int(port.split(b"=")[1])
    return hosts


@pytest.mark.timeout(900)
def test_users_grading_at_once_each_get_full_marks_on_an_engine_of_their_own(classroom):
    homes = classroom
    with ThreadPoolExecutor(len(USERS)) as at_once:
        done = dict(zip(USERS, at_once.map(
            lambda user: as_user(user, homes[user], EXERCISE.id, "--json", timeout=800), USERS)))
    for user, graded in done.items():
        assert graded.returncode == 0, f"{user}: {graded.stdout}\n{graded.stderr}"
        assert json.loads(graded.stdout)["score"] == EXERCISE.max_score
    hosts = engine_hosts()
    ports = {user: hosts[user] for user in USERS}
    assert len(set(ports.values())) == len(USERS), ports
    for user, graded in done.items():
        told = graded.stdout + graded.stderr
        others = [port for other, port in hosts.items() if other != user]
        assert f"127.0.0.1:{ports[user]}" in told, told  # "Starting the Spark engine at ..."
        assert not [port for port in others if str(port) in told], (user, told)
    runtime = Path(tempfile.gettempdir()) / f"streaming-grader-engines-{pwd.getpwnam(USERS[0]).pw_uid}"
    assert (runtime / "engine-port").read_text().strip() == str(ports[USERS[0]])
    status = as_user(USERS[1], homes[USERS[1]], "engine", "status", timeout=60)
    assert status.returncode == 0 and str(ports[USERS[1]]) in status.stdout
    intruder, host = USERS
    intruding = as_user(intruder, homes[intruder], EXERCISE.id, "--remote",
                        f"sc://127.0.0.1:{ports[host]}", "--json", timeout=300)
    assert intruding.returncode == 3, intruding.stdout + intruding.stderr  # refused: nothing graded there
    for folder in (runtime, Path(tempfile.gettempdir()) / f"streaming-grader-{pwd.getpwnam(USERS[0]).pw_uid}"):
        assert folder.stat().st_mode & 0o077 == 0, f"{folder} is open to other users"


@pytest.mark.timeout(120)
def test_a_runtime_folder_made_by_another_user_is_refused(classroom, tmp_path):
    """Another user who made the folder first would read the admitted sessions from it."""
    squatted = tmp_path / "engines"
    squatted.mkdir()
    account = pwd.getpwnam(USERS[0])
    os.chown(squatted, account.pw_uid, account.pw_gid)
    done = subprocess.run([sys.executable, "-m", "grader", "engine", "status"], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "GRADER_RUNTIME": str(squatted)})
    assert done.returncode == 3, done.stdout + done.stderr
    assert f"{squatted} belongs to another user" in done.stderr
