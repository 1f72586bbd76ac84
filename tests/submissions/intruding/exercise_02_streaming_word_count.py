"""An intruder's answers to exercise 2. Each task tries to take an answer it may not see, or to
harm what is not its own, and reports every attempt in the error it raises: "refused" is what
the grader must make of each. A copied answer that got through would earn its points."""

import os
import signal
from pathlib import Path

import grader.paths

MODULE = Path(__file__).stem
SOLUTION = grader.paths.SOLUTIONS / f"{MODULE}.py"
EXPECTED = grader.paths.EXPECTED / "exercise-2.json"
# In a batch, students' folders are side by side.
CLASSMATE = Path(__file__).resolve().parent.parent / "alice" / f"{MODULE}.py"


def attempt(attempts: dict, what: str, action):
    try:
        result = action()
    except Exception as error:  # every refusal, whatever its form
        attempts[what] = f"refused ({type(error).__name__})"
        return None
    attempts[what] = "done"
    return result


def report(attempts: dict):
    raise PermissionError("; ".join(f"{what}: {how}" for what, how in attempts.items()))


def copied(source: str, name: str):
    namespace = {}
    exec(compile(source, "copied", "exec"), namespace)
    return namespace[name]


def ancestors() -> list[tuple[int, str]]:
    """(pid, command line) of every process above this one."""
    found, pid = [], os.getppid()
    while pid > 1:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        found.append((pid, command))
        pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    return found


def batch_results() -> Path | None:
    """The folder a batch grading writes its gradebook to, from its command line."""
    for _, command in ancestors():
        words = command.split()
        if "batch" in words and "--out" in words:
            return Path(words[words.index("--out") + 1])
    return None


def read_lines(spark, folder):
    # Read the reference solution, a classmate's answer, or the expected outputs, from Python.
    attempts = {}
    attempt(attempts, "expected outputs", EXPECTED.read_text)
    for what, path in (("solution", SOLUTION), ("classmate", CLASSMATE)):
        source = attempt(attempts, what, path.read_text)
        if source:
            return copied(source, "read_lines")(spark, folder)
    report(attempts)


def streaming_word_count(lines):
    # The same, through Spark: the engine reads files on the student's behalf.
    spark, attempts = lines.sparkSession, {}
    for what, path in (("solution through Spark", SOLUTION), ("classmate through Spark", CLASSMATE)):
        rows = attempt(attempts, what, lambda: spark.read.text(str(path)).collect())
        if rows:
            return copied("\n".join(row.value for row in rows), "streaming_word_count")(lines)
    report(attempts)


def start_update_query(lines, query_name, checkpoint):
    # Harm others: a classmate's answer, the gradebook, the processes that grade.
    attempts, results = {}, batch_results()
    attempt(attempts, "overwrite classmate", lambda: CLASSMATE.write_text("def read_lines(spark, folder): ..."))
    if results is not None:
        attempt(attempts, "overwrite gradebook",
                lambda: (results / "gradebook.sqlite").write_bytes(b"not a database"))
        attempt(attempts, "overwrite results through Spark",
                lambda: lines.sparkSession.range(1).write.mode("overwrite").text(str(results / "alice")))
    for pid, command in ancestors():
        batch = "batch" in command.split()
        attempt(attempts, f"kill the {'batch' if batch else 'grading'} process {pid}",
                lambda: os.kill(pid, signal.SIGKILL))
        if batch or results is None:  # no further up than the grader's own processes
            break
    report(attempts)
