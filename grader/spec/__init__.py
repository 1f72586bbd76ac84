"""The declaration of an exercise: its tasks, what the grader hands each task, what it reads back.

Everything here is plain data. The stubs, the notebooks, the docs and the checks are all derived
from these declarations, so an exercise is described exactly once (in `grader/catalog/`).
"""

from grader.spec.fixtures import Batch, FixtureStream, Scenario, load_scenario
from grader.spec.io import (
    Checkpoint,
    Collect,
    FolderOf,
    Input,
    MemorySink,
    Output,
    QueryName,
    Spark,
    StartedQuery,
    StaticOf,
    StreamOf,
)
from grader.spec.model import Exercise, Mistake, Task

__all__ = [
    "Batch", "Checkpoint", "Collect", "Exercise", "FixtureStream", "FolderOf", "Input",
    "MemorySink", "Mistake", "Output", "QueryName", "Scenario", "Spark", "StartedQuery",
    "StaticOf", "StreamOf", "Task", "load_scenario",
]
