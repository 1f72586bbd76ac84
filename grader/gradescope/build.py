"""`grade gradescope build`: the autograder zip Gradescope takes.

At its root the two scripts of Gradescope's specification (setup.sh, run_autograder); beside
them the grader built as a wheel, constraints.txt pinning every package to the version this
grader runs with, the fixtures with the hidden scenarios (students never see the zip), the
Kafka broker's and connector's jars when an exercise needs them, and autograder.json, the
choices made here (exercises, visibility, time limits) that run_autograder follows.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from grader import paths
from grader.gradescope import CACHE, CONSTRAINTS, PROJECT, SCRIPTS, SETTINGS, WHEELS
from grader.kafka import artifacts
from grader.spec import Exercise

PROJECT_NAME = "streaming-grader"
# What building the wheel reads, from the grader's checkout (a course need not hold the grader);
# copied apart so the build leaves nothing in the checkout.
WHEEL_SOURCES = ("pyproject.toml", "README.md", "grader")


class BuildError(Exception):
    """The zip cannot be built; the message says why and what to do."""


def build_autograder(out: Path, exercises: list[Exercise], visibility: str, stdout_visibility: str,
                     submission_timeout: float, timeout: float | None = None) -> list[str]:
    """Write the autograder zip to `out`; returns the names it holds."""
    if not paths.HIDDEN.is_dir() or not paths.SOLUTIONS.is_dir():
        raise BuildError("the autograder is built from the instructor's project, with its solutions and "
                         "hidden fixtures; this copy has neither.")
    kafka = [artifacts.BROKER, artifacts.CONNECTOR] if any(e.needs_kafka for e in exercises) else []
    missing = [a.title for a in kafka if not artifacts.fetched(a)]
    if missing:
        raise BuildError(f"the {' and '.join(missing)} jars are not in {paths.CACHE}: run "
                         "`grade kafka fetch` first.")
    with tempfile.TemporaryDirectory(prefix="autograder-") as staging:
        staging = Path(staging)
        for script in SCRIPTS:
            shutil.copy2(Path(__file__).with_name("scripts") / script, staging / script)
        _build_wheel(staging / WHEELS)
        (staging / CONSTRAINTS).write_text(pinned_requirements())
        shutil.copytree(paths.FIXTURES, staging / PROJECT / "fixtures",
                        ignore=shutil.ignore_patterns("__pycache__", ".*"))
        for artifact_set in kafka:
            shutil.copytree(artifact_set.folder, staging / CACHE / artifact_set.folder_name)
        settings = {"exercises": [e.id for e in exercises], "visibility": visibility,
                    "stdout_visibility": stdout_visibility, "submission_timeout": submission_timeout,
                    "timeout": timeout}
        (staging / SETTINGS).write_text(json.dumps(settings, indent=2) + "\n")
        return _zip(staging, out)


def pinned_requirements() -> str:
    """Every package of the running environment at its installed version, the grader aside: as
    constraints, they pin the grader's dependencies without adding any."""
    frozen = subprocess.run([sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
                            capture_output=True, text=True, check=True).stdout
    pins = [line for line in frozen.splitlines()
            if line and not line.startswith("#") and _name(line) != PROJECT_NAME and "==" in line]
    return "\n".join(pins) + "\n"


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[=<>!~ @\[]", requirement, maxsplit=1)[0]).lower()


def _build_wheel(wheels: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="grader-wheel-") as source:
        for name in WHEEL_SOURCES:
            origin = paths.GRADER_CHECKOUT / name
            if origin.is_dir():
                shutil.copytree(origin, Path(source) / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(origin, Path(source) / name)
        built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                                "--wheel-dir", str(wheels), source], capture_output=True, text=True)
    if built.returncode != 0:
        raise BuildError(f"pip could not build the grader's wheel:\n{built.stderr[-2000:]}")


def _zip(staging: Path, out: Path) -> list[str]:
    """Zip `staging`'s contents (not the folder) to `out`, keeping the scripts executable."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    names = []
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(staging.rglob("*")):
            if path.is_file():
                name = path.relative_to(staging).as_posix()
                bundle.write(path, name)
                names.append(name)
    partial.replace(out)
    return names
