"""Decodes one OTLP export request with the official definitions (PyPI opentelemetry-proto) and prints it as
JSON (protobuf's JSON mapping, proto field names, 64-bit integers as strings, bytes as hex), with the paths of
any fields the definitions do not know: a field number that is not the official one shows up there.

    decode.py metrics|traces protobuf|json FILE
"""

import base64
import json
import sys

from google.protobuf import json_format
from google.protobuf.message import Message
from google.protobuf.unknown_fields import UnknownFieldSet
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from receiver_records import hex_to_base64  # noqa: E402

SIGNAL, ENCODING, PATH = sys.argv[1], sys.argv[2], sys.argv[3]
IDS = ("traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id")


def base64_to_hex(node):
    if isinstance(node, dict):
        for key, item in node.items():
            if key in IDS and isinstance(item, str):
                node[key] = base64.b64decode(item).hex()
            else:
                base64_to_hex(item)
    elif isinstance(node, list):
        for item in node:
            base64_to_hex(item)


def unknown(message, path):
    found = [f"{path} (field {field.field_number})" for field in UnknownFieldSet(message)]
    for descriptor, value in message.ListFields():
        if descriptor.message_type is None:
            continue
        items = value if descriptor.label == descriptor.LABEL_REPEATED else [value]
        for index, item in enumerate(items):
            if isinstance(item, Message):
                found += unknown(item, f"{path}.{descriptor.name}[{index}]")
    return found


request = metrics_service_pb2.ExportMetricsServiceRequest() if SIGNAL == "metrics" else trace_service_pb2.ExportTraceServiceRequest()
with open(PATH, "rb") as handle:
    data = handle.read()
if ENCODING == "json":
    document = json.loads(data)
    hex_to_base64(document, IDS)
    json_format.ParseDict(document, request)  # unknown JSON names are an error here
else:
    request.ParseFromString(data)
decoded = json_format.MessageToDict(request, preserving_proto_field_name=True)
base64_to_hex(decoded)
print(json.dumps({"request": decoded, "unknown": unknown(request, request.DESCRIPTOR.name)}))
