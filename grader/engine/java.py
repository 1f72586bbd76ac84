"""Whether Spark can find the Java it runs on, told as a sentence when it cannot: a Spark that
fails to start says little more than that its gateway exited."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def java_problem() -> str | None:
    """What is wrong with this environment's Java for Spark, or None when a java is there."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        if not (Path(java_home) / "bin" / "java").is_file():
            return (f"JAVA_HOME is {java_home}, which holds no bin/java, so Spark cannot start. Point "
                    "JAVA_HOME at a Java 17 installation (the folder holding bin/java) or unset it, "
                    "then grade again.")
        return None
    if shutil.which("java") is None:
        return ("No Java was found (no java on the PATH and no JAVA_HOME), so Spark cannot start. "
                "Install Java 17 (e.g. apt-get install openjdk-17-jdk-headless), then grade again.")
    return None
