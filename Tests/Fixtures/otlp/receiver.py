"""An OTLP/HTTP receiver for the tests: decodes every request with the official definitions (PyPI
opentelemetry-proto), protobuf or JSON, answers with an empty Export*ServiceResponse, and appends what it decoded
to a JSON-lines file the tests read.

    receiver.py PORT_FILE OUT [--mode normal|slow|fail]

Binds 127.0.0.1 on a free port and writes the port to PORT_FILE. --mode slow waits 30 s before answering;
--mode fail answers 500. JSON requests carry traceId/spanId in hex (OTLP/JSON) where protobuf's JSON mapping
expects base64; they are converted first, as the OTLP specification says receivers must.
"""

import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf import json_format
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from receiver_records import hex_to_base64, metrics_record, traces_record  # noqa: E402

OUT = sys.argv[2]
MODE = sys.argv[sys.argv.index("--mode") + 1] if "--mode" in sys.argv else "normal"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if MODE == "slow":
            time.sleep(30)
        if MODE == "fail":
            self.send_response(500)
            self.send_header("Content-Length", "12")
            self.end_headers()
            self.wfile.write(b"receiver off")
            return
        content_type = self.headers.get("Content-Type", "")
        record = {"path": self.path, "content_type": content_type, "headers": {k.lower(): v for k, v in self.headers.items()}}
        try:
            if self.path == "/v1/metrics":
                request, response = metrics_service_pb2.ExportMetricsServiceRequest(), metrics_service_pb2.ExportMetricsServiceResponse()
            elif self.path == "/v1/traces":
                request, response = trace_service_pb2.ExportTraceServiceRequest(), trace_service_pb2.ExportTraceServiceResponse()
            else:
                self.send_error(404)
                return
            if content_type == "application/json":
                document = json.loads(body)
                hex_to_base64(document)
                json_format.ParseDict(document, request)
            else:
                request.ParseFromString(body)
        except Exception as error:  # malformed: 400, as a collector would
            self.send_response(400)
            message = str(error).encode()
            self.send_header("Content-Length", str(len(message)))
            self.end_headers()
            self.wfile.write(message)
            return
        decoded = metrics_record(request, self.path) if self.path == "/v1/metrics" else traces_record(request, self.path)
        record.update(decoded)
        with open(OUT, "a") as handle:
            handle.write(json.dumps(record) + "\n")
        payload = response.SerializeToString() if content_type != "application/json" else b"{}"
        self.send_response(200)
        self.send_header("Content-Type", content_type or "application/x-protobuf")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1], "w") as handle:
    handle.write(str(server.server_address[1]))
server.serve_forever()
