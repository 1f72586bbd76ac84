"""The warm engine: a local Spark Connect server that gradings share.

Starting a JVM and a Spark session costs seconds on every run; a server started once keeps
its JVM warm, and each grading worker attaches its own isolated session in well under a second.
It runs under a small host process (`python -m grader.engine.server`) that records who it is
(see `registry`) and stops it after `GRADER_ENGINE_IDLE_MINUTES` (default 30) without a grading
holding a lease on it (see `lease`), when its heap stays too full (see `heap`), or on `grade
engine stop`.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from grader import paths
from grader.engine import Engine, EngineError
from grader.engine.handshake import spark_connect_answers
from grader.engine.admission import (
    GateUnavailable,
    compiled_gate,
    gate_conf,
    gate_java_option,
    prune_admissions,
    sessions_dir,
)
from grader.engine.heap import GC_TO_STDOUT, MAX_HEAP, keep_gc_lines, too_full
from grader.engine.java import java_problem
from grader.engine.lease import engine_lease, holder_record, holder_runs, live_leases
from grader.engine.python_workers import ENGINE_PORT, write_launcher
from grader.engine.registry import (
    LOCAL_HOSTS, EngineIdentity, engine_port, engine_stopping, jvm_record, read_identity, runtime_dir, serving,
    starting, stopping_marker,
)
from grader.engine.settings import CONNECT_CLIENT_VARIABLES, LOCAL_ONLY_CONF, TINY_STREAM_CONF
from grader.engine.spark_home import engine_spark_home
from grader.kafka import KafkaToolError, bootstrap_ports, default_bootstrap
from grader.kafka.broker import KafkaBroker
from grader.kafka.artifacts import fetched_connector_jars
from grader.confinement import confine, engine_area, engine_root, sockets_root, unavailable_reason
from grader.lifecycle import become_subreaper, die_with_parent, kill_adopted
from grader.services import Service, alive, listeners, port_open, tail

SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"
ORPHAN_CHECK = 0.5  # seconds between looks for processes a submission left behind


@dataclass(frozen=True)
class EngineServer:
    port: int
    state_dir: Path
    idle_minutes: float
    kafka_bootstrap: str  # the only Kafka broker its JVM may connect to: its gradings'

    @classmethod
    def from_env(cls) -> EngineServer:
        return cls(
            port=engine_port(),
            state_dir=paths.CACHE / "engine",
            idle_minutes=float(os.environ.get("GRADER_ENGINE_IDLE_MINUTES", 30)),
            kafka_bootstrap=default_bootstrap(),
        )

    @property
    def url(self) -> str:
        return f"sc://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        """One per port: a batch's engines, started side by side, each keep their own."""
        return self.state_dir / f"engine-{self.port}.log"

    @property
    def last_used_file(self) -> Path:
        return self.state_dir / "last-used"

    @property
    def service(self) -> Service:
        """The host process, whichever checkout on this machine started it."""
        return Service(runtime_dir(self.port) / "engine.pid", marker=f"--engine-port={self.port}")

    @property
    def older_service(self) -> Service:
        """Where graders before the engine registry kept their engine's pid (in the checkout)."""
        return Service(self.state_dir / "engine.pid", marker=f"--engine-port={self.port}")

    def identity(self) -> EngineIdentity | None:
        """Who the engine on the port is, while its host runs; None when no engine of a grader runs."""
        identity = read_identity(self.port)
        pid = self.service.running_pid()
        return identity if identity is not None and identity.pid == pid else None

    def running(self) -> bool:
        return self.identity() is not None and port_open(self.port)

    def touch(self) -> None:
        """Mark the engine as used now, so the idle timer starts again."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.last_used_file.touch()

    def start(self, timeout: float = 180.0) -> bool:
        """Make sure this grader's engine serves on the port, and wait until it accepts sessions.

        An engine that differs from the one this grader would start (see
        `EngineIdentity.mismatch`) is restarted, unless gradings hold leases on it. Returns
        False when a fitting engine already ran."""
        with starting(self.port):
            return self._start(timeout)

    def _start(self, timeout: float) -> bool:
        self._await_stopped()
        identity = self.identity()
        reason = identity and identity.mismatch(self.kafka_bootstrap)
        if reason:
            self._restart_unused(reason)
        elif identity:
            identity.mark_used()
            self._await_serving(identity.pid, timeout, launched=False)
            return False
        if identity is None and self.older_service.running_pid() is not None:
            print(f"Restarting the Spark engine at {self.url}: an older version of the grader "
                  "started it.", file=sys.stderr)
            self.older_service.terminate(timeout=20.0)
        self._await_released()
        if port_open(self.port):
            raise EngineError(self._port_taken())
        self.touch()
        with suppress(FileNotFoundError):  # kept: it says why the engine before this one stopped
            self.log_file.replace(self.log_file.with_suffix(".previous.log"))
        pid = self.service.launch(
            [sys.executable, "-I", "-m", "grader.engine.server", f"--engine-port={self.port}",
             f"--kafka={self.kafka_bootstrap}"],
            self.log_file, self.state_dir,
        )
        self._await_serving(pid, timeout, launched=True)
        return True

    def stop(self) -> bool:
        """Stop the engine on the port; refused while gradings hold leases. False if none ran."""
        leases = live_leases(self.port)
        if leases:
            raise EngineError(
                f"{len(leases)} grading(s) are using the Spark engine at {self.url}; stopping it "
                "would fail them. Stop it once they have finished."
            )
        stopped = [self.service.terminate(timeout=20.0), self.older_service.terminate(timeout=20.0)]
        return any(stopped)

    def ensure_running(self) -> str:
        """The engine's URL, starting it first when it is not running."""
        self.start()
        return self.url

    def _restart_unused(self, reason: str) -> None:
        leases = live_leases(self.port)
        if leases:
            raise EngineError(
                f"The Spark engine at {self.url} {reason}, and {len(leases)} grading(s) are using "
                "it, so it cannot be replaced now. Grade again once they have finished (it is "
                "restarted then), or set GRADER_ENGINE_PORT to another port for an engine of your own."
            )
        print(f"Restarting the Spark engine at {self.url}: it {reason}.", file=sys.stderr)
        self.service.terminate(timeout=20.0)

    def _await_stopped(self, timeout: float = 30.0) -> None:
        """Let an engine its host is stopping end first (the host kills it after 15 s)."""
        deadline = time.monotonic() + timeout
        while engine_stopping(self.port) and time.monotonic() < deadline:
            time.sleep(0.25)

    def _await_released(self, timeout: float = 30.0) -> None:
        """Let the JVM of the engine last on the port let go of it, its host gone: a killed JVM
        keeps its port while its threads are torn down (a fraction of a second with a full 2 GiB
        heap, more on a busy machine), even once its main thread shows as exited."""
        deadline = time.monotonic() + timeout
        while (port_open(self.port) and holder_runs(jvm_record(self.port), until_reaped=True)
               and time.monotonic() < deadline):
            time.sleep(0.1)

    def _port_taken(self) -> str:
        # Never an invitation to grade there: a server on this port may be another user's, and it
        # would run this grading's code as them.
        if not os.environ.get("GRADER_ENGINE_PORT"):  # taken since engine_port() found it free
            return (f"Port {self.port} was taken by another program as your Spark engine was starting "
                    "there; grade again: your engine then takes a free port.")
        return (
            f"Port {self.port} is taken by a program that is not this grader's Spark engine. "
            "Stop that program (an engine of an older grader stops with `grade engine stop` in "
            "its own checkout), or set GRADER_ENGINE_PORT to a free port."
        )

    def _await_serving(self, pid: int, timeout: float, launched: bool) -> None:
        deadline = time.monotonic() + timeout
        while not (port_open(self.port) and os.getuid() in listeners(self.port)):
            # Another user's engine may take the port between engine_port() and our JVM's start.
            taken = bool(listeners(self.port) - {os.getuid()})
            if taken or not alive(pid) or time.monotonic() > deadline:
                if launched:
                    with suppress(ProcessLookupError):
                        os.killpg(pid, signal.SIGKILL)
                    self.service.pid_file.unlink(missing_ok=True)
                if taken:
                    raise EngineError(self._port_taken())
                raise EngineError(
                    f"The Spark engine did not start. {java_problem() or ''}\nThe end of its log ({self.log_file}):\n"
                    f"{tail(self.log_file)}"
                )
            time.sleep(0.25)


def server_command(port: int, spark_home: Path, jars: list[Path], overrides: dict | None = None,
                   java_options: str = "") -> list[str]:
    """spark-submit of the Connect server, configured like the workers' local sessions; `jars`
    (Spark's Kafka connector, once fetched) let the Kafka exercise run on the engine too,
    `overrides` replace settings (a cluster's master, say: see `grader.cluster`), and
    `java_options` are added to the JVM's."""
    own_files = engine_root(port)
    conf = {
        **LOCAL_ONLY_CONF,
        **TINY_STREAM_CONF,
        "spark.app.name": "streaming-grader-engine",
        "spark.driver.memory": MAX_HEAP,
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.connect.grpc.binding.port": str(port),
        "spark.sql.warehouse.dir": str(own_files / "warehouse"),
        "spark.local.dir": str(own_files),
        "spark.driver.extraJavaOptions": LOCAL_ONLY_CONF["spark.driver.extraJavaOptions"]
        + f" -Djava.io.tmpdir={own_files} -XX:-UsePerfData {java_options}".rstrip(),
        # A worker killed mid-task cannot release its session; reclaim it (and stop its queries) soon.
        "spark.connect.session.manager.defaultSessionTimeout": "5m",
        # Python workers reach the JVM through Unix sockets: they may connect to no TCP port but
        # the Spark Connect one (see grader.engine.python_workers).
        "spark.python.unix.domain.socket.enabled": "true",
        "spark.python.unix.domain.socket.dir": str(sockets_root(port)),
        # A Python worker that ran one student's UDF must not run the next student's: it could
        # have been tampered with (builtins patched, say). Each task forks a fresh one instead.
        "spark.python.worker.reuse": "false",
        **(overrides or {}),
    }
    if jars:
        conf["spark.jars"] = ",".join(str(jar) for jar in jars)
    command = [str(spark_home / "bin" / "spark-submit"), "--class", SERVER_CLASS]
    for key, value in conf.items():
        command += ["--conf", f"{key}={value}"]
    return command + ["spark-internal"]


def host(port: int, kafka_bootstrap: str) -> int:
    """Run the server as a confined child; stop it when idle too long, when its heap stays too
    full, or when told to stop.

    Student code reaches the server (queries, UDFs and foreachBatch functions run in it and its
    Python workers), so nothing the server can write is ever loaded by this host or by a later
    engine. The host runs no student code and starts isolated (`python -I`, in its state folder,
    which no confined process can write). The server reads the runtime, its scratch area, the
    admitted sessions, its SPARK_HOME, launcher and gate, and writes only in its scratch area
    (`grader.confinement.engine_area`); its Python workers are confined further
    (`grader.engine.python_workers`). Over TCP it listens on its own ports only and connects to
    nothing but them (its Python workers reach its Spark Connect port) and `kafka_bootstrap`: a
    query cannot read another broker's topics (another batch slot's, say) nor reach any other
    server. Its log and GC log reach the
    host through pipes, into files it can neither read nor forge. A process its code leaves
    behind (a UDF's daemon) is adopted by this host, which kills it."""
    server = dataclasses.replace(EngineServer.from_env(), port=port, kafka_bootstrap=kafka_bootstrap)
    become_subreaper()
    stopping_marker(port).unlink(missing_ok=True)
    # Not cleared: a grading that admitted its session while this engine was starting (a lane
    # whose engine went away, retrying) would be refused. The dead ones' entries are struck off.
    sessions_dir(port).mkdir(mode=0o700, parents=True, exist_ok=True)
    prune_admissions(port)
    jars = fetched_connector_jars()
    readable = [sessions_dir(port)]
    try:
        gate = compiled_gate(server.state_dir)
        readable.append(gate)
        overrides, java_options = gate_conf(gate), gate_java_option(port)
    except GateUnavailable as error:
        print(f"engine: sessions not gated, so a submission could open sessions of its own: {error}", flush=True)
        overrides, java_options = {}, ""
    launcher = write_launcher(server.state_dir / "bin")
    readable.append(launcher.parent)
    spark_home = engine_spark_home(server.state_dir)
    readable.append(spark_home)
    own_ports = {"spark.driver.port": free_port(), "spark.blockManager.port": free_port()}
    command = server_command(port, spark_home, jars, {**overrides, **own_ports}, f"{java_options} {GC_TO_STDOUT}")
    EngineIdentity.of_this_grader(os.getpid(), port, bool(jars), server.last_used_file, kafka_bootstrap).write()
    unconfined = unavailable_reason()
    if unconfined:
        print(f"engine not confined: {unconfined}", flush=True)
    dropped = ("SPARK_CONF_DIR", "PYTHONPATH", *CONNECT_CLIENT_VARIABLES)
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env.update(paths.SHARED_FOLDERS, SPARK_HOME=str(spark_home), PYSPARK_PYTHON=str(launcher),
               TMPDIR=str(engine_root(port)), **{ENGINE_PORT: str(port)})

    def confined_jvm():  # in the child, before the JVM starts
        # A host killed -9 takes its JVM along: none serves on the port with no host to stop it.
        die_with_parent()
        confine(readable=readable, writable=[engine_area(port)],
                tcp_ports=(*bootstrap_ports(kafka_bootstrap), port, *own_ports.values()),
                bind_ports=(port, *own_ports.values()))

    child = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             cwd=engine_root(port), preexec_fn=confined_jvm)
    jvm_record(port).write_text(holder_record(child.pid))
    gc_log = server.state_dir / f"gc-{port}.log"
    threading.Thread(target=keep_gc_lines, args=(child.stdout, gc_log), daemon=True).start()

    def finish(*_):
        stopping_marker(port).touch()
        child.terminate()
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()  # reaped, its port is free: the host's end tells gradings so
        gc_log.unlink(missing_ok=True)  # the next engine on the port has a heap of its own
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    checked = 0.0
    while child.poll() is None:
        time.sleep(ORPHAN_CHECK)
        kill_adopted(keep=child.pid)
        if time.monotonic() - checked < 5:
            continue
        checked = time.monotonic()
        prune_admissions(port)
        answering, leased = port_open(port), bool(live_leases(port))
        if answering and (why := too_full(gc_log, leased)) is not None:
            print(f"engine stopping: {why}; the next grading starts a fresh one", flush=True)
            finish()
        # Idle time counts from when it serves, and from when the last lease ended.
        if not answering or leased:
            server.touch()
            continue
        idle = time.time() - server.last_used_file.stat().st_mtime if server.last_used_file.exists() else 0
        if idle > server.idle_minutes * 60:
            print(f"engine idle for {idle:.0f} s: stopping", flush=True)
            finish()
    return child.returncode


def revive(engine: Engine) -> str | None:
    """Start again the warm engine `engine` points at, when it is this machine's engine of a
    grader and has gone away or is stopping, for the same Kafka broker. None once it serves,
    else why not, in a sentence. Any other server is its owner's to restart."""
    host, port = engine.address() if engine.is_connect else (None, None)
    if host not in LOCAL_HOSTS:
        return "It is not an engine this grader starts."
    if serving(engine):
        return None
    identity = read_identity(port)
    if identity is None:
        return "No engine of this grader ran on its port."
    try:
        dataclasses.replace(EngineServer.from_env(), port=port,
                            kafka_bootstrap=identity.kafka or default_bootstrap()).start()
    except EngineError as error:
        return str(error).strip().splitlines()[0]
    return None if serving(engine) else "It stopped again as it started."


@dataclass(frozen=True)
class GradingSlot:
    """Where a batch grades one student at a time: an engine, and the Kafka broker its Kafka
    tasks use (None: the grader's usual one, `grader.kafka.default_bootstrap`)."""

    engine: Engine
    kafka_bootstrap: str | None = None


@contextmanager
def engines_for_class(choice: str | None, count: int, kafka: bool) -> Iterator[list[GradingSlot]]:
    """`count` slots to grade a class on, one per student graded at a time, each engine held by a
    lease for the duration. On the warm engine: it and `count - 1` more like it on free ports,
    each with a Kafka broker of its own when the exercises use `kafka`, all stopped at the end, so
    that two students graded side by side share no engine (nor its Python workers, sessions or
    scratch area) and no broker. Locally: each worker has its own Spark anyway. On a server given
    by URL: that server, shared, as far as its owner made it safe."""
    first = engine_for(choice)
    own_server = EngineServer.from_env()
    extra: list[EngineServer] = []
    brokers: list[KafkaBroker] = []
    if first == Engine.connect(own_server.url):
        for _ in range(count - 1):
            port = free_port()
            if kafka:
                brokers.append(KafkaBroker(free_port(), free_port(), paths.SCRATCH / f"kafka-for-engine-{port}"))
            extra.append(dataclasses.replace(own_server, port=port, kafka_bootstrap=(
                brokers[-1].bootstrap if kafka else own_server.kafka_bootstrap)))
    slots = [GradingSlot(first)] * (count - len(extra)) + [
        GradingSlot(Engine.connect(server.url), server.kafka_bootstrap if kafka else None) for server in extra]
    try:
        with ThreadPoolExecutor(max_workers=max(1, len(extra) + len(brokers))) as starting_all:
            list(starting_all.map(_start_service, [*brokers, *extra]))
        with ExitStack() as leases:
            for engine in dict.fromkeys(slot.engine for slot in slots):
                leases.enter_context(engine_lease(engine))
            yield slots
    finally:
        for server in extra:
            with suppress(EngineError):
                server.stop()
            shutil.rmtree(engine_area(server.port), ignore_errors=True)
        for broker in brokers:
            broker.stop()
            shutil.rmtree(broker.data_dir, ignore_errors=True)


def _start_service(service: EngineServer | KafkaBroker) -> None:
    try:
        service.start()
    except KafkaToolError as error:
        raise EngineError(f"A Kafka broker for a batch's engine did not start: {error}") from error


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def engine_for(choice: str | None = None) -> dict:
    """The engine a grading runs on: `auto` (default; the warm local engine, started when
    needed), `local` (a fresh Spark inside each worker), or an `sc://host:port` URL of a running
    Spark Connect server. The default comes from GRADER_ENGINE."""
    choice = choice or os.environ.get("GRADER_ENGINE", "auto")
    if choice == "local":
        return Engine.local()
    if choice.startswith("sc://"):
        if not spark_connect_answers(choice):
            raise EngineError(f"No Spark Connect server answers at {choice}: start it, or check the address.")
        return Engine.connect(choice)
    if choice != "auto":
        raise EngineError(f"Unknown engine {choice!r}: use auto, local, or an sc://host:port URL.")
    server = EngineServer.from_env()
    if server.identity() is None and not port_open(server.port):
        print(f"Starting the Spark engine at {server.url}; it stays warm for "
              f"{server.idle_minutes:g} idle minutes (`grade engine stop` ends it)…", file=sys.stderr)
    return Engine.connect(server.ensure_running())


if __name__ == "__main__":
    options = dict(argument.removeprefix("--").split("=", 1) for argument in sys.argv[1:])
    raise SystemExit(host(int(options["engine-port"]), options["kafka"]))
