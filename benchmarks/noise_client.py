"""The reference client for benchmarks/noise-bus.sh: the same handshake and StatusRequest round trips as the
noise-ik probe, with PyPI noiseprotocol, timed in process. Prints one line of JSON per run:
{"handshake_ms": ..., "total_ms": ...}.

    noise_client.py SOCKET BUS_PUB ROUNDS RUNS
"""

import json
import os
import socket
import struct
import sys
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "noise"))
from responder import PROTOCOL, Reader, frame, raw, read_frame, receive_encrypted, send_encrypted, varint  # noqa: E402

from noise.connection import Keypair, NoiseConnection  # noqa: E402


def status_request(msg_id):
    return (bytes([3]) + raw(msg_id) + b"\x00" + raw(uuid.uuid4().bytes) + varint(int(time.time() * 1000))
            + varint(int(time.monotonic() * 1000)) + varint(51) + varint(0) + b"\x00\x00\x00\x00")


def run(path, server_public, rounds):
    started = time.perf_counter()
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(path)
    pid, uid, _ = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    ours, theirs = (os.getpid(), os.geteuid()), (pid, uid)
    first, second = (ours, theirs) if ours[0] <= theirs[0] else (theirs, ours)
    noise = NoiseConnection.from_name(PROTOCOL)
    noise.set_as_initiator()
    noise.set_keypair_from_private_bytes(Keypair.STATIC, os.urandom(32))
    noise.set_keypair_from_public_bytes(Keypair.REMOTE_STATIC, server_public)
    noise.set_prologue(f"PDS-IPC-v1:{first[0]}:{first[1]}:{second[0]}:{second[1]}".encode())
    noise.start_handshake()
    conn.sendall(frame(noise.write_message()))
    noise.read_message(read_frame(conn))
    handshake = time.perf_counter()
    for _ in range(rounds):
        msg_id = uuid.uuid4().bytes
        send_encrypted(conn, noise, status_request(msg_id))
        while True:
            reply = Reader(receive_encrypted(conn, noise))
            reply.byte(); reply.raw()
            if reply.byte() and reply.raw() == msg_id:
                break
    conn.close()
    done = time.perf_counter()
    return {"handshake_ms": (handshake - started) * 1000, "total_ms": (done - started) * 1000}


if __name__ == "__main__":
    path, pub, rounds, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    with open(pub, "rb") as handle:
        server_public = handle.read()
    for _ in range(runs):
        print(json.dumps(run(path, server_public, rounds)), flush=True)
