"""The standalone cluster: `grade cluster start | stop | status`.

A master, `workers` workers of one core each, and a Spark Connect server submitted to the master
(its executors run on the workers; its driver, which runs foreachBatch functions and holds the
memory sinks, runs here). Each member is a `Service` of its own, known by its pid file and its
properties file (an argument only it has), so `stop` ends exactly what `start` started, executors
and their Python workers included (they run in their worker's process group).

Grader and cluster share files by path: the referee writes each scenario's streams, checkpoints
and sinks under the scratch root (`GRADER_SCRATCH`), and executors read and write them there, so
on several machines that root must be the same shared folder on each (NFS, say; object storage
has no folder a file stream can be fed into one file at a time). The Python that runs UDFs and
foreachBatch functions is this grader's (`PYSPARK_PYTHON`), and the Kafka connector's jars are
shipped by the driver to the executors.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from grader import paths
from grader.engine.handshake import spark_connect_answers
from grader.engine.server import EngineError, server_command
from grader.engine.settings import CONNECT_CLIENT_VARIABLES, LOG4J_CONFIG
from grader.engine.python_workers import ENGINE_PORT, write_launcher
from grader.engine.spark_home import engine_spark_home
from grader.kafka.artifacts import fetched_connector_jars
from grader.services import Service, alive, port_open, tail
from grader.confinement import scratch_root

MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"
# Small on purpose: a grading's streams are a few rows, and the machine is shared.
DAEMON_MEMORY = "256m"
WORKER_MEMORY = "1g"
EXECUTOR_MEMORY = "512m"


@dataclass(frozen=True)
class Member:
    """One process of the cluster, started confined (`grader.cluster.member`)."""

    name: str
    command: list[str]
    service: Service
    log_file: Path
    ready: str | int  # the line of its log, or the port it opens, that says it serves
    daemon: bool = True  # a master or worker: a small heap (Spark would give the Connect server this one too)

    def serves(self) -> bool:
        if isinstance(self.ready, int):
            return port_open(self.ready)
        return self.log_file.exists() and self.ready in self.log_file.read_text(errors="replace")


@dataclass(frozen=True)
class StandaloneCluster:
    connect_port: int
    master_port: int
    workers: int

    @classmethod
    def from_env(cls) -> StandaloneCluster:
        return cls(
            connect_port=int(os.environ.get("GRADER_CLUSTER_PORT", 15003)),
            master_port=int(os.environ.get("GRADER_CLUSTER_MASTER_PORT", 7077)),
            workers=int(os.environ.get("GRADER_CLUSTER_WORKERS", 2)),
        )

    @property
    def state_dir(self) -> Path:
        """Its pid files, properties files, logs and SPARK_HOME: read by its members, never written."""
        return paths.CACHE / "cluster" / str(self.connect_port)

    @property
    def url(self) -> str:
        return f"sc://127.0.0.1:{self.connect_port}"

    @property
    def master_url(self) -> str:
        return f"spark://127.0.0.1:{self.master_port}"

    @property
    def local_dir(self) -> Path:
        """The members' scratch (worker folders, shuffle files, temporary files): inside the
        scratch root, the only place they may write."""
        return scratch_root() / f"cluster-{self.connect_port}"

    @property
    def names(self) -> list[str]:
        """Its members, in the order they start: the master, the workers, the Connect server."""
        return ["master", *[f"worker-{n}" for n in range(1, self.workers + 1)], "connect"]

    def properties_file(self, name: str) -> Path:
        """The member's --properties-file: also what tells its process apart from any other."""
        return self.state_dir / f"{name}.properties"

    def service(self, name: str) -> Service:
        return Service(self.state_dir / f"{name}.pid", marker=str(self.properties_file(name)))

    def members(self) -> list[Member]:
        """Each member, with the command that starts it, in the order of `names`."""
        def member(name: str, program: list[str], arguments: list[str], ready: str | int,
                   daemon: bool = True) -> Member:
            command = [*program, "--properties-file", str(self.properties_file(name)), *arguments]
            return Member(name, command, self.service(name), self.state_dir / f"{name}.log", ready, daemon)

        spark_class = str(self.spark_home / "bin" / "spark-class")
        found = [member("master", [spark_class, MASTER_CLASS], [
            "--host", "127.0.0.1", "--port", str(self.master_port), "--webui-port", "0"], self.master_port)]
        for name in self.names[1:-1]:
            found.append(member(name, [spark_class, WORKER_CLASS], [
                "--host", "127.0.0.1", "--webui-port", "0", "--cores", "1", "--memory", WORKER_MEMORY,
                "--work-dir", str(self.local_dir / name), self.master_url],
                ready="Successfully registered with master"))
        submit, *arguments = server_command(self.connect_port, self.spark_home, fetched_connector_jars(),
                                            self.connect_conf())
        return [*found, member("connect", [submit], arguments, self.connect_port, daemon=False)]

    @property
    def spark_home(self) -> Path:
        return engine_spark_home(self.state_dir)

    @property
    def python_workers(self) -> Path:
        """What the members start Python workers with: isolated and confined (see
        `grader.engine.python_workers`)."""
        return write_launcher(self.state_dir / "bin")

    def connect_conf(self) -> dict[str, str]:
        java_options = f"-Dlog4j.configurationFile=file:{LOG4J_CONFIG} -Djava.io.tmpdir={self.local_dir}"
        return {
            "spark.master": self.master_url,
            "spark.app.name": "streaming-grader-cluster",
            "spark.driver.memory": "1g",
            "spark.executor.memory": EXECUTOR_MEMORY,
            "spark.executor.cores": "1",
            "spark.executor.extraJavaOptions": java_options,
            "spark.driver.extraJavaOptions": java_options,
            "spark.executorEnv.PYSPARK_PYTHON": str(self.python_workers),
            "spark.sql.warehouse.dir": str(self.local_dir / "warehouse"),
            "spark.local.dir": str(self.local_dir),
        }

    def environment(self, member: Member) -> dict[str, str]:
        return {
            **{key: value for key, value in os.environ.items() if key not in CONNECT_CLIENT_VARIABLES},
            "SPARK_HOME": str(self.spark_home),
            **({"SPARK_DAEMON_MEMORY": DAEMON_MEMORY} if member.daemon else {}),
            # Spark's own logging (INFO) for the master and workers: their logs say when they serve.
            "SPARK_DAEMON_JAVA_OPTS": f"-Djava.io.tmpdir={self.local_dir}",
            "SPARK_LOCAL_DIRS": str(self.local_dir),
            "PYSPARK_PYTHON": str(self.python_workers),
            "TMPDIR": str(self.local_dir),
            **paths.SHARED_FOLDERS,  # not under TMPDIR, where they would be by default
            ENGINE_PORT: str(self.connect_port),  # the Python workers' one TCP port, and their area
        }

    def running_pids(self) -> dict[str, int]:
        """The members that run, by name."""
        return {name: pid for name in self.names if (pid := self.service(name).running_pid()) is not None}

    def running(self) -> bool:
        return len(self.running_pids()) == self.workers + 2 and spark_connect_answers(self.url, timeout=5.0)

    def start(self, timeout: float = 240.0) -> bool:
        """Start the members that are not running and wait until each serves; False when the
        whole cluster already ran. A member that does not come up stops them all."""
        if self.running():
            return False
        self.local_dir.mkdir(parents=True, exist_ok=True)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        for port in (self.master_port, self.connect_port):
            if port_open(port) and not self.running_pids():
                raise EngineError(f"Port {port} is taken by another program: stop it, or set "
                                  "GRADER_CLUSTER_MASTER_PORT and GRADER_CLUSTER_PORT to free ports.")
        try:
            for member in self.members():
                if member.service.running_pid() is None:
                    self.properties_file(member.name).write_text("")
                    pid = member.service.launch([sys.executable, "-m", "grader.cluster.member", str(self.state_dir),
                                                 *member.command],
                                                member.log_file, self.state_dir, self.environment(member))
                    self._await(member, pid, timeout)
        except EngineError:
            self.stop()
            raise
        return True

    def stop(self) -> bool:
        """Stop every member, the Connect server first; False when none ran."""
        return any([self.service(name).terminate(timeout=20.0) for name in reversed(self.names)])

    def _await(self, member: Member, pid: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not member.serves():
            if not alive(pid) or time.monotonic() > deadline:
                raise EngineError(f"The cluster's {member.name} did not start. The end of its log "
                                  f"({member.log_file}):\n{tail(member.log_file)}")
            time.sleep(0.5)
