"""A bus client on PyPI `noiseprotocol` that sends what upstream's server must refuse, to prove the stand-in
(responder.py) is as strict as upstream's core-ipc server (release 1.14.2; rules cited in responder.py).

    initiator.py SOCKET BUS_PUB SCENARIO

Scenarios, each on a fresh connection; prints one line, the outcome:
  good              a well-formed StatusRequest          -> "reply 52"
  bare-count        the count as a bare u32 (no frame)   -> "closed"   (noise.rs:152-158)
  changed-sender    two requests, the second with another sender -> "reply 52, reply 104: <reason>"
  same-sender       two requests, one sender             -> "reply 52, reply 52"
  correlated        a request carrying a correlation id  -> "silent"   (server.rs:810-842)
  secrets-level     a request at SecretsOnly             -> "silent"   (server.rs:843-863)
  malformed         a bad option tag, then a good request -> "silent, reply 52" (server.rs:674-679)
  short-uuid        a msg_id of 15 bytes                  -> "silent"
  unknown-variant   event index 200 (Unknown), then good  -> "silent, reply 52"
"""

import os
import socket
import struct
import sys
import time
import uuid

from noise.connection import Keypair, NoiseConnection

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from responder import Reader, frame, raw, read_exactly, read_frame, varint  # noqa: E402


def connect(path, server_public):
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(path)
    pid, uid, _gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    ours, theirs = (os.getpid(), os.geteuid()), (pid, uid)
    first, second = (ours, theirs) if ours[0] <= theirs[0] else (theirs, ours)
    noise = NoiseConnection.from_name(b"Noise_IK_25519_ChaChaPoly_BLAKE2s")
    noise.set_as_initiator()
    noise.set_keypair_from_private_bytes(Keypair.STATIC, os.urandom(32))
    noise.set_keypair_from_public_bytes(Keypair.REMOTE_STATIC, server_public)
    noise.set_prologue(f"PDS-IPC-v1:{first[0]}:{first[1]}:{second[0]}:{second[1]}".encode())
    noise.start_handshake()
    conn.sendall(frame(noise.write_message()))
    noise.read_message(read_frame(conn))
    return conn, noise


def request(sender, msg_id=None, correlation=None, level=1, variant=51, option_tag=0):
    msg_id = msg_id if msg_id is not None else uuid.uuid4().bytes
    return (bytes([3]) + raw(msg_id) + (b"\x01" + raw(correlation) if correlation else b"\x00") + raw(sender)
            + varint(time.monotonic_ns()) + varint(int(time.time() * 1000)) + varint(variant) + varint(level)
            + bytes([option_tag]) + b"\x00\x00\x00")


def send(conn, noise, plaintext, bare=False):
    chunk = noise.encrypt(plaintext)
    count = struct.pack(">I", 1)
    conn.sendall((count if bare else frame(count)) + frame(chunk))


def receive(conn, noise, timeout=0.5):
    conn.settimeout(timeout)
    try:
        header = read_frame(conn)
    except socket.timeout:
        return "silent"
    except Exception:
        return "closed"
    (count,) = struct.unpack(">I", header)
    data = b"".join(noise.decrypt(read_frame(conn)) for _ in range(count))
    r = Reader(data)
    r.byte(); r.uuid()
    if r.option():
        r.uuid()
    r.uuid(); r.varint(); r.varint()
    variant = r.varint(32)
    if variant == 26:                                 # another daemon's broadcast: not an answer
        return receive(conn, noise, timeout)
    if variant == 104:
        return f"reply 104: {r.string()}"
    return f"reply {variant}"


def main():
    path, pub, scenario = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(pub, "rb") as handle:
        server_public = handle.read()
    conn, noise = connect(path, server_public)
    sender = uuid.uuid4().bytes
    outcomes = []
    if scenario == "good":
        send(conn, noise, request(sender))
        outcomes.append(receive(conn, noise))
    elif scenario == "bare-count":
        conn.sendall(struct.pack(">I", 1) + frame(noise.encrypt(request(sender))))
        outcomes.append(receive(conn, noise))
    elif scenario in ("changed-sender", "same-sender"):
        send(conn, noise, request(sender))
        outcomes.append(receive(conn, noise))
        send(conn, noise, request(uuid.uuid4().bytes if scenario == "changed-sender" else sender))
        outcomes.append(receive(conn, noise))
    elif scenario == "correlated":
        send(conn, noise, request(sender, correlation=uuid.uuid4().bytes))
        outcomes.append(receive(conn, noise))
    elif scenario == "secrets-level":
        send(conn, noise, request(sender, level=3))
        outcomes.append(receive(conn, noise))
    elif scenario == "malformed":
        send(conn, noise, request(sender, option_tag=2))
        outcomes.append(receive(conn, noise))
        send(conn, noise, request(sender))
        outcomes.append(receive(conn, noise))
    elif scenario == "short-uuid":
        send(conn, noise, request(sender, msg_id=os.urandom(15)))
        outcomes.append(receive(conn, noise))
    elif scenario == "unknown-variant":
        send(conn, noise, request(sender, variant=200))
        outcomes.append(receive(conn, noise))
        send(conn, noise, request(sender))
        outcomes.append(receive(conn, noise))
    else:
        raise SystemExit(f"unknown scenario {scenario}")
    print(", ".join(outcomes), flush=True)


if __name__ == "__main__":
    main()
