"""Deciding a task's grade from outcomes: compare with the reference, name the mistake, explain.

Runs in the grading process only, on plain data; student code never reaches it.
"""

from grader.judge.verdict import Verdict, judge, on_hidden_data

__all__ = ["Verdict", "judge", "on_hidden_data"]
