"""The engines a grading can run on: the warm local engine, a remote Spark Connect server by
URL, and a classic Spark inside the worker."""

import contextlib
import dataclasses
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest

from conftest import ROOT, run_grade
from grader.engine.admission import admitted_session, prune_admissions
from grader.engine.handshake import spark_version_request
from grader.engine.heap import live_heap_mb, too_full
from grader.engine.lease import engine_lease, holder_record, live_leases
from grader.engine.registry import EngineIdentity, jvm_record, read_identity, serving
from grader.engine.server import EngineError, EngineServer, engine_for, revive
from grader.engine.session import engine_answers
from grader.confinement import grading_folder
from grader.engine import Engine
from grader.services import port_open, wait_for_exit

pytestmark = pytest.mark.spark


@pytest.mark.timeout(300)
def test_the_warm_engine_is_reused_not_started_twice():
    server = EngineServer.from_env()
    server.start()
    assert server.running()
    assert server.start() is False
    assert engine_for("auto") == Engine.connect(server.url)


@pytest.mark.timeout(600)
def test_grading_on_a_remote_server_by_url():
    url = EngineServer.from_env().ensure_running()
    code, result, stderr = run_grade("exercise-1", "--submission", str(ROOT / "solutions"), "--remote", url)
    assert result is not None, stderr
    assert result["score"] == result["max_score"] and code == 0


@pytest.mark.timeout(600)
def test_grading_on_a_classic_local_session_in_the_worker():
    code, result, stderr = run_grade("exercise-1", "--submission", str(ROOT / "solutions"), "--engine", "local")
    assert result is not None, stderr
    assert result["score"] == result["max_score"] and code == 0


def test_an_unreachable_remote_is_refused_at_once():
    with pytest.raises(EngineError, match="No Spark Connect server answers at sc://127.0.0.1:9"):
        engine_for("sc://127.0.0.1:9")
    code, result, stderr = run_grade("exercise-1", "--remote", "sc://127.0.0.1:9")
    assert code == 3 and result is None and "No Spark Connect server answers" in stderr


def test_an_unknown_engine_is_refused():
    with pytest.raises(EngineError, match="Unknown engine"):
        engine_for("cluster")


@pytest.mark.timeout(300)
def test_an_idle_engine_stops_by_itself(tmp_path):
    env = {**os.environ, "GRADER_ENGINE_PORT": "15012", "GRADER_CACHE": str(tmp_path),
           "GRADER_ENGINE_IDLE_MINUTES": "0.1"}
    grade = [sys.executable, "-m", "grader", "engine"]
    subprocess.run([*grade, "start"], env=env, check=True, timeout=240, capture_output=True)
    deadline = time.monotonic() + 60
    while subprocess.run([*grade, "status"], env=env, capture_output=True).returncode == 0:
        assert time.monotonic() < deadline, "the engine kept running while idle"
        time.sleep(2)
    assert "idle for" in (tmp_path / "engine" / "engine-15012.log").read_text()


def gc_log(tmp_path, *after_mb: int):
    """A GC log as the engine's JVM writes it (-Xlog:gc with uptime), one young pause per size."""
    log = tmp_path / "gc.log"
    log.write_text("[0.002s] Using G1\n" + "".join(
        f"[{i + 1}.000s] GC({i}) Pause Young (Normal) (G1 Evacuation Pause) {mb + 300}M->{mb}M(2048M) 4.2ms\n"
        for i, mb in enumerate(after_mb)))
    return log


def test_an_engine_is_stopped_when_its_heap_stays_full_after_collections(tmp_path):
    """The smallest heap left after recent collections bounds the live data: past 60% the engine
    stops once no grading holds a lease, past 85% at once (gradings retry on a fresh engine)."""
    assert live_heap_mb(tmp_path / "none.log") is None and too_full(tmp_path / "none.log", False) is None
    assert live_heap_mb(gc_log(tmp_path, 1500, 900, 1400)) == 900  # garbage left by young pauses is not live
    assert too_full(gc_log(tmp_path, 1000), leased=False) is None
    assert too_full(gc_log(tmp_path, 1400), leased=True) is None
    assert "1400 MiB of its 2048 MiB heap" in too_full(gc_log(tmp_path, 1400), leased=False)
    assert "1800 MiB" in too_full(gc_log(tmp_path, 1800), leased=True)


@pytest.mark.timeout(300)
def test_an_engine_whose_heap_stays_full_stops_by_itself(tmp_path):
    """With the idle threshold at 0%, the engine's first collections are reason enough: once it
    serves it stops (maybe before `start` has seen it answer), says why in its log, and does not
    wait its idle minutes."""
    env = {**os.environ, "GRADER_ENGINE_PORT": "15015", "GRADER_CACHE": str(tmp_path),
           "GRADER_ENGINE_HEAP_PERCENT": "0"}
    grade = [sys.executable, "-m", "grader", "engine"]
    subprocess.run([*grade, "start"], env=env, timeout=240, capture_output=True)
    deadline = time.monotonic() + 90
    while subprocess.run([*grade, "status"], env=env, capture_output=True).returncode == 0:
        assert time.monotonic() < deadline, "the engine kept running with its heap over the limit"
        time.sleep(2)
    assert "heap still in use after collections" in (tmp_path / "engine" / "engine-15015.log").read_text()


@pytest.fixture
def foreign_program_port():
    """A port held by a program that accepts connections but is not Spark (it never answers)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield listener.getsockname()[1]
    listener.close()


@pytest.mark.timeout(120)
def test_a_program_on_the_engine_port_that_is_not_the_engine_is_named_at_once(foreign_program_port, tmp_path):
    # An engine of the grader that once ran on the port left its records: they delay nothing.
    ended = subprocess.run(["sh", "-c", "echo $$"], capture_output=True, text=True).stdout
    EngineIdentity.of_this_grader(int(ended), foreign_program_port, False, tmp_path / "last-used", "").write()
    jvm_record(foreign_program_port).write_text(holder_record(int(ended)))
    started = time.monotonic()
    code, result, stderr = run_grade(
        "exercise-2", "--submission", str(ROOT / "solutions"), timeout=90,
        env={"GRADER_ENGINE_PORT": str(foreign_program_port), "GRADER_CACHE": str(tmp_path)},
    )
    assert code == 3 and result is None  # the grader's failure, not the student's lost points
    assert f"Port {foreign_program_port} is taken by a program that is not this grader's Spark engine" in stderr
    assert "GRADER_ENGINE_PORT" in stderr and "--remote" not in stderr
    assert time.monotonic() - started < 30


@pytest.mark.timeout(30)
def test_a_remote_url_to_a_program_that_is_not_spark_is_refused_within_seconds(foreign_program_port):
    started = time.monotonic()
    with pytest.raises(EngineError, match="No Spark Connect server answers"):
        engine_for(f"sc://127.0.0.1:{foreign_program_port}")
    assert time.monotonic() - started < 10


def test_the_handshake_request_is_what_pyspark_would_send():
    from pyspark.sql.connect.proto import base_pb2

    request = base_pb2.AnalyzePlanRequest.FromString(spark_version_request())
    assert request.HasField("spark_version") and request.user_context.user_id == "grader"
    assert str(uuid.UUID(request.session_id)) == request.session_id


@pytest.mark.timeout(400)
def test_a_lease_keeps_an_idle_engine_up_while_a_grading_runs_and_lets_it_stop_after(tmp_path):
    port = 15013
    env = {**os.environ, "GRADER_ENGINE_PORT": str(port), "GRADER_CACHE": str(tmp_path),
           "GRADER_ENGINE_IDLE_MINUTES": "0.05"}
    grade = [sys.executable, "-m", "grader", "engine"]
    subprocess.run([*grade, "start"], env=env, check=True, timeout=240, capture_output=True)
    url = f"sc://127.0.0.1:{port}"
    with engine_lease(Engine.connect(url)):
        assert len(live_leases(port)) == 1
        code, result, stderr = run_grade("exercise-1", "--submission", str(ROOT / "solutions"), "--remote", url,
                                         timeout=300, env={"GRADER_CACHE": str(tmp_path)})
        time.sleep(10)  # well past the 3 idle seconds, and two of the host's checks
        assert subprocess.run([*grade, "status"], env=env, capture_output=True).returncode == 0
    assert result is not None and result["score"] == result["max_score"], stderr
    deadline = time.monotonic() + 60
    while subprocess.run([*grade, "status"], env=env, capture_output=True).returncode == 0:
        assert time.monotonic() < deadline, "the engine kept running after its last lease ended"
        time.sleep(2)
    assert "idle for" in (tmp_path / "engine" / f"engine-{port}.log").read_text()


def test_a_lease_of_a_grading_that_was_killed_does_not_count(tmp_path, monkeypatch):
    port = 15014
    monkeypatch.setattr("grader.engine.lease.read_identity", lambda port: object())
    monkeypatch.setattr("grader.engine.lease.runtime_dir", lambda port: tmp_path)
    killed = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    with engine_lease(Engine.connect(f"sc://127.0.0.1:{port}")):
        lease = next((tmp_path / "leases").iterdir())
        orphan = lease.with_name("orphan")
        orphan.write_text(lease.read_text().replace(str(os.getpid()), str(killed.pid)))
        assert len(live_leases(port)) == 1  # the orphan's pid runs, but started at another time
    killed.kill()
    assert live_leases(port) == []


def test_the_session_of_a_grading_that_was_killed_is_struck_off(tmp_path, monkeypatch):
    """A grading killed before it released its session leaves its admission behind; the engine's
    host strikes it off, so no one who learnt the id can use that session later."""
    monkeypatch.setattr("grader.engine.admission.runtime_dir", lambda port: tmp_path)
    killed = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    with admitted_session("sc://127.0.0.1:15016") as live:
        orphan = tmp_path / "sessions" / str(uuid.uuid4())
        orphan.write_text((tmp_path / "sessions" / live).read_text().replace(str(os.getpid()), str(killed.pid)))
        killed.kill()
        killed.wait()
        prune_admissions(15016)
        assert sorted(path.name for path in (tmp_path / "sessions").iterdir()) == [live]
    assert not (tmp_path / "sessions" / live).exists()


def test_the_engines_python_workers_start_faster_than_on_pysparks_zip():
    from benchmarks.run import worker_start_cpu

    ours = min(worker_start_cpu(isolated=True) for _ in range(2))
    theirs = min(worker_start_cpu(isolated=False) for _ in range(2))
    assert ours < 0.7 * theirs, f"{ours:.2f} s of CPU against {theirs:.2f} s on pyspark.zip"


@pytest.mark.timeout(300)
def test_a_foreach_batch_function_is_called_within_seconds_on_the_engine():
    url = EngineServer.from_env().ensure_running()
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "foreach_batch_start.py"), url, str(grading_folder(Engine.connect(url).port)), "3"],
        capture_output=True, text=True, timeout=240, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rounds = [json.loads(line) for line in done.stdout.splitlines()]
    assert all(".zip" not in round_["pyspark"] for round_ in rounds), rounds
    # The first round also warms the engine up; a worker then starts in about a second.
    assert min(round_["seconds"] for round_ in rounds[1:]) < 5, rounds


def test_an_engine_whose_python_is_gone_or_broker_differs_is_not_shared(tmp_path):
    """An engine started from a checkout (or a bundle) since deleted runs its Python workers
    with an interpreter that no longer exists: every foreachBatch and UDF would fail there. One
    started for another Kafka broker cannot reach this grading's."""
    from grader.engine.registry import EngineIdentity

    kafka = "127.0.0.1:9092"
    gone = EngineIdentity.of_this_grader(1, 15002, True, tmp_path / "last-used", kafka)
    gone = EngineIdentity(**{**gone.__dict__, "python": str(tmp_path / "deleted" / "python")})
    assert "no longer exists" in (gone.mismatch(kafka) or "")
    assert EngineIdentity.of_this_grader(1, 15002, True, tmp_path / "last-used", kafka).mismatch(kafka) is None
    other_broker = EngineIdentity.of_this_grader(1, 15002, True, tmp_path / "last-used", "127.0.0.1:19092")
    assert "may reach only the Kafka broker at 127.0.0.1:19092" in (other_broker.mismatch(kafka) or "")


def engine_hosts(port: int) -> list[int]:
    """The engine host processes started for `port`."""
    wanted = f"--engine-port={port}".encode()
    found = []
    for entry in os.scandir("/proc"):
        try:
            if entry.name.isdigit() and wanted in open(f"/proc/{entry.name}/cmdline", "rb").read():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.mark.timeout(600)
def test_two_gradings_that_find_the_engine_gone_start_one():
    """Two lanes (or two terminals) that find no engine at the same moment: one engine is started,
    the other waits for it; a second one would bind the next port and outlive every `engine stop`."""
    from test_bundle import free_port

    env = {**os.environ, "GRADER_ENGINE_PORT": str(free_port())}
    port = int(env["GRADER_ENGINE_PORT"])
    starts = [subprocess.Popen([sys.executable, "-m", "grader", "engine", "start"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    try:
        said = sorted(start.communicate(timeout=400)[0].split(" at ")[0] for start in starts)
        assert said == ["Spark engine already running", "Spark engine started"], said
        assert len(engine_hosts(port)) == 1
    finally:
        subprocess.run([sys.executable, "-m", "grader", "engine", "stop"], cwd=ROOT, env=env, capture_output=True,
                       timeout=120)
        for pid in engine_hosts(port):  # what a failed test would leave: each host with its JVM
            os.killpg(pid, 9)


def test_a_users_engine_port_is_recorded_and_one_taken_by_another_program_given_up(
        foreign_program_port, tmp_path, monkeypatch):
    """Without GRADER_ENGINE_PORT each user's engine port is chosen once and recorded; a port some
    other program (another user's engine) holds is never used, the recorded one included."""
    from grader import paths
    from grader.engine.registry import engine_port

    monkeypatch.delenv("GRADER_ENGINE_PORT", raising=False)
    monkeypatch.setattr(paths, "RUNTIME", tmp_path / "engines")
    first = engine_port()
    assert engine_port() == first and (tmp_path / "engines" / "engine-port").read_text().strip() == str(first)
    assert (tmp_path / "engines").stat().st_mode & 0o077 == 0
    (tmp_path / "engines" / "engine-port").write_text(f"{foreign_program_port}\n")
    chosen = engine_port()
    assert chosen != foreign_program_port and not port_open(chosen)
    assert (tmp_path / "engines" / "engine-port").read_text().strip() == str(chosen)


@pytest.mark.timeout(400)
def test_a_session_admitted_while_the_engine_starts_is_let_in(monkeypatch):
    """A lane whose engine went away admits its next session while another lane starts the fresh
    engine: the fresh one must let it in, not forget it (the reference was once not graded so)."""
    from pyspark.sql import SparkSession
    from test_bundle import free_port

    monkeypatch.setenv("GRADER_ENGINE_PORT", str(free_port()))
    server = EngineServer.from_env()
    try:
        with admitted_session(server.url) as session_id:
            server.start()
            spark = SparkSession.builder.remote(Engine.connect(server.url).with_session(session_id).url).create()
            assert spark.range(3).count() == 3
            spark.stop()
    finally:
        server.stop()


@pytest.mark.timeout(300)
def test_the_local_engine_ignores_a_spark_connect_setting_of_its_parent(monkeypatch):
    """A Connect session made earlier in the grading's process (or SPARK_REMOTE in a user's
    profile) must not turn a local worker's pyspark into a Connect client without a server."""
    from grader import paths
    from grader.supervision.supervisor import Run, WorkerPool

    monkeypatch.setenv("SPARK_CONNECT_MODE_ENABLED", "1")
    monkeypatch.setenv("SPARK_REMOTE", "sc://127.0.0.1:1")
    solution = paths.SOLUTIONS / "exercise_02_streaming_word_count.py"
    with WorkerPool([Run("run0", 2, "start_update_query", solution, 120)], Engine.local()) as pool:
        outcome = pool.outcome("run0")
    assert outcome.failure is None and len(outcome.snapshots) == 3


@pytest.mark.timeout(300)
def test_a_port_the_last_engines_jvm_still_holds_as_it_dies_is_waited_for(monkeypatch):
    """A killed JVM keeps its port while its threads are torn down (longer with a full heap, on
    a busy machine), its main thread already a zombie: a fresh engine waits for the port instead
    of calling it taken by another program."""
    from test_bundle import free_port

    monkeypatch.setenv("GRADER_ENGINE_PORT", str(free_port()))
    server = EngineServer.from_env()
    # Its main thread ends at once; another holds the port 3 s more.
    dying_jvm = subprocess.Popen([sys.executable, "-c", (
        "import ctypes, os, socket, threading, time\n"
        f"s = socket.create_server(('127.0.0.1', {server.port}))\n"
        "threading.Thread(target=lambda: (time.sleep(3), os._exit(0))).start()\n"
        "print(flush=True)\n"
        "ctypes.CDLL(None).pthread_exit(None)")], stdout=subprocess.PIPE)
    try:
        dying_jvm.stdout.readline()
        jvm_record(server.port).write_text(holder_record(dying_jvm.pid))
        assert wait_for_exit(dying_jvm.pid, timeout=5)  # as far as its main thread tells
        assert port_open(server.port)
        assert server.start() and server.running()
    finally:
        server.stop()
        dying_jvm.kill()


@pytest.mark.timeout(300)
def test_a_host_killed_outright_takes_its_jvm_along(monkeypatch):
    """Else the JVM would serve on with no host to stop it, and hold the port as "a program that
    is not this grader's engine" until someone finds and kills it."""
    from test_bundle import free_port

    monkeypatch.setenv("GRADER_ENGINE_PORT", str(free_port()))
    server = EngineServer.from_env()
    try:
        server.start()
        host = server.identity().pid
        jvm = int(subprocess.run(["pgrep", "-P", str(host)], capture_output=True, text=True).stdout.split()[0])
        os.kill(host, signal.SIGKILL)
        assert wait_for_exit(jvm, timeout=10), "the JVM outlived its host"
        assert server.start() and server.running()
    finally:
        server.stop()


@pytest.mark.timeout(400)
def test_an_engine_being_stopped_is_waited_out_and_revived_for_its_own_broker(monkeypatch):
    """While its host stops the engine (a full heap, say), the JVM's port may answer for seconds
    while every session opened there fails: a grading takes it as gone at once (a failed call of
    the student's is then not held against them), waits for its end, and starts a fresh engine
    that reaches the broker the first was started for (a batch slot's own)."""
    from pyspark.sql import SparkSession
    from test_bundle import free_port

    monkeypatch.setenv("GRADER_ENGINE_PORT", str(free_port()))
    server = dataclasses.replace(EngineServer.from_env(), kafka_bootstrap="127.0.0.1:1")
    engine = Engine.connect(server.url)
    # As in a grading's own process (or a user's profile): the engine it starts must not inherit it.
    monkeypatch.setenv("SPARK_REMOTE", server.url)
    jvm = None
    try:
        server.start()
        first = server.identity()
        spark = SparkSession.builder.remote(server.url).create()  # a client, never used: no admission
        jvm = int(subprocess.run(["pgrep", "-P", str(first.pid)], capture_output=True, text=True).stdout.split()[0])
        os.kill(jvm, signal.SIGSTOP)  # a JVM slow to shut down: its port answers all the while
        os.kill(first.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while serving(engine):
            assert time.monotonic() < deadline, "an engine being stopped was still taken as serving"
            time.sleep(0.1)
        assert port_open(server.port)
        asked = time.monotonic()
        assert not engine_answers(spark) and time.monotonic() - asked < 5
        assert revive(engine) is None
        second = read_identity(server.port)
        assert second.pid != first.pid and second.kafka == "127.0.0.1:1" and serving(engine)
        spark.stop()  # no longer this process's active session (the fresh engine refuses it at once)
    finally:
        server.stop()
        if jvm is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(jvm, signal.SIGKILL)
