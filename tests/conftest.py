"""Shared helpers: run the `grade` command as a user would, and read its JSON result."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.confinement import unavailable_reason

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = Path(__file__).parent / "submissions"


def run_grade(*args: str, timeout: float = 900, env: dict[str, str] | None = None) -> tuple[int, dict | None, str]:
    """`grade ARGS --json` in a fresh process: (exit status, parsed result or None, stderr).
    `env` adds to (or overrides) the environment it runs in."""
    done = subprocess.run(
        [sys.executable, "-m", "grader", *args, "--json"],
        capture_output=True, text=True, timeout=timeout, cwd=ROOT, env={**os.environ, **(env or {})},
    )
    try:
        result = json.loads(done.stdout)
    except json.JSONDecodeError:
        result = None
    return done.returncode, result, done.stderr


def results_by_task(result: dict) -> dict[tuple[str, str], dict]:
    return {(t["exercise"], t["task"]): t for t in result["tests"]}


@pytest.fixture(scope="session")
def grade_cli():
    return run_grade


# Submissions are kept from others' files by the kernel where it offers Landlock (CI's does).
CONFINEMENT_MISSING = unavailable_reason()
requires_confinement = pytest.mark.skipif(
    bool(CONFINEMENT_MISSING) and not os.environ.get("CI"),
    reason=f"submissions cannot be confined here: {CONFINEMENT_MISSING}",
)
