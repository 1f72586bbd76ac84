"""The declaration of an exercise: its tasks, what the grader hands each task, what it reads back.

Everything here is plain data. The stubs, the notebooks, the docs and the checks are all derived
from these declarations, so an exercise is described exactly once (in the course's `fixtures/declarations/`).
"""

from grader.spec.scenarios import Batch, FixtureStream, Scenario, load_scenario, scenario_path
from grader.spec.interface import (
    AvailableNow,
    Checkpoint,
    Collect,
    DatabasePath,
    FileSink,
    FolderOf,
    Input,
    KafkaBootstrap,
    KafkaSinkTopic,
    KafkaStreamOf,
    MemorySink,
    Output,
    OutputFolder,
    OutputTopic,
    QueryName,
    RunningQueries,
    Spark,
    SqliteTable,
    StartedQuery,
    StaticOf,
    StoppedQuery,
    StreamOf,
    TopicOf,
)
from grader.spec.model import Exercise, Mistake, Task

__all__ = [
    "AvailableNow", "Batch", "Checkpoint", "Collect", "DatabasePath", "Exercise", "FileSink",
    "FixtureStream", "FolderOf", "Input", "KafkaBootstrap", "KafkaSinkTopic", "KafkaStreamOf",
    "MemorySink", "Mistake", "Output", "OutputFolder", "OutputTopic", "QueryName",
    "RunningQueries", "Scenario", "Spark", "SqliteTable", "StartedQuery", "StaticOf",
    "StoppedQuery", "StreamOf", "Task", "TopicOf", "load_scenario", "scenario_path",
]
