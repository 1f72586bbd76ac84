"""The warm engine: a local Spark Connect server that gradings share.

Starting a JVM and a Spark session costs seconds on every run; a server started once keeps
its JVM warm, and each grading worker attaches its own isolated session in well under a second.
It runs under a small host process (`python -m grader.engine.server`) that stops it after
`GRADER_ENGINE_IDLE_MINUTES` (default 30) without a grading, or on `grade engine stop`.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from grader import paths
from grader.engine.settings import LOCAL_ONLY_CONF, TINY_STREAM_CONF
from grader.kafka.artifacts import fetched_connector_jars
from grader.sandbox.confinement import confine, scratch_root
from grader.services import Service, alive, port_open, tail

SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"


class EngineError(RuntimeError):
    """The engine could not be started; the message says why and what to do."""


@dataclass(frozen=True)
class EngineServer:
    port: int
    state_dir: Path
    idle_minutes: float

    @classmethod
    def from_env(cls) -> EngineServer:
        return cls(
            port=int(os.environ.get("GRADER_ENGINE_PORT", 15002)),
            state_dir=paths.CACHE / "engine",
            idle_minutes=float(os.environ.get("GRADER_ENGINE_IDLE_MINUTES", 30)),
        )

    @property
    def url(self) -> str:
        return f"sc://127.0.0.1:{self.port}"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "engine.log"

    @property
    def last_used_file(self) -> Path:
        return self.state_dir / "last-used"

    @property
    def service(self) -> Service:
        return Service(self.state_dir / "engine.pid", marker=f"--engine-port={self.port}")

    def running(self) -> bool:
        return self.service.running_pid() is not None and port_open(self.port)

    def touch(self) -> None:
        """Mark the engine as used now, so the idle timer starts again."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.last_used_file.touch()

    def start(self, timeout: float = 180.0) -> bool:
        """Start the engine and wait until it accepts sessions. False if it already ran."""
        if self.service.running_pid() is not None:
            self.touch()
            return False
        if port_open(self.port):
            raise EngineError(
                f"Port {self.port} is taken by another program; free it, or choose another port "
                "with GRADER_ENGINE_PORT."
            )
        self.touch()
        pid = self.service.launch(
            [sys.executable, "-m", "grader.engine.server", f"--engine-port={self.port}"],
            self.log_file, self.state_dir,
        )
        deadline = time.monotonic() + timeout
        while not port_open(self.port):
            if not alive(pid) or time.monotonic() > deadline:
                with suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
                self.service.pid_file.unlink(missing_ok=True)
                raise EngineError(
                    f"The Spark engine did not start; the end of its log ({self.log_file}):\n"
                    f"{tail(self.log_file)}"
                )
            time.sleep(0.25)
        return True

    def stop(self) -> bool:
        return self.service.terminate(timeout=20.0)

    def ensure_running(self) -> str:
        """The engine's URL, starting it first when it is not running."""
        self.start()
        return self.url


def server_command(port: int) -> list[str]:
    """spark-submit of the Connect server, configured like the workers' local sessions."""
    spark_home = Path(importlib.util.find_spec("pyspark").origin).parent
    conf = {
        **LOCAL_ONLY_CONF,
        **TINY_STREAM_CONF,
        "spark.app.name": "streaming-grader-engine",
        "spark.driver.memory": "2g",
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.connect.grpc.binding.port": str(port),
        "spark.sql.warehouse.dir": str(paths.CACHE / "engine" / "warehouse"),
        "spark.local.dir": str(temporary_folder()),
        "spark.driver.extraJavaOptions": LOCAL_ONLY_CONF["spark.driver.extraJavaOptions"]
        + f" -Djava.io.tmpdir={temporary_folder()} -XX:-UsePerfData",
        # A worker killed mid-task cannot release its session; reclaim it (and stop its queries) soon.
        "spark.connect.session.manager.defaultSessionTimeout": "5m",
        # A Python worker that ran one student's UDF must not run the next student's: it could
        # have been tampered with (builtins patched, say). Each task forks a fresh one instead.
        "spark.python.worker.reuse": "false",
    }
    jars = fetched_connector_jars()  # so the Kafka exercise runs on the engine too
    if jars:
        conf["spark.jars"] = ",".join(str(jar) for jar in jars)
    command = [str(spark_home / "bin" / "spark-submit"), "--class", SERVER_CLASS]
    for key, value in conf.items():
        command += ["--conf", f"{key}={value}"]
    return command + ["spark-internal"]


def temporary_folder() -> Path:
    """The engine's own temporary files, inside the scratch root it is confined to."""
    folder = scratch_root() / "engine"
    folder.mkdir(exist_ok=True)
    return folder


def host(port: int) -> int:
    """Run the server as a child; stop it when idle too long, or when told to stop.

    Student code reaches the server too (queries, UDFs, foreachBatch functions run in its Python
    workers), so the server is confined like a worker: it writes only its state and the scratch
    root where gradings keep their files, and reads no solutions, expectations or gradebooks."""
    server = EngineServer.from_env()
    spark_home = Path(importlib.util.find_spec("pyspark").origin).parent
    command = server_command(port)
    unconfined = confine(readable=[], writable=[scratch_root(), server.state_dir])
    if unconfined:
        print(f"engine not confined: {unconfined}", flush=True)
    env = {**os.environ, "SPARK_HOME": str(spark_home), "PYSPARK_PYTHON": sys.executable,
           "TMPDIR": str(temporary_folder())}
    child = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)

    def finish(*_):
        child.terminate()
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    while child.poll() is None:
        time.sleep(5)
        if not port_open(port):  # still starting: idle time counts from when it serves
            server.touch()
            continue
        idle = time.time() - server.last_used_file.stat().st_mtime if server.last_used_file.exists() else 0
        if idle > server.idle_minutes * 60:
            print(f"engine idle for {idle:.0f} s: stopping", flush=True)
            finish()
    return child.returncode



def engine_for(choice: str | None = None) -> dict:
    """The engine a grading runs on: `auto` (default; the warm local engine, started when
    needed), `local` (a fresh Spark inside each worker), or an `sc://host:port` URL of a running
    Spark Connect server. The default comes from GRADER_ENGINE."""
    choice = choice or os.environ.get("GRADER_ENGINE", "auto")
    if choice == "local":
        return {"kind": "local"}
    if choice.startswith("sc://"):
        host, _, port = choice.removeprefix("sc://").split("/")[0].split(";")[0].partition(":")
        if not port_open(int(port or 15002), host):
            raise EngineError(f"No Spark Connect server answers at {choice}: start it, or check the address.")
        return {"kind": "connect", "url": choice}
    if choice != "auto":
        raise EngineError(f"Unknown engine {choice!r}: use auto, local, or an sc://host:port URL.")
    server = EngineServer.from_env()
    if port_open(server.port):  # ours, or another checkout's engine on this machine: share it
        server.touch()
        return {"kind": "connect", "url": server.url}
    print(f"Starting the Spark engine at {server.url}; it stays warm for "
          f"{server.idle_minutes:g} idle minutes (`grade engine stop` ends it)…", file=sys.stderr)
    url = server.ensure_running()
    server.touch()
    return {"kind": "connect", "url": url}


if __name__ == "__main__":
    raise SystemExit(host(int(sys.argv[1].split("=", 1)[1])))
