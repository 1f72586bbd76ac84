"""A single-node Kafka broker (KRaft, no ZooKeeper) on loopback, plus small topic helpers.

The broker is a detached JVM in its own session: it keeps running after the command that
started it, and is found again through its pid file. Linux only (/proc identifies the process).
Ports and the data folder come from GRADER_KAFKA_PORT, GRADER_KAFKA_CONTROLLER_PORT and
GRADER_KAFKA_DATA; GRADER_KAFKA_BOOTSTRAP points the helpers at another broker.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError, TopicAlreadyExistsError

from grader.kafka import COMMAND, KafkaToolError, broker_port
from grader.kafka.artifacts import BROKER, jars
from grader.paths import PROJECT_ROOT
from grader.services import Service, alive, port_open

LOG_CONFIG = Path(__file__).with_name("log4j2.properties")
# A fixed small heap and the serial collector suit a 2-core machine that also runs Spark;
# C1-only compilation starts faster and a student's broker never carries much load.
JVM_OPTIONS = (
    "-Xms256m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
    "-Djava.awt.headless=true", f"-Dlog4j2.configurationFile={LOG_CONFIG}",
)
LOG_TAIL_LINES = 25


@dataclass(frozen=True)
class KafkaBroker:
    """The local single-node broker: where it listens and keeps its files, and its life as a
    background service (`grader.services.Service`), in the same shape as the warm Spark engine
    (`grader.engine.server.EngineServer`)."""

    port: int
    controller_port: int
    data_dir: Path

    @classmethod
    def from_env(cls) -> KafkaBroker:
        return cls(
            port=broker_port(),
            controller_port=int(os.environ.get("GRADER_KAFKA_CONTROLLER_PORT", 9093)),
            data_dir=Path(os.environ.get("GRADER_KAFKA_DATA", PROJECT_ROOT / ".kafka-data")),
        )

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def properties_file(self) -> Path:
        return self.data_dir / "server.properties"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "broker.log"

    @property
    def log_dirs(self) -> Path:
        return self.data_dir / "logs"

    @property
    def service(self) -> Service:
        return Service(self.data_dir / "broker.pid", marker=str(self.properties_file))

    def status(self) -> BrokerStatus:
        """Whether the broker runs, its pid, and the address clients connect to."""
        pid = self.service.running_pid()
        return BrokerStatus(running=pid is not None, pid=pid, bootstrap=self.bootstrap)

    def start(self, timeout: float = 60.0) -> bool:
        """Start the broker and wait until clients can list topics.

        Returns False, changing nothing, when it already runs. Raises KafkaToolError when the
        jars or Java are missing, a port is taken, or the broker is not ready within `timeout`
        seconds (the error then quotes the end of its log, and the half-started broker is stopped).
        """
        if self.service.running_pid() is not None:
            return False
        classpath = os.pathsep.join(str(jar) for jar in jars(BROKER))
        java = _java()
        for port in (self.port, self.controller_port):
            if port_open(port):
                raise KafkaToolError(
                    f"Port {port} on 127.0.0.1 is already in use (another Kafka broker?); stop that "
                    "program, or pick free ports with GRADER_KAFKA_PORT / GRADER_KAFKA_CONTROLLER_PORT."
                )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.properties_file.write_text(self._server_properties())
        if not (self.log_dirs / "meta.properties").is_file():
            self._format_storage(java, classpath)
        pid = self.service.launch(
            [java, *JVM_OPTIONS, "-cp", classpath, "kafka.Kafka", str(self.properties_file)],
            self.log_file, self.data_dir,
        )
        try:
            self._wait_until_ready(pid, timeout)
        except KafkaToolError:
            self.stop()
            raise
        return True

    def stop(self, timeout: float = 30.0) -> bool:
        """SIGTERM, then SIGKILL after `timeout` s. False if none ran."""
        return self.service.terminate(timeout)

    def _server_properties(self) -> str:
        settings = {
            "process.roles": "broker,controller",
            "node.id": 1,
            # A static one-voter quorum: unlike `format --standalone`, the controller's address is
            # not written into the metadata log, so changing its port later needs no re-format.
            "controller.quorum.voters": f"1@127.0.0.1:{self.controller_port}",
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},"
                         f"CONTROLLER://127.0.0.1:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "log.dirs": self.log_dirs,
            "num.partitions": 1,
            "auto.create.topics.enable": "true",
            "group.initial.rebalance.delay.ms": 0,
            # One node cannot replicate; one partition per internal topic keeps startup quick.
            "offsets.topic.replication.factor": 1,
            "offsets.topic.num.partitions": 1,
            "transaction.state.log.replication.factor": 1,
            "transaction.state.log.min.isr": 1,
            "transaction.state.log.num.partitions": 1,
            "share.coordinator.state.topic.replication.factor": 1,
            "share.coordinator.state.topic.min.isr": 1,
            # Exercises write kilobytes: small segments, indexes and cleaner buffer fit a 256 MB heap.
            "log.segment.bytes": 16 * 2**20,
            "log.index.size.max.bytes": 2**20,
            "log.cleaner.dedupe.buffer.size": 8 * 2**20,
            "num.network.threads": 2,
            "num.io.threads": 2,
        }
        return "".join(f"{key}={value}\n" for key, value in settings.items())


    def _format_storage(self, java: str, classpath: str) -> None:
        """Write the cluster and node ids a new KRaft log folder needs before its first start."""
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        result = subprocess.run(
            [java, "-Xmx128m", f"-Dlog4j2.configurationFile={LOG_CONFIG}", "-cp", classpath,
             "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(self.properties_file)],
            capture_output=True, text=True,
        )
        if result.returncode != 0:
            output = "\n".join((result.stdout + result.stderr).splitlines()[-LOG_TAIL_LINES:])
            raise KafkaToolError(
                f"Kafka could not format its storage in {self.log_dirs}; delete {self.data_dir} "
                f"and run `{COMMAND} start` again. The storage tool said:\n{output}"
            )


    def _wait_until_ready(self, pid: int, timeout: float) -> None:
        """Wait for the listener, then for a real client round trip, failing early if the JVM dies."""
        deadline = time.monotonic() + timeout
        while not port_open(self.port):
            if not alive(pid):
                raise self._start_failure("exited while starting")
            if time.monotonic() > deadline:
                raise self._start_failure(f"did not open port {self.port} within {timeout:.0f} s")
            time.sleep(0.2)
        if not reachable(self.bootstrap, timeout=max(deadline - time.monotonic(), 1.0)):
            raise self._start_failure(f"did not answer clients within {timeout:.0f} s")


    def _start_failure(self, what: str) -> KafkaToolError:
        lines = self.log_file.read_text(errors="replace").splitlines()[-LOG_TAIL_LINES:]
        return KafkaToolError(
            f"The Kafka broker {what}; fix the cause shown at the end of its log {self.log_file} "
            f"and run `{COMMAND} start` again:\n" + "\n".join(lines)
        )

@dataclass(frozen=True)
class BrokerStatus:
    running: bool
    pid: int | None
    bootstrap: str


def reachable(bootstrap: str, timeout: float = 5.0) -> bool:
    """Whether a Kafka broker at `bootstrap` answers a metadata request within `timeout` s."""
    try:
        with _connected(KafkaAdminClient, bootstrap, timeout,
                        request_timeout_ms=int(timeout * 1000)) as admin:
            admin.list_topics()
    except (KafkaToolError, KafkaError):
        return False
    return True


def create_topic(name: str, bootstrap: str, partitions: int = 1) -> bool:
    """Create a topic and wait until it can be used; False if it already existed."""
    with _connected(KafkaAdminClient, bootstrap) as admin:
        response = admin.create_topics({name: {"num_partitions": partitions}}, raise_errors=False)
        (outcome,) = response["topics"]
        if outcome["error_code"] == TopicAlreadyExistsError.errno:
            return False
        if outcome["error_code"]:
            raise KafkaToolError(
                f"Kafka refused to create topic {name!r}: {outcome['error_message']}")
        admin.wait_for_topics([name])
    return True


def produce(topic: str, lines: Iterable[str], bootstrap: str) -> int:
    """Send each line (without its line break) as one message; returns how many were sent."""
    with _connected(KafkaProducer, bootstrap) as producer:
        try:
            sends = [producer.send(topic, line.rstrip("\r\n").encode()) for line in lines]
            producer.flush()
            for sent in sends:
                sent.get()
        except KafkaError as error:
            raise KafkaToolError(f"Kafka did not accept messages for {topic!r}: {error}") from None
    return len(sends)


def consume(
    topic: str,
    bootstrap: str,
    timeout: float | None = 10.0,
    from_beginning: bool = True,
    max_messages: int | None = None,
) -> Iterator[str]:
    """Yield a topic's message values as text, in order within each partition.

    Ends after `max_messages`, or once no message came for `timeout` seconds (None: never).
    Reads without a consumer group, so nothing is committed and every call sees the same data.
    """
    with _connected(
        KafkaConsumer, bootstrap, group_id=None, enable_auto_commit=False,
        auto_offset_reset="earliest" if from_beginning else "latest",
        consumer_timeout_ms=float("inf") if timeout is None else timeout * 1000,
    ) as consumer:
        consumer.subscribe([topic])
        for count, record in enumerate(consumer, start=1):
            yield (record.value or b"").decode("utf-8", errors="replace")
            if count == max_messages:
                return


@contextmanager
def _connected(client_class, bootstrap: str, timeout: float = 10.0, **settings):
    """A kafka-python client connected to `bootstrap`, closed afterwards."""
    try:
        client = client_class(bootstrap_servers=bootstrap,
                              bootstrap_timeout_ms=int(timeout * 1000), **settings)
    except ValueError:
        raise KafkaToolError(
            f"{bootstrap!r} is not a broker address; write it as HOST:PORT, e.g. 127.0.0.1:9092."
        ) from None
    except KafkaError:
        raise KafkaToolError(
            f"No Kafka broker answers at {bootstrap}; start the local one with `{COMMAND} start`."
        ) from None
    try:
        yield client
    finally:
        client.close()


def _java() -> str:
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home, "bin", "java")) if home else shutil.which("java")
    if not java or not os.access(java, os.X_OK):
        raise KafkaToolError(
            "Java 17 or newer runs the Kafka broker, but no `java` was found; install a JDK "
            f"(e.g. `apt-get install openjdk-17-jre-headless`) or set JAVA_HOME, then run "
            f"`{COMMAND} start`."
        )
    return java
