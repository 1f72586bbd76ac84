"""The checks: one pytest test per task, parametrized from the exercise declarations.

`grader.grading` runs them with `GradingPlugin`, which supplies the worker pool and the stored
expectations as fixtures, marks each test with its points and time limit, and collects a
`TaskResult` from each test's verdict.
"""

from pathlib import Path

CHECKS_DIR = Path(__file__).parent
