"""Whether a Spark Connect server answers at a URL, known within seconds and without pyspark.

Something that merely accepts connections on the port (another program, a server still
starting) would make pyspark's client retry for minutes; one gRPC call with a deadline tells
a Spark Connect server from anything else. The call asks for the Spark version, the cheapest
request the service has; it is encoded by hand so the grading parent need not import pyspark.
"""

from __future__ import annotations

import uuid

ANALYZE_PLAN = "/spark.connect.SparkConnectService/AnalyzePlan"


def address(url: str) -> tuple[str, int]:
    """The host and port of `sc://host:port/;param=value` (the port defaults to 15002)."""
    host, _, port = url.removeprefix("sc://").split("/")[0].split(";")[0].partition(":")
    return host, int(port or 15002)


def spark_connect_answers(url: str, timeout: float = 5.0) -> bool:
    """Whether a Spark Connect server at `url` answers a request within `timeout` seconds."""
    import grpc

    host, port = address(url)
    with grpc.insecure_channel(f"{host}:{port}") as channel:
        call = channel.unary_unary(ANALYZE_PLAN, request_serializer=None, response_deserializer=None)
        try:
            call(spark_version_request(), timeout=timeout)
        except grpc.RpcError:  # refused, timed out, not gRPC, or not Spark Connect
            return False
    return True


def spark_version_request() -> bytes:
    """An AnalyzePlanRequest (session_id = 1, user_context = 2, spark_version = 10), serialized."""
    session = str(uuid.uuid4()).encode()
    user = b"\x0a" + _length(b"grader") + b"grader"  # UserContext.user_id = 1
    return (b"\x0a" + _length(session) + session
            + b"\x12" + _length(user) + user
            + b"\x52\x00")  # field 10, wire type 2, empty message


def _length(data: bytes) -> bytes:
    """A protobuf length prefix; every length here is below 128, so one byte."""
    assert len(data) < 128
    return bytes([len(data)])
