"""An OTLP/gRPC receiver for the tests (grpcio with the service stubs shipped in PyPI opentelemetry-proto):
decodes every export with the official definitions and appends the same records as receiver.py.

    grpc_receiver.py PORT_FILE OUT [--mode normal|slow|fail]

--mode fail answers every call with UNAVAILABLE ("receiver off"); --mode slow waits 30 s before answering.
"""

import json
import sys
import time
from concurrent import futures

import grpc
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2, metrics_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from receiver_records import metrics_record, traces_record  # noqa: E402

OUT = sys.argv[2]
MODE = sys.argv[sys.argv.index("--mode") + 1] if "--mode" in sys.argv else "normal"


def answer(context):
    if MODE == "slow":
        time.sleep(30)
    if MODE == "fail":
        context.abort(grpc.StatusCode.UNAVAILABLE, "receiver off")


def save(record, context):
    record["headers"] = {key: value for key, value in context.invocation_metadata()}
    record["content_type"] = "application/grpc"
    with open(OUT, "a") as handle:
        handle.write(json.dumps(record) + "\n")


class Metrics(metrics_service_pb2_grpc.MetricsServiceServicer):
    def Export(self, request, context):
        answer(context)
        save(metrics_record(request, "/v1/metrics"), context)
        return metrics_service_pb2.ExportMetricsServiceResponse()


class Traces(trace_service_pb2_grpc.TraceServiceServicer):
    def Export(self, request, context):
        answer(context)
        save(traces_record(request, "/v1/traces"), context)
        return trace_service_pb2.ExportTraceServiceResponse()


server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(Metrics(), server)
trace_service_pb2_grpc.add_TraceServiceServicer_to_server(Traces(), server)
port = server.add_insecure_port("127.0.0.1:0")
server.start()
with open(sys.argv[1], "w") as handle:
    handle.write(str(port))
server.wait_for_termination()
