"""OTLP receivers that break the protocol on purpose, to prove doctor's exporter ends such an export as a clean
error (exit 73) instead of looping, hanging or trapping. A hostile peer has no upstream to follow; each mode
breaks one rule of the RFC it names.

    hostile_receiver.py PORT_FILE MODE

zero-frame-size      (OTLP/gRPC, h2c) answers the connection preface with a SETTINGS frame whose
                     SETTINGS_MAX_FRAME_SIZE is 0 (RFC 9113 section 6.5.2 allows 16384 to 16777215), then
                     keeps the connection open and silent for 30 s.
huge-content-length  (OTLP/HTTP) answers 200 with a Content-Length of 2^63-1 (RFC 9112 section 8: the body
                     never arrives), then closes.
status-after-message (OTLP/gRPC, h2c) answers with a response message and then trailers saying
                     grpc-status 14 (UNAVAILABLE): the status is the verdict (gRPC over HTTP/2, "Responses"),
                     whatever came before it. Headers are HPACK literals without indexing (RFC 7541 6.2.2).
"""

import socket
import struct
import sys
import threading
import time

PORT_FILE, MODE = sys.argv[1], sys.argv[2]


def frame(kind, flags, stream, payload):
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def literal(name, value):
    name, value = name.encode(), value.encode()
    assert len(name) < 127 and len(value) < 127
    return bytes([0, len(name)]) + name + bytes([len(value)]) + value


def serve(connection):
    with connection:
        connection.settimeout(30)
        try:
            if MODE == "zero-frame-size":
                connection.recv(65536)
                connection.sendall(frame(4, 0, 0, struct.pack(">HI", 5, 0)))
                deadline = time.time() + 30
                while time.time() < deadline and connection.recv(65536):
                    pass
            elif MODE == "status-after-message":
                connection.recv(65536)
                time.sleep(0.2)
                head = literal(":status", "200") + literal("content-type", "application/grpc")
                trailers = literal("grpc-status", "14") + literal("grpc-message", "receiver%20off")
                connection.sendall(
                    frame(4, 0, 0, b"")
                    + frame(1, 0x4, 1, head)
                    + frame(0, 0, 1, b"\x00\x00\x00\x00\x00")
                    + frame(1, 0x5, 1, trailers))
                deadline = time.time() + 30
                while time.time() < deadline and connection.recv(65536):
                    pass
            elif MODE == "huge-content-length":
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 9223372036854775807\r\n\r\n")
        except OSError:
            pass


listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(8)
with open(PORT_FILE + ".tmp", "w") as handle:
    handle.write(str(listener.getsockname()[1]))
import os  # noqa: E402

os.rename(PORT_FILE + ".tmp", PORT_FILE)
while True:
    client, _ = listener.accept()
    threading.Thread(target=serve, args=(client,), daemon=True).start()
