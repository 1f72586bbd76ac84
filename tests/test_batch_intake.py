"""`grade batch` before and around the grading: which entries become students, which are refused
and why, archives checked before they are unpacked, and a batch stopped by Ctrl-C or kill -9.

Every student here is graded by a stand-in for `grade` (tests/batch_without_spark.py): no Spark.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT
from grader.batch.submissions import student_id

BATCH = Path(__file__).parent / "batch_without_spark.py"


def start_batch(submissions: Path, out: Path, *extra: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(BATCH), "batch", str(submissions), "--out", str(out), "--engine", "local",
         "--exercises", "exercise-2", "--workers", "2", *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **env})


def run_batch(submissions: Path, out: Path, *extra: str, **env: str) -> tuple[int, str]:
    """(exit status, stderr) of a whole batch."""
    process = start_batch(submissions, out, *extra, **env)
    _, errors = process.communicate(timeout=120)
    return process.returncode, errors


def committed(out: Path) -> dict[str, float]:
    """Student → when their result was committed, read as another process would."""
    store = out / "gradebook.sqlite"
    if not store.exists():
        return {}
    with sqlite3.connect(store) as connection:
        return dict(connection.execute("SELECT student, finished_at FROM results"))


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.05)


def write_py(folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("def read_lines(spark, folder):\n    return None\n")


@pytest.mark.timeout(10)
def test_an_id_is_the_students_name_as_written():
    assert student_id(Path("José Müller")) == "José Müller"
    assert student_id(Path("Zoë.py")) == "Zoë"
    assert student_id(Path(unicodedata.normalize("NFD", "Zoë.ipynb"))) == unicodedata.normalize("NFC", "Zoë")
    assert student_id(Path("李雷.zip")) == "李雷"


@pytest.mark.timeout(60)
def test_zoe_with_two_accents_are_two_students(tmp_path):
    submissions, out = tmp_path / "submissions", tmp_path / "results"
    write_py(submissions, "Zoë.py")
    write_py(submissions, "Zoé.py")
    status, errors = run_batch(submissions, out)
    assert status == 0, errors
    assert set(committed(out)) == {"Zoë", "Zoé"}
    assert (out / "Zoë" / "results.json").exists() and (out / "Zoé" / "results.json").exists()


@pytest.mark.timeout(60)
def test_two_entries_with_one_id_are_both_refused_by_name(tmp_path):
    submissions, out = tmp_path / "submissions", tmp_path / "results"
    write_py(submissions, "alice.py")
    with zipfile.ZipFile(submissions / "alice.zip", "w") as bundle:
        bundle.writestr("exercise_02_streaming_word_count.py", "")
    write_py(submissions / "bob", "exercise_02_streaming_word_count.py")
    write_py(submissions, "bob.ipynb")
    write_py(submissions, "carol.py")
    status, errors = run_batch(submissions, out)
    assert status == 0, errors
    for entry in ("alice.py", "alice.zip", "bob", "bob.ipynb"):
        assert entry in errors, errors
    assert set(committed(out)) == {"carol"}
    refused = json.loads((out / "refused.json").read_text())
    assert set(refused) == {"alice.py", "alice.zip", "bob", "bob.ipynb"}
    assert "alice.zip" in refused["alice.py"] and "alice.py" in refused["alice.zip"]
    assert "alice.zip" in (out / "report.html").read_text()


@pytest.mark.timeout(60)
def test_an_unsupported_entry_is_reported_not_dropped(tmp_path):
    submissions, out = tmp_path / "submissions", tmp_path / "results"
    write_py(submissions, "carol.py")
    (submissions / "quinn.rar").write_bytes(b"Rar!\x1a\x07\x00")
    (submissions / "notes.txt").write_text("remember to grade quinn")
    status, errors = run_batch(submissions, out)
    assert status == 0, errors
    assert "quinn.rar" in errors and "notes.txt" in errors, errors
    assert set(json.loads((out / "refused.json").read_text())) == {"quinn.rar", "notes.txt"}
    assert set(committed(out)) == {"carol"}


@pytest.mark.timeout(60)
def test_only_an_id_not_in_the_folder_is_an_error(tmp_path):
    submissions, out = tmp_path / "submissions", tmp_path / "results"
    write_py(submissions, "carol.py")
    status, errors = run_batch(submissions, out, "--only", "karol")
    assert status == 2, errors
    assert "karol" in errors and "carol" in errors, errors
    assert committed(out) == {}


def zip_bomb(path: Path) -> None:
    """300 MB of zeros in one 300 kB file."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bundle:
        with bundle.open("bomb/exercise_02_streaming_word_count.py", "w", force_zip64=True) as member:
            for _ in range(300):
                member.write(bytes(1 << 20))


def crowd(path: Path) -> None:
    """Five thousand empty files."""
    with zipfile.ZipFile(path, "w") as bundle:
        for index in range(5000):
            bundle.writestr(f"crowd/f{index}.py", "")


def link(path: Path) -> None:
    """A symbolic link to the solutions, beside an exercise file."""
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("link/exercise_02_streaming_word_count.py", "")
        member = zipfile.ZipInfo("link/solutions")
        member.external_attr = (0o120777 << 16)
        bundle.writestr(member, "../../../solutions")


def disk_usage(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) if folder.exists() else 0


@pytest.mark.timeout(120)
@pytest.mark.parametrize("make, says", [
    (zip_bomb, "unpack to 300 MB"), (crowd, "5000 files"), (link, "symbolic link")])
def test_an_unsafe_zip_is_refused_before_it_is_unpacked(tmp_path, make, says):
    submissions, out = tmp_path / "submissions", tmp_path / "results"
    submissions.mkdir()
    make(submissions / "mallory.zip")
    started = time.monotonic()
    status, errors = run_batch(submissions, out)
    seconds = time.monotonic() - started
    assert status == 0, errors
    result = json.loads((out / "mallory" / "results.json").read_text())
    assert {t["extra_data"]["failure"] for t in result["tests"]} == {"load"}
    assert says in result["output"], result["output"]  # said once, for the whole submission
    assert not any(says in t["output"] for t in result["tests"])
    assert (out / "mallory" / "feedback.md").read_text().count(says) == 1
    assert says in (out / "report.html").read_text()
    assert disk_usage(out / ".unpacked") < 1 << 20
    assert seconds < 20, f"refusing took {seconds:.1f} s"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_ctrl_c_keeps_what_was_graded_and_starts_no_one(tmp_path, signum):
    submissions, out, witness = tmp_path / "submissions", tmp_path / "results", tmp_path / "started"
    witness.mkdir()
    for student in ("s1", "s2", "s3", "s4"):
        write_py(submissions, f"{student}.py")
    process = start_batch(submissions, out, "--workers", "1",
                          FAKE_GRADE_WITNESS=str(witness), FAKE_GRADE_SECONDS="2")
    wait_for(lambda: (witness / "s2.py").exists(), 60, "the second student to start")
    graded_before = committed(out)
    assert set(graded_before) == {"s1"}
    process.send_signal(signum)
    _, errors = process.communicate(timeout=30)
    assert process.returncode == 130, errors
    assert "interrupted" in errors.lower(), errors
    assert sorted(p.name for p in witness.iterdir()) == ["s1.py", "s2.py"]
    assert not alive(int((witness / "s2.py").read_text()))
    assert committed(out) == graded_before
    assert (out / "gradebook.csv").read_text().splitlines()[1:] == ["s1,2,2,2"]


@pytest.mark.timeout(120)
def test_kill_9_of_the_batch_leaves_no_grading_process(tmp_path):
    submissions, out, witness = tmp_path / "submissions", tmp_path / "results", tmp_path / "started"
    witness.mkdir()
    for student in ("s1", "s2", "s3"):
        write_py(submissions, f"{student}.py")
    process = start_batch(submissions, out, FAKE_GRADE_WITNESS=str(witness), FAKE_GRADE_SECONDS="60")
    wait_for(lambda: len(list(witness.iterdir())) == 2, 60, "two students to start")
    pids = [int(p.read_text()) for p in witness.iterdir()]
    assert all(alive(pid) for pid in pids)
    process.kill()
    process.communicate(timeout=30)
    wait_for(lambda: not any(alive(pid) for pid in pids), 10, "the grading processes to die with the batch")


@pytest.mark.timeout(60)
def test_a_run_clears_what_a_killed_run_left(tmp_path):
    submissions, out = tmp_path / "submissions", tmp_path / "results"
    write_py(submissions, "carol.py")
    (out / ".unpacked" / "gone" / "gone").mkdir(parents=True)
    (out / ".logs").mkdir()
    (out / ".logs" / "gone.log").write_text("half a log")
    status, errors = run_batch(submissions, out)
    assert status == 0, errors
    assert not (out / ".unpacked" / "gone").exists() and not (out / ".logs" / "gone.log").exists()
    assert set(committed(out)) == {"carol"}
    status, errors = run_batch(submissions, out)
    assert status == 0 and "0 to grade" in errors, errors
    assert (out / ".logs" / "carol.log").exists(), "the log of a stored grade is the instructor's to read"
