"""`grade bundle OUT`: what students receive — stubs, notebooks, the grader, the fixtures and the
stored expected outcomes — and no reference solution code (no `solutions/`, no wrong answers,
no harness tests). The grader judges from `fixtures/expected/` alone, so the bundle grades."""

from __future__ import annotations

import shutil
from pathlib import Path

from grader import paths

INCLUDED = ("README.md", "pyproject.toml", "bin", "exercises", "fixtures", "grader")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".*", "*.egg-info")


def build_bundle(out: Path) -> list[Path]:
    """Copy the student-facing parts of the project into `out` (emptied first)."""
    if out.resolve() == paths.PROJECT_ROOT.resolve() or paths.PROJECT_ROOT.resolve() in out.resolve().parents:
        raise ValueError("Build the bundle outside the project folder.")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for name in INCLUDED:
        source = paths.PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, out / name, ignore=IGNORED)
        else:
            shutil.copy2(source, out / name)
    return sorted(p for p in out.rglob("*") if p.is_file())
