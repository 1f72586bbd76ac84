"""A class split across machines: `grade batch --shard K/N` grades a slice stable under added
students, and `grade merge` joins the slices into what one batch of the whole class writes.
Students are graded by the stand-in for `grade` (tests/batch_without_spark.py): no Spark."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from grader import paths
from grader.batch.fingerprint import grading_fingerprint
from grader.batch.shards import Shard, ShardError
from test_batch_intake import run_batch, write_py

STUDENTS = ["alice", "bob_wrong", "carol", "dave", "Zoë", "erin_wrong", "frank", "grace", "heidi", "ivan"]
# Everything a results folder exports but batch.json, which names the slice.
EXPORTS = ["gradebook.csv", "canvas.csv", "junit.xml", "refused.json", "report.html"]


def merge(*folders: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "merge", *map(str, folders), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def make_class(folder: Path, students: list[str]) -> None:
    for student in students:
        write_py(folder, f"{student}.py")
    (folder / "notes.txt").write_text("not a submission")  # refused, in every slice's report


def exported(results: Path) -> dict[str, str]:
    """A results folder's exports, but for when its report was written."""
    files = {name: (results / name).read_text() for name in EXPORTS}
    files["report.html"] = re.sub(r"<dt>date</dt><dd>[^<]*</dd>", "", files["report.html"])
    for student in json.loads((results / "batch.json").read_text())["students"]:
        for name in ("results.json", "feedback.md"):
            files[f"{student}/{name}"] = (results / student / name).read_text()
    return files


@pytest.mark.timeout(10)
def test_a_slice_is_a_hash_of_the_id_so_added_students_move_no_one():
    ids = [f"student-{n}" for n in range(200)]
    slices = {student: [k for k in (1, 2, 3) if Shard(k, 3).holds(student)] for student in ids}
    assert all(len(found) == 1 for found in slices.values())  # each student in exactly one slice
    assert all(20 < sum(found == [k] for found in slices.values()) < 120 for k in (1, 2, 3))
    # A class read in another order, with newcomers among them: no one changes slice.
    bigger = sorted(ids + [f"newcomer-{n}" for n in range(50)], reverse=True)
    assert all([k for k in (1, 2, 3) if Shard(k, 3).holds(s)] == slices[s] for s in bigger if s in slices)


@pytest.mark.timeout(10)
@pytest.mark.parametrize("text", ["2", "0/2", "3/2", "a/b", "1/0"])
def test_a_shard_that_is_not_k_of_n_is_refused(text):
    with pytest.raises(ShardError, match="--shard"):
        Shard.parse(text)


@pytest.mark.timeout(120)
def test_two_slices_merged_equal_the_whole_class_graded_at_once(tmp_path):
    make_class(tmp_path / "class", STUDENTS)
    assert run_batch(tmp_path / "class", tmp_path / "whole")[0] == 0
    for k in (1, 2):
        code, errors = run_batch(tmp_path / "class", tmp_path / f"slice-{k}", "--shard", f"{k}/2")
        assert code == 0, errors
    sliced = [json.loads((tmp_path / f"slice-{k}" / "batch.json").read_text())["students"] for k in (1, 2)]
    assert all(sliced) and sorted(sliced[0] + sliced[1]) == sorted(STUDENTS)  # two real halves
    done = merge(tmp_path / "slice-2", tmp_path / "slice-1", out=tmp_path / "merged")
    assert done.returncode == 0, done.stderr
    whole, merged = exported(tmp_path / "whole"), exported(tmp_path / "merged")
    assert merged == whole
    assert "bob_wrong,0" in merged["gradebook.csv"] and "notes.txt" in merged["refused.json"]


@pytest.mark.timeout(120)
def test_a_missing_slice_is_named_and_a_slice_given_twice_is_refused(tmp_path):
    make_class(tmp_path / "class", STUDENTS)
    assert run_batch(tmp_path / "class", tmp_path / "slice-1", "--shard", "1/2")[0] == 0
    alone = merge(tmp_path / "slice-1", out=tmp_path / "merged")
    assert alone.returncode == 1 and "slice(s) 2/2 not given" in alone.stderr
    twice = merge(tmp_path / "slice-1", tmp_path / "merged", out=tmp_path / "again")
    assert twice.returncode == 2 and "given twice" in twice.stderr
    assert not (tmp_path / "again").exists()
    again = merge(tmp_path / "slice-1", out=tmp_path / "merged")
    assert again.returncode == 2 and "is not empty" in again.stderr


@pytest.fixture
def fingerprint_of(monkeypatch):
    """The fingerprint of this grader with the fixtures in a given folder, computed afresh (and
    this process's own again after the test)."""
    def fingerprint(fixtures: Path) -> str:
        monkeypatch.setattr(paths, "FIXTURES", fixtures)
        grading_fingerprint.cache_clear()
        return grading_fingerprint()

    yield fingerprint
    grading_fingerprint.cache_clear()


@pytest.mark.timeout(30)
def test_the_fingerprint_follows_the_grading_code_and_fixtures_and_nothing_else(tmp_path, fingerprint_of):
    fixtures = tmp_path / "fixtures"
    shutil.copytree(paths.FIXTURES, fixtures)
    assert fingerprint_of(fixtures) == fingerprint_of(paths.FIXTURES)  # content, not where it is
    first = fingerprint_of(fixtures)
    stream = next((fixtures / "streams").glob("*.toml"))
    os.utime(stream, (0, 0))  # touched, not changed
    (fixtures / "__pycache__").mkdir()
    (fixtures / "__pycache__" / "streams.cpython-311.pyc").write_bytes(b"compiled")
    (fixtures / "streams" / "helper.pyc").write_bytes(b"compiled")
    assert fingerprint_of(fixtures) == first
    hidden = next((fixtures / "hidden" / "expected").glob("*.json"))
    hidden.write_text(hidden.read_text() + "\n")  # one hidden expectation re-recorded
    assert fingerprint_of(fixtures) != first
    hidden.unlink()
    (fixtures / "hidden" / "expected" / "moved.json").write_bytes(b"")
    assert fingerprint_of(fixtures) != first


def graded_from_a_copy(tmp_path: Path, changed_fixture: str) -> dict[str, str]:
    """The environment of a grader whose checkout differs from this one in one fixture file only
    (the package version is the same): another commit on another machine."""
    project = tmp_path / "other-checkout"
    shutil.copytree(paths.FIXTURES, project / "fixtures")
    for folder in ("exercises", "solutions"):
        (project / folder).symlink_to(ROOT / folder)
    fixture = project / "fixtures" / changed_fixture
    fixture.write_text(fixture.read_text() + "\n# one more row's comment\n")
    return {"GRADER_PROJECT": str(project), "GRADER_CACHE": str(paths.CACHE)}


@pytest.mark.timeout(120)
def test_slices_graded_by_other_grader_code_or_fixtures_are_not_merged(tmp_path):
    make_class(tmp_path / "class", STUDENTS)
    assert run_batch(tmp_path / "class", tmp_path / "slice-1", "--shard", "1/2")[0] == 0
    other = graded_from_a_copy(tmp_path, "streams/ad_clicks.toml")
    assert run_batch(tmp_path / "class", tmp_path / "slice-2", "--shard", "2/2", **other)[0] == 0
    versions = {json.loads((tmp_path / f"slice-{k}" / "batch.json").read_text())["grader_version"] for k in (1, 2)}
    assert len(versions) == 1  # one package version: only the fingerprint tells them apart
    done = merge(tmp_path / "slice-1", tmp_path / "slice-2", out=tmp_path / "merged")
    assert done.returncode == 2, done.stderr
    assert (f"{tmp_path / 'slice-2'} (slice 2/2) was graded by different grader code or fixtures than this "
            "checkout's: regrade slice 2/2 with this checkout") in done.stderr
    assert "slice-1" not in done.stderr.replace(str(tmp_path / "slice-2"), "")
    assert not (tmp_path / "merged").exists()
    # Regraded with this checkout, it merges.
    assert run_batch(tmp_path / "class", tmp_path / "slice-2", "--shard", "2/2", "--force")[0] == 0
    assert merge(tmp_path / "slice-1", tmp_path / "slice-2", out=tmp_path / "merged").returncode == 0


@pytest.mark.timeout(120)
def test_a_slice_recorded_before_fingerprints_is_told_to_be_regraded(tmp_path):
    make_class(tmp_path / "class", STUDENTS)
    for k in (1, 2):
        assert run_batch(tmp_path / "class", tmp_path / f"slice-{k}", "--shard", f"{k}/2")[0] == 0
    record = tmp_path / "slice-1" / "batch.json"
    older = json.loads(record.read_text())
    del older["fingerprint"]
    record.write_text(json.dumps(older))
    done = merge(tmp_path / "slice-1", tmp_path / "slice-2", out=tmp_path / "merged")
    assert done.returncode == 2
    assert ("slice 1/2) was graded by an older grader, which did not record which grader code and "
            "fixtures graded it: regrade slice 1/2 with this checkout") in done.stderr
    code, errors = run_batch(tmp_path / "class", tmp_path / "slice-1", "--shard", "1/2")
    assert code == 2 and "did not record which grader code and fixtures graded it; regrade it all with --force" in errors


@pytest.mark.timeout(120)
def test_slices_of_other_settings_are_not_merged(tmp_path):
    make_class(tmp_path / "class", STUDENTS)
    for k in (1, 2):
        assert run_batch(tmp_path / "class", tmp_path / f"slice-{k}", "--shard", f"{k}/2")[0] == 0
    record = tmp_path / "slice-2" / "batch.json"
    record.write_text(record.read_text().replace('"pyspark_version": "', '"pyspark_version": "3.5.0-'))
    done = merge(tmp_path / "slice-1", tmp_path / "slice-2", out=tmp_path / "merged")
    assert done.returncode == 2 and "graded differently" in done.stderr and "pyspark_version" in done.stderr
    assert not (tmp_path / "merged").exists()


@pytest.mark.timeout(120)
def test_a_slice_resumes_in_its_own_folder_and_not_in_anothers(tmp_path):
    make_class(tmp_path / "class", STUDENTS)
    assert run_batch(tmp_path / "class", tmp_path / "slice-1", "--shard", "1/2")[0] == 0
    code, errors = run_batch(tmp_path / "class", tmp_path / "slice-1", "--shard", "1/2")
    assert code == 0 and "0 to grade" in errors, errors
    code, errors = run_batch(tmp_path / "class", tmp_path / "slice-1", "--shard", "2/2")
    assert code == 2 and "holds slice 1/2 of the class, not 2/2" in errors
    other = graded_from_a_copy(tmp_path, "expected/exercise-2.json")
    code, errors = run_batch(tmp_path / "class", tmp_path / "slice-1", "--shard", "1/2", **other)
    assert code == 2 and ("was graded by different grader code or fixtures than this checkout's; regrade it "
                          "all with --force") in errors


@pytest.mark.spark
@pytest.mark.timeout(900)
def test_real_gradings_in_two_slices_merge_to_the_whole_class(tmp_path):
    """The same on the warm engine, with students graded for real: Spark's results and the
    stored JSON travel through the slices unchanged."""
    solution = ROOT / "solutions" / "exercise_01_sql_recap.py"
    right = solution.read_text()
    # The solution with one task's function replaced by a known mistake's (the later def wins).
    wrong = right + "\n\n" + (ROOT / "solutions" / "wrong_answers" / "exercise_01" / "strictly_older.py").read_text()
    for student, source in {"ada": right, "ben": wrong, "cy": right, "dan": wrong}.items():
        (tmp_path / "class" / student).mkdir(parents=True)
        (tmp_path / "class" / student / solution.name).write_text(source)
    batch = [sys.executable, "-m", "grader", "batch", str(tmp_path / "class"), "--exercises", "exercise-1",
             "--workers", "2", "--out"]
    for out, *extra in [("whole",), ("slice-1", "--shard", "1/2"), ("slice-2", "--shard", "2/2")]:
        done = subprocess.run([*batch, str(tmp_path / out), *extra], cwd=ROOT, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, done.stderr
    assert merge(tmp_path / "slice-1", tmp_path / "slice-2", out=tmp_path / "merged").returncode == 0
    whole = (tmp_path / "whole" / "gradebook.csv").read_text()
    assert (tmp_path / "merged" / "gradebook.csv").read_text() == whole
    totals = {row.split(",")[0]: row.split(",")[-2:] for row in whole.splitlines()[1:]}
    assert totals == {"ada": ["9", "9"], "ben": ["7", "9"], "cy": ["9", "9"], "dan": ["7", "9"]}
