"""The gradebook store: one SQLite row per graded student, committed the moment it is graded.

A batch killed at any point (even `kill -9`) keeps every result committed so far; the next run
grades only the students without a complete one (a result with a task the grader failed to grade
is kept, for the report, but graded again).
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from grader.report.model import GradeResult

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    student TEXT PRIMARY KEY,
    result TEXT NOT NULL,       -- GradeResult.to_dict() as JSON
    finished_at REAL NOT NULL
)
"""


class Gradebook:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(path, timeout=30, check_same_thread=False)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute(SCHEMA)
        self.connection.commit()

    def save(self, student: str, result: GradeResult) -> None:
        with self.connection:  # one transaction per student: all or nothing
            self.connection.execute(
                "INSERT OR REPLACE INTO results VALUES (?, ?, ?)",
                (student, json.dumps(result.to_dict()), time.time()),
            )

    def graded(self) -> set[str]:
        """The students whose stored result is final: every task graded."""
        return {student for student, result in self.results().items() if result.complete}

    def results(self) -> dict[str, GradeResult]:
        rows = self.connection.execute("SELECT student, result FROM results ORDER BY student")
        return {student: GradeResult.from_dict(json.loads(text)) for student, text in rows}

    def close(self) -> None:
        self.connection.close()
