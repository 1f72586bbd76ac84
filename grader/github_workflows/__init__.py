"""GitHub Actions workflows for a course: `verify-solutions.yml` for the course's own repository
(its solutions branch) and `classroom.yml` for students' repositories under GitHub Classroom."""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).parent
WORKFLOWS = {"solutions": HERE / "verify-solutions.yml", "classroom": HERE / "classroom.yml"}


def install(kind: str, repository: Path) -> Path:
    """Copy the `kind` workflow into `repository`'s .github/workflows/; return where it went."""
    template = WORKFLOWS[kind]
    target = repository / ".github" / "workflows" / template.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, target)
    return target
