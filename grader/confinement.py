"""What a process that runs student code may touch on disk, enforced by the kernel (Landlock).

A submission runs as the same user as the grader, so without this it could read the reference
solutions and expected outputs, or write into the gradebook and other students' folders. Landlock
lets an unprivileged process give up every file access it was not granted, for itself and every
process it starts (a JVM, Spark's Python workers); it also stops it from signalling processes
outside its confinement, such as the grader that supervises it.

What stays reachable: the system, Python, Java and the grader's own code, read-only; the
course's declarations, the fixture streams and the submission itself, read-only; its scratch
folder, read-write.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from grader import paths
from grader.services import alive

# Set to 0 to grade without confinement, on a kernel without Landlock or to debug the sandbox.
ENABLED = os.environ.get("GRADER_CONFINE", "1") != "0"
# Not /opt or /home: a course checkout (with its solutions) may well live there. Java and Python
# are found where they are, wherever that is.
SYSTEM_READABLE = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/proc", "/sys")
SYSTEM_WRITABLE = ("/dev",)  # /dev/null, /dev/urandom, /dev/shm; Landlock never allows making devices


def unavailable_reason() -> str | None:
    """Why confinement cannot be used here, or None when it can."""
    if not ENABLED:
        return "turned off by GRADER_CONFINE=0"
    try:
        from py_landlock import get_abi_version

        get_abi_version()
    except Exception as error:  # not Linux, an old kernel, or Landlock off at boot
        return f"this kernel offers no Landlock ({type(error).__name__}: {error})"
    return None


def runtime_paths() -> list[Path]:
    """What running Spark from Python needs to read: the system, Python, pyspark and the packages
    installed beside it (wherever that is: a venv, the user's site-packages), Java, the grader,
    the Kafka connector's jars."""
    import grader
    from grader.kafka.artifacts import CONNECTOR

    found = [Path(p) for p in SYSTEM_READABLE]
    found += [Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).resolve().parent.parent]
    pyspark = importlib.util.find_spec("pyspark")  # found, not imported: this side runs no Spark
    if pyspark is not None and pyspark.origin:
        found.append(Path(pyspark.origin).resolve().parent.parent)
    java = shutil.which("java")
    if java:
        found.append(Path(java).resolve().parent.parent)
    if os.environ.get("JAVA_HOME"):
        found.append(Path(os.environ["JAVA_HOME"]))
    found.append(Path(grader.__file__).resolve().parent)
    found.append(CONNECTOR.folder)
    return found


def confine(readable: list[Path], writable: list[Path], tcp_ports: tuple[int, ...] | None = None,
            bind_ports: tuple[int, ...] = ()) -> str | None:
    """Restrict this process and its future children to `readable` (read-only) and `writable`
    (read-write), besides the runtime's paths, and, when `tcp_ports` are given, to connecting to
    those TCP ports only and binding only `bind_ports` (Landlock ABI 4 and later). Returns None
    once confined, or why it is not.

    Must run while the process has a single thread: Landlock confines the calling thread, and the
    threads and processes it starts afterwards."""
    reason = unavailable_reason()
    if reason:
        return reason
    if threading.active_count() > 1 or len(os.listdir("/proc/self/task")) > 1:
        raise RuntimeError("confine() must be called before any other thread starts")
    from py_landlock import AccessFs, AccessNet, Landlock

    rules = Landlock(strict=False)
    if tcp_ports is None:
        rules.allow_all_network()
    else:
        if tcp_ports:
            rules.add_net_rule(*tcp_ports, access=AccessNet.CONNECT_TCP)
        if bind_ports:
            rules.add_net_rule(*bind_ports, access=AccessNet.BIND_TCP)
    for path in [p for p in [*runtime_paths(), *readable] if p.exists()]:
        if path.is_dir():
            rules.allow_read(path).allow_execute(path)
        else:  # a file takes file rights only
            rules.add_path_rule(path, access=AccessFs.READ_FILE | AccessFs.EXECUTE)
    writable_folders = [p for p in [*map(Path, SYSTEM_WRITABLE), *writable] if p.is_dir()]
    # Unix sockets too: the engine and its Python workers talk through them (see sockets_root).
    rules.allow_read_write(*writable_folders).add_path_rule(*writable_folders, access=AccessFs.MAKE_SOCK)
    rules.apply()
    return None


def scratch_root() -> Path:
    """The folder under which engines and gradings write: one area per engine (`engine_area`)."""
    return paths.private_folder(paths.SCRATCH)


def engine_area(port: int | None) -> Path:
    """The scratch area of the engine serving on `port` (None: the local engine inside each
    worker): the only place that engine and its Python workers may write, and where the gradings
    on it keep their files. Gradings on two engines cannot reach each other's files."""
    return _folder(scratch_root() / (f"engine-{port}" if port else "local"))


def gradings_root(port: int | None) -> Path:
    """Where every grading run's files live (streams, checkpoints, sinks): the only place the
    engine's Python workers, which run students' UDFs and `foreachBatch` functions, may write."""
    return _folder(engine_area(port) / "gradings")


def sockets_root(port: int | None) -> Path:
    """Where the engine and its Python workers meet: Unix sockets, so that the workers need no
    TCP but to the engine's Spark Connect port."""
    return _folder(engine_area(port) / "sockets")


def engine_root(port: int | None) -> Path:
    """The engine JVM's own files (temporary, local and warehouse folders), out of its Python
    workers' reach: Spark puts a folder of them on every worker's import path."""
    return _folder(engine_area(port) / "engine")


def _folder(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def grading_folder(port: int | None) -> Path:
    """A new folder for one grading's files on the engine at `port`, named after this process:
    `sweep_gradings` keeps it while the process lives."""
    return Path(tempfile.mkdtemp(prefix=f"grader-{os.getpid()}-", dir=gradings_root(port)))


def sweep_gradings(port: int | None) -> None:
    """Remove from the engine's area what no running grading owns: what code on the engine wrote
    outside a grading's own folder (for the next student to find), or a killed grading's files."""
    for folder in (gradings_root(port), sockets_root(port)):
        for entry in folder.iterdir():
            owner = re.fullmatch(r"grader-(\d+)-\w+", entry.name)
            if (owner and alive(int(owner.group(1)))) or entry.is_socket():  # a live worker's
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)

