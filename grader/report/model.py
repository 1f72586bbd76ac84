"""The result of grading a submission: every export and report is rendered from this model."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from grader.outcome import GRADER_FAULTS

# How a task's feedback begins when the reason it did not run is said once, in the result's
# notes, rather than under each task.
NOT_RUN = "Not run: "


@dataclass(frozen=True)
class TaskResult:
    exercise: str
    task: str
    title: str
    score: float
    max_score: float
    feedback: str
    concept: str = ""
    mistake: str | None = None
    seconds: float = 0.0
    visibility: str = "visible"
    failure: str | None = None  # the failure kind (grader.outcome), when the task failed to run
    picture: str = ""  # the SVG of its stream on the public scenario, for event-time tasks (report.picture)

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score and not self.not_graded

    @property
    def not_graded(self) -> bool:
        """The grader, not the submission, kept this task from being graded."""
        return self.failure in GRADER_FAULTS

    @property
    def status(self) -> str:
        return "error" if self.not_graded else "passed" if self.passed else "failed"

    @property
    def name(self) -> str:
        return f"{self.exercise} · {self.task}: {self.title}"


@dataclass(frozen=True)
class GradeResult:
    submission: str
    tasks: list[TaskResult] = field(default_factory=list)
    execution_time: float = 0.0
    notes: list[str] = field(default_factory=list)  # about the whole submission, e.g. skipped cells
    files: dict[str, str] = field(default_factory=dict)  # per exercise id, which file was graded and why

    def with_files(self, files: dict[str, str]) -> GradeResult:
        return replace(self, files=dict(files))

    @property
    def score(self) -> float:
        return sum(t.score for t in self.tasks)

    @property
    def max_score(self) -> float:
        return sum(t.max_score for t in self.tasks)

    @property
    def full_marks(self) -> bool:
        return bool(self.tasks) and self.score >= self.max_score

    @property
    def complete(self) -> bool:
        """Every task was graded: none was kept from it by the grader's own failure."""
        return not any(t.not_graded for t in self.tasks)

    def exercise_scores(self) -> dict[str, tuple[float, float]]:
        """(score, max score) per exercise, in the order graded."""
        scores: dict[str, tuple[float, float]] = {}
        for t in self.tasks:
            score, most = scores.get(t.exercise, (0.0, 0.0))
            scores[t.exercise] = (score + t.score, most + t.max_score)
        return scores

    def to_dict(self) -> dict:
        """Gradescope's autograder `results.json` shape, with our extra fields beside it."""
        return {
            "score": self.score,
            "max_score": self.max_score,
            "execution_time": round(self.execution_time, 2),
            "output": "\n".join(self.notes),
            "submission": self.submission,
            "files": self.files,
            "tests": [
                {
                    "name": t.name,
                    "score": t.score,
                    "max_score": t.max_score,
                    "status": t.status,
                    "output": t.feedback,
                    "visibility": t.visibility,
                    "exercise": t.exercise,
                    "task": t.task,
                    "mistake": t.mistake,
                    "concept": t.concept,
                    "seconds": round(t.seconds, 2),
                    "failure": t.failure,
                    "picture": t.picture,
                }
                for t in self.tasks
            ],
        }

    @classmethod
    def from_dict(cls, data: dict) -> GradeResult:
        tasks = [
            TaskResult(
                exercise=t["exercise"], task=t["task"], title=t["name"].split(": ", 1)[-1],
                score=t["score"], max_score=t["max_score"], feedback=t["output"],
                concept=t.get("concept", ""), mistake=t.get("mistake"),
                seconds=t.get("seconds", 0.0), visibility=t.get("visibility", "visible"),
                failure=t.get("failure"), picture=t.get("picture", ""),
            )
            for t in data["tests"]
        ]
        notes = data["output"].splitlines() if data.get("output") else []
        return cls(data.get("submission", ""), tasks, data.get("execution_time", 0.0), notes, data.get("files", {}))


@dataclass(frozen=True)
class BatchRun:
    """What a batch ran: shown in its report so a grade can be traced to the grader that gave it."""

    date: str            # when the exports were written, ISO 8601 in UTC
    grader_version: str
    spark_version: str
    exercises: list[str]
    engine: str          # the Spark Connect URL graded on, or "local" (a Spark in each worker)


@dataclass(frozen=True)
class SimilarPair:
    """Two students whose own code is near-identical (grader.batch.similarity)."""

    first: str
    second: str
    similarity: float  # the larger share of one's own code found in the other's, 0 to 1
