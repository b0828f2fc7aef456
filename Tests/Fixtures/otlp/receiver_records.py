"""What the test receivers record of a decoded export request (shared by the HTTP and gRPC receivers and
decode.py), and the OTLP/JSON id conversion they share."""

import base64

IDS = ("traceId", "spanId", "parentSpanId")


def hex_to_base64(node, ids=IDS):
    """OTLP/JSON writes ids in hex where protobuf's JSON mapping expects base64 (the OTLP specification)."""
    if isinstance(node, dict):
        for key, item in node.items():
            if key in ids and isinstance(item, str):
                node[key] = base64.b64encode(bytes.fromhex(item)).decode()
            else:
                hex_to_base64(item, ids)
    elif isinstance(node, list):
        for item in node:
            hex_to_base64(item, ids)


def attributes(pairs):
    out = {}
    for pair in pairs:
        value = pair.value
        kind = value.WhichOneof("value")
        if kind == "array_value":
            out[pair.key] = [v.string_value for v in value.array_value.values]
        else:
            out[pair.key] = getattr(value, kind)
    return out


def metrics_record(request, path):
    return {
        "path": path,
        "resource": attributes(request.resource_metrics[0].resource.attributes),
        "metrics": [
            {"name": m.name, "unit": m.unit, "points": [{"value": p.as_double, "attributes": attributes(p.attributes)} for p in m.gauge.data_points]}
            for rm in request.resource_metrics for sm in rm.scope_metrics for m in sm.metrics
        ],
    }


def traces_record(request, path):
    return {
        "path": path,
        "resource": attributes(request.resource_spans[0].resource.attributes),
        "spans": [
            {"name": s.name, "trace_id": s.trace_id.hex(), "span_id": s.span_id.hex(), "parent": s.parent_span_id.hex(),
             "start": s.start_time_unix_nano, "end": s.end_time_unix_nano, "status_code": s.status.code,
             "status_message": s.status.message, "attributes": attributes(s.attributes)}
            for rs in request.resource_spans for ss in rs.scope_spans for s in ss.spans
        ],
    }
