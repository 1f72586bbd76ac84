"""The `kafka` command: run the local broker, fetch jars, and use topics from the shell.

`add_kafka_commands` plugs it into the main command line; `python -m grader.kafka.cli VERB`
runs the same verbs on their own. Every verb sets `handler(args) -> exit code` on the
namespace, the dispatch convention of `grader.cli`.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
from pathlib import Path

from grader.kafka import COMMAND, KafkaToolError, artifacts, broker, default_bootstrap


def add_kafka_commands(subparsers: argparse._SubParsersAction) -> None:
    """Register the `kafka` sub-command and its verbs."""
    parser = subparsers.add_parser(
        "kafka", help="run a local Kafka broker and read or write topics",
        description="Run a local Kafka broker and read or write topics.",
    )
    _add_verbs(parser)


def main(argv: list[str] | None = None) -> int:
    """Run one verb standalone, e.g. `python -m grader.kafka.cli start`."""
    parser = argparse.ArgumentParser(prog="python -m grader.kafka.cli",
                                     description="Run a local Kafka broker and use its topics.")
    _add_verbs(parser)
    args = parser.parse_args(argv)
    return args.handler(args)


def _reports_errors(verb):
    """Expected failures become one message on stderr and exit code 1, not a traceback."""
    @functools.wraps(verb)
    def run(args: argparse.Namespace) -> int:
        try:
            return verb(args)
        except KafkaToolError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return 130
    return run


@_reports_errors
def _start(args: argparse.Namespace) -> int:
    _fetch_missing()
    local = broker.KafkaBroker.from_env()
    if (not local.status().running and args.bootstrap_servers != local.bootstrap
            and broker.reachable(args.bootstrap_servers)):
        print(f"A Kafka broker already answers at {args.bootstrap_servers}; not starting another.")
    elif local.start():
        print(f"Kafka broker started at {local.bootstrap} (log: {local.log_file}).")
    else:
        print(f"Kafka broker already running at {local.bootstrap} (pid {local.status().pid}).")
    return 0


@_reports_errors
def _stop(args: argparse.Namespace) -> int:
    stopped = broker.KafkaBroker.from_env().stop()
    print("Kafka broker stopped." if stopped else "No Kafka broker of the grader is running.")
    return 0


@_reports_errors
def _status(args: argparse.Namespace) -> int:
    """Exit code 0 when a broker answers (or the local one runs), else 1, for use in scripts."""
    state = broker.KafkaBroker.from_env().status()
    if args.bootstrap_servers == state.bootstrap:
        if state.running:
            print(f"Kafka broker running at {state.bootstrap} (pid {state.pid}).")
        else:
            print(f"Kafka broker not running; start it with `{COMMAND} start`.")
        return 0 if state.running else 1
    answers = broker.reachable(args.bootstrap_servers)
    verb = "answers" if answers else "does not answer"
    print(f"A Kafka broker {verb} at {args.bootstrap_servers}.")
    return 0 if answers else 1


@_reports_errors
def _fetch(args: argparse.Namespace) -> int:
    for artifact_set in (artifacts.BROKER, artifacts.CONNECTOR):
        jars = artifacts.fetch(artifact_set)
        print(f"{artifact_set.title}: {len(jars)} jars in {artifact_set.folder}")
    return 0


def _fetch_missing() -> None:
    """Download the broker's and the connector's jars unless they are in the cache already."""
    for artifact_set in (artifacts.BROKER, artifacts.CONNECTOR):
        if not artifacts.fetched(artifact_set):
            print(f"Downloading the {artifact_set.title} jars (once)…", file=sys.stderr, flush=True)
            artifacts.fetch(artifact_set)


@_reports_errors
def _create_topic(args: argparse.Namespace) -> int:
    if broker.create_topic(args.name, args.bootstrap_servers, args.partitions):
        print(f"Created topic {args.name} ({args.partitions} partition(s)).")
    else:
        print(f"Topic {args.name} already exists.")
    return 0


@_reports_errors
def _produce(args: argparse.Namespace) -> int:
    if args.file is None:
        sent = broker.produce(args.topic, sys.stdin, args.bootstrap_servers)
    else:
        try:
            with open(args.file, encoding="utf-8") as lines:
                sent = broker.produce(args.topic, lines, args.bootstrap_servers)
        except OSError as error:
            raise KafkaToolError(f"Cannot read {args.file}: {error.strerror}.") from None
    print(f"Sent {sent} message(s) to {args.topic}.", file=sys.stderr)
    return 0


@_reports_errors
def _consume(args: argparse.Namespace) -> int:
    for value in broker.consume(args.topic, args.bootstrap_servers, args.timeout,
                                args.from_beginning, args.max_messages):
        print(value, flush=True)
    return 0


def _add_verbs(parser: argparse.ArgumentParser) -> None:
    # Verbs that talk to a broker share --bootstrap-servers; stop and fetch never do.
    server = argparse.ArgumentParser(add_help=False)
    server.add_argument(
        "--bootstrap-servers", metavar="HOST:PORT", default=default_bootstrap(),
        help="the broker to use, e.g. your own (default: $GRADER_KAFKA_BOOTSTRAP, "
             "else the local broker, %(default)s)",
    )
    verbs = parser.add_subparsers(dest="kafka_verb", required=True, metavar="VERB")

    verbs.add_parser(
        "start", parents=[server],
        help="start the local broker, fetching its jars first if needed (does nothing if one answers)",
    ).set_defaults(handler=_start)
    verbs.add_parser("stop", help="stop the local broker").set_defaults(handler=_stop)
    verbs.add_parser(
        "status", parents=[server], help="say whether the broker runs (exit code 1 if not)",
    ).set_defaults(handler=_status)
    verbs.add_parser(
        "fetch", help="download the broker and Spark connector jars (once) with Maven",
    ).set_defaults(handler=_fetch)

    topic = verbs.add_parser("topic", help="manage topics")
    create = topic.add_subparsers(dest="topic_verb", required=True, metavar="VERB").add_parser(
        "create", parents=[server], help="create a topic")
    create.add_argument("name", type=_topic_name)
    create.add_argument("--partitions", type=_positive_int, default=1, metavar="N")
    create.set_defaults(handler=_create_topic)

    produce = verbs.add_parser(
        "produce", parents=[server], help="send each line of FILE (or stdin) as one message")
    produce.add_argument("topic", type=_topic_name)
    produce.add_argument("file", nargs="?", type=Path, metavar="FILE",
                         help="default: read standard input")
    produce.set_defaults(handler=_produce)

    consume = verbs.add_parser(
        "consume", parents=[server], help="print messages as they arrive (Ctrl+C ends)")
    consume.add_argument("topic", type=_topic_name)
    consume.add_argument("--from-beginning", action="store_true",
                         help="start at the oldest message, not at new ones")
    consume.add_argument("--timeout", type=float, metavar="S",
                         help="stop after S seconds without a message (default: never)")
    consume.add_argument("--max-messages", type=_positive_int, metavar="N",
                         help="stop after N messages")
    consume.set_defaults(handler=_consume)


def _topic_name(text: str) -> str:
    """Kafka's rule for topic names, checked before connecting so the error is plain."""
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,249}", text) or text in (".", ".."):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a topic name: use 1 to 249 letters, digits, '.', '_' or '-'")
    return text


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number from 1 up, not {text!r}")
    return int(text)


if __name__ == "__main__":
    sys.exit(main())
