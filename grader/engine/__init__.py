"""Where Spark runs for grading.

- `session`: the session a worker grades on, with settings for tiny streams, on either engine;
- `server`: the warm engine, a Spark Connect server kept running between gradings, so a
  worker gets a session in a fraction of a second instead of starting a JVM.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


class EngineError(RuntimeError):
    """The engine could not be started or used; the message says why and what to do."""


@dataclass(frozen=True)
class Engine:
    """The Spark a grading runs on: `local`, a classic session inside each worker, or `connect`,
    the Spark Connect server at `url` (where a referee reads results apart from the worker).
    It crosses into lane processes as a dict (`as_dict`, `Engine(**data)`)."""

    kind: str
    url: str = ""

    @classmethod
    def local(cls) -> Engine:
        return cls("local")

    @classmethod
    def connect(cls, url: str) -> Engine:
        return cls("connect", url)

    @property
    def is_connect(self) -> bool:
        return self.kind == "connect"

    def with_session(self, session_id: str) -> Engine:
        """This server, with the Spark Connect session `session_id` (shared by whoever names it)."""
        return Engine.connect(f"{self.url.split('/;')[0]}/;session_id={session_id}")

    def address(self) -> tuple[str, int]:
        """The host and port of a Spark Connect server's URL (the port defaults to 15002)."""
        from grader.engine.handshake import address

        return address(self.url)

    @property
    def port(self) -> int | None:
        """The Spark Connect server's port; None for the local engine."""
        return self.address()[1] if self.is_connect else None

    def as_dict(self) -> dict:
        return asdict(self)
