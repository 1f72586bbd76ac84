"""Pinned Maven artifact sets (the Kafka broker, Spark's Kafka connector), fetched once with `mvn`.

Each set is resolved with its runtime dependencies into its own folder of the project cache.
Maven copies into a staging folder that is renamed into place only when complete, and a
manifest listing the jars marks the set as usable, so an interrupted fetch is simply redone.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from grader.kafka import COMMAND, KafkaToolError
from grader.paths import CACHE

KAFKA_VERSION = "4.1.1"
# log4j-slf4j-impl binds the broker's slf4j 1.7 logging to the log4j-core it already depends on.
LOG4J_VERSION = "2.24.3"
# Must equal the installed pyspark version.
SPARK_VERSION = "4.2.0"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
MANIFEST = "MANIFEST.txt"
ANSI_COLOR = re.compile(r"\x1b\[[0-9;]*m")  # Maven colours its messages even in batch mode


class MissingArtifacts(KafkaToolError):
    """An artifact set has not been fetched (or was fetched only partly)."""


@dataclass(frozen=True)
class ArtifactSet:
    """Maven artifacts ("group:artifact:version") resolved with their runtime dependencies.

    `exclusions` ("group:artifact", `*` allowed) prune the dependency tree, so jars that are
    provided at run time by something else are neither downloaded nor copied.
    """

    title: str
    folder_name: str
    dependencies: tuple[str, ...]
    exclusions: tuple[str, ...] = ()

    @property
    def folder(self) -> Path:
        return CACHE / self.folder_name


BROKER = ArtifactSet(
    title=f"Kafka {KAFKA_VERSION} broker",
    folder_name=f"kafka-{KAFKA_VERSION}",
    dependencies=(
        f"org.apache.kafka:kafka_2.13:{KAFKA_VERSION}",
        f"org.apache.logging.log4j:log4j-slf4j-impl:{LOG4J_VERSION}",
    ),
)

# Only what pyspark does not ship: the connector, its token provider, kafka-clients, commons-pool2.
CONNECTOR = ArtifactSet(
    title=f"Spark {SPARK_VERSION} Kafka connector",
    folder_name=f"spark-kafka-{SPARK_VERSION}",
    dependencies=(f"org.apache.spark:spark-sql-kafka-0-10_2.13:{SPARK_VERSION}",),
    exclusions=(
        "org.apache.spark:spark-tags_2.13",
        "org.apache.hadoop:*",
        "org.scala-lang:*",
        "org.scala-lang.modules:*",
        "org.slf4j:*",
        "at.yawk.lz4:*",
        "org.lz4:*",
        "org.xerial.snappy:*",
        "com.github.luben:*",
        "com.google.code.findbugs:*",
    ),
)


def jars(artifacts: ArtifactSet) -> list[Path]:
    """The jars of a fetched set; raises MissingArtifacts (naming the fix) when incomplete."""
    manifest = artifacts.folder / MANIFEST
    names = manifest.read_text().split() if manifest.is_file() else []
    found = [artifacts.folder / name for name in names]
    if not found or not all(jar.is_file() for jar in found):
        raise MissingArtifacts(
            f"The {artifacts.title} jars are not in {artifacts.folder}; "
            f"download them with `{COMMAND} fetch`."
        )
    return found


def fetched(artifacts: ArtifactSet) -> bool:
    """Whether the set is complete in the cache."""
    try:
        return bool(jars(artifacts))
    except MissingArtifacts:
        return False


def connector_jars() -> list[Path]:
    """The jars to add to `spark.jars` so pyspark can read and write Kafka topics."""
    return jars(CONNECTOR)


def fetched_connector_jars() -> list[Path]:
    """The connector's jars if they have been fetched, else none: Spark sessions add them when
    they can, so the Kafka exercises run, and the other exercises never need them."""
    return connector_jars() if fetched(CONNECTOR) else []


def fetch(artifacts: ArtifactSet) -> list[Path]:
    """Download a set into the cache unless it is already complete; returns its jars."""
    try:
        return jars(artifacts)
    except MissingArtifacts:
        pass
    mvn = shutil.which("mvn")
    if mvn is None:
        raise KafkaToolError(
            f"Maven (`mvn`) is needed to download the {artifacts.title} jars but is not on PATH; "
            f"install Maven (e.g. `apt-get install maven`) and run `{COMMAND} fetch`."
        )
    CACHE.mkdir(parents=True, exist_ok=True)
    staging = CACHE / f"{artifacts.folder_name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="grader-mvn-") as work:
        pom = Path(work) / "pom.xml"
        pom.write_text(_pom(artifacts))
        result = subprocess.run(
            [mvn, "-B", "-q", "-f", str(pom), f"{DEPENDENCY_PLUGIN}:copy-dependencies",
             "-DincludeScope=runtime", f"-DoutputDirectory={staging}"],
            capture_output=True, text=True,
        )
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        output = ANSI_COLOR.sub("", result.stdout + result.stderr).strip()
        raise KafkaToolError(
            f"Maven could not download the {artifacts.title} jars (is Maven Central reachable?); "
            f"run `{COMMAND} fetch` again. Maven said:\n{output[-2000:]}"
        )
    names = sorted(jar.name for jar in staging.glob("*.jar"))
    (staging / MANIFEST).write_text("\n".join(names) + "\n")
    shutil.rmtree(artifacts.folder, ignore_errors=True)
    staging.rename(artifacts.folder)
    return jars(artifacts)


def _pom(artifacts: ArtifactSet) -> str:
    """A throwaway project whose dependencies are the set, each pruned by the set's exclusions."""
    exclusions = "".join(
        "<exclusion><groupId>{}</groupId><artifactId>{}</artifactId></exclusion>".format(
            *map(escape, pattern.split(":"))
        )
        for pattern in artifacts.exclusions
    )
    dependencies = "".join(
        "<dependency><groupId>{}</groupId><artifactId>{}</artifactId><version>{}</version>"
        "<exclusions>{}</exclusions></dependency>\n".format(
            *map(escape, coordinates.split(":")), exclusions
        )
        for coordinates in artifacts.dependencies
    )
    return (
        '<project xmlns="http://maven.apache.org/POM/4.0.0">\n'
        "<modelVersion>4.0.0</modelVersion>\n"
        "<groupId>grader</groupId><artifactId>kafka-artifacts</artifactId><version>0</version>\n"
        f"<dependencies>\n{dependencies}</dependencies>\n"
        "</project>\n"
    )
