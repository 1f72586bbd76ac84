"""Unpacking a student's zip safely: its table of contents checked before a byte is written, then
each file copied under a byte budget, so a zip bomb or a lying header costs nothing.

The limits fit a few exercise files and notebooks with their outputs; an instructor whose course
asks for more raises them with GRADER_ZIP_MAX_MB and GRADER_ZIP_MAX_FILES.
"""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from pathlib import Path

MAX_BYTES = int(float(os.environ.get("GRADER_ZIP_MAX_MB", "100")) * 2**20)
MAX_FILES = int(os.environ.get("GRADER_ZIP_MAX_FILES", "1000"))
# Source code and notebooks compress some 3 to 10 times; hundreds of times is padding.
MAX_RATIO = 100
RATIO_CHECKED_FROM = 2**20  # bytes: tiny repetitive files may compress that well honestly
CHUNK = 2**20

# What a corrupt, truncated, encrypted or self-contradicting zip raises. Other OSErrors (a full
# disk) are the grader's, not the student's.
UNREADABLE = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
              NotADirectoryError, IsADirectoryError, FileExistsError)


class UnsafeArchive(Exception):
    """The zip cannot be unpacked safely; the message says why, to the student."""


def unpack(archive: Path, target: Path) -> None:
    """Unpack `archive` into the empty folder `target` once its table of contents passes (not
    too big, not too many files, not too compressed, no symbolic links, no paths outside
    itself), never writing more than MAX_BYTES whatever its headers claim."""
    budget = MAX_BYTES
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = bundle.infolist()
            _check_members(archive.name, members)
            for member in members:
                destination = target / member.filename
                if member.is_dir():
                    destination.mkdir(parents=True, exist_ok=True)
                    continue
                destination.parent.mkdir(parents=True, exist_ok=True)
                with bundle.open(member) as source, open(destination, "wb") as sink:
                    while chunk := source.read(CHUNK):
                        budget -= len(chunk)
                        if budget < 0:
                            raise UnsafeArchive(_too_big(archive.name, "unpacks to"))
                        sink.write(chunk)
    except UNREADABLE as error:
        raise UnsafeArchive(f"{archive.name} is not a readable zip file ({error}). Zip your exercise "
                            "files afresh and submit again.") from None


def _check_members(name: str, members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_FILES:
        raise UnsafeArchive(f"{name} holds {len(members)} files, more than the {MAX_FILES} a submission "
                            "may have. Zip only your exercise files and submit again.")
    total = sum(m.file_size for m in members)
    if total > MAX_BYTES:
        raise UnsafeArchive(_too_big(name, f"would unpack to {total / 2**20:.0f} MB,"))
    for member in members:
        path = Path(member.filename)
        if path.is_absolute() or ".." in path.parts:
            raise UnsafeArchive(f"{name} holds a path outside itself: {member.filename}. "
                                "Zip your exercise files from their own folder and submit again.")
        if stat.S_ISLNK(member.external_attr >> 16):
            raise UnsafeArchive(f"{name} holds a symbolic link ({member.filename}): a submission may hold "
                                "only files and folders. Zip the files themselves and submit again.")
        if member.file_size > RATIO_CHECKED_FROM and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise UnsafeArchive(f"{name} holds {member.filename}, compressed more than {MAX_RATIO} to 1 "
                                f"({member.file_size / 2**20:.0f} MB in {member.compress_size / 2**10:.0f} kB): "
                                "it looks like a zip bomb. Zip only your exercise files and submit again.")


def _too_big(name: str, how: str) -> str:
    return (f"{name} {how} more than the {MAX_BYTES / 2**20:.0f} MB a submission may take. "
            "Zip only your exercise files (no data, no environments) and submit again.")
