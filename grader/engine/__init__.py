"""Where Spark runs for grading.

- `session`: the session a worker grades on, with settings for tiny streams, on either engine;
- `server`: the warm engine, a Spark Connect server kept running between gradings, so a
  worker gets a session in a fraction of a second instead of starting a JVM.

An engine is described by a small dict that crosses into workers: `{"kind": "local"}` (a
classic session inside the worker) or `{"kind": "connect", "url": "sc://host:port"}`.
"""
