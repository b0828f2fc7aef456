"""A bus responder for the noise-ik probe's tests, on PyPI `noiseprotocol` (an implementation we did not
write): a Unix socket, SO_PEERCRED, the prologue PDS-IPC-v1:<pid>:<uid>:<pid>:<uid> (lower pid first),
Noise_IK_25519_ChaChaPoly_BLAKE2s as responder with 4-byte big-endian framing, then encrypted frames
([u32 chunk count] then [u32 length][Noise message] per chunk) carrying postcard envelopes; a StatusRequest
(variant 51) gets a StatusResponse (variant 52) with its correlation id, after one unrelated broadcast.

    responder.py SOCKET PRIVATE_KEY_FILE [--mode normal|silent|huge-length|truncated|bad-reply]

Prints "ready" once listening. Modes other than normal misbehave after reading handshake message 1.
"""

import os
import socket
import struct
import sys
import time
import uuid

from noise.connection import Keypair, NoiseConnection

PROTOCOL = b"Noise_IK_25519_ChaChaPoly_BLAKE2s"


def read_exactly(conn, count):
    data = b""
    while len(data) < count:
        chunk = conn.recv(count - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def read_frame(conn):
    (length,) = struct.unpack(">I", read_exactly(conn, 4))
    return read_exactly(conn, length)


def frame(data):
    return struct.pack(">I", len(data)) + data


def varint(value):
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def raw(data):
    return varint(len(data)) + data


def text(value):
    return raw(value.encode())


class Reader:
    def __init__(self, data):
        self.data, self.offset = data, 0

    def byte(self):
        self.offset += 1
        return self.data[self.offset - 1]

    def varint(self):
        value, shift = 0, 0
        while True:
            b = self.byte()
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7

    def raw(self):
        length = self.varint()
        self.offset += length
        return self.data[self.offset - length:self.offset]


def envelope(correlation, variant, payload):
    now = time.time()
    return (bytes([3]) + raw(uuid.uuid4().bytes) + (b"\x01" + raw(correlation) if correlation else b"\x00")
            + raw(uuid.uuid4().bytes) + varint(int(now * 1000)) + varint(int(time.monotonic() * 1000))
            + varint(variant) + payload + varint(1) + b"\x00\x00\x00\x00")


def status_response():
    return (varint(2) + text("default") + text("work")          # active_profiles
            + text("default")                                   # default_profile
            + varint(1) + raw(uuid.uuid4().bytes) + varint(4242)  # daemon_uptimes_ms
            + b"\x00"                                           # locked: false
            + varint(2) + text("default") + b"\x00" + text("work") + b"\x01")  # lock_state


def send_encrypted(conn, noise, plaintext):
    chunks = [noise.encrypt(plaintext[i:i + 65519]) for i in range(0, max(len(plaintext), 1), 65519)]
    conn.sendall(struct.pack(">I", len(chunks)) + b"".join(frame(c) for c in chunks))


def receive_encrypted(conn, noise):
    (count,) = struct.unpack(">I", read_exactly(conn, 4))
    return b"".join(noise.decrypt(read_frame(conn)) for _ in range(count))


def serve(conn, private_key, mode):
    pid, uid, _gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    ours, theirs = (os.getpid(), os.geteuid()), (pid, uid)
    first, second = (ours, theirs) if ours[0] <= theirs[0] else (theirs, ours)
    prologue = f"PDS-IPC-v1:{first[0]}:{first[1]}:{second[0]}:{second[1]}".encode()
    noise = NoiseConnection.from_name(PROTOCOL)
    noise.set_as_responder()
    noise.set_keypair_from_private_bytes(Keypair.STATIC, private_key)
    noise.set_prologue(prologue)
    noise.start_handshake()
    try:
        noise.read_message(read_frame(conn))
    except Exception as error:  # wrong key: the initiator encrypted to someone else
        print(f"handshake failed: {error!r}", file=sys.stderr, flush=True)
        return
    if mode == "silent":
        time.sleep(3600)
    if mode == "huge-length":
        conn.sendall(struct.pack(">I", 0xFFFFFFFF) + b"\x00" * 16)
        time.sleep(1)
        return
    if mode == "truncated":
        conn.sendall(struct.pack(">I", 48) + b"\x00" * 10)
        return
    conn.sendall(frame(noise.write_message()))
    first_request = True
    while True:
        try:
            request = Reader(receive_encrypted(conn, noise))
        except EOFError:
            return
        request.byte()                     # wire_version
        msg_id = request.raw()
        if request.byte():                 # correlation_id
            request.raw()
        request.raw()                      # sender
        request.varint(); request.varint() # timestamp
        variant = request.varint()
        if variant != 51:
            continue
        if mode == "bad-reply":
            send_encrypted(conn, noise, envelope(msg_id, 52, b"\x05"))
            continue
        if first_request:                  # a broadcast the client must skip
            send_encrypted(conn, noise, envelope(None, 26, raw(uuid.uuid4().bytes) + text("1.0") + varint(0)))
            first_request = False
        send_encrypted(conn, noise, envelope(msg_id, 52, status_response()))


def main():
    path, key_file = sys.argv[1], sys.argv[2]
    mode = sys.argv[sys.argv.index("--mode") + 1] if "--mode" in sys.argv else "normal"
    with open(key_file, "rb") as handle:
        private_key = handle.read()
    if os.path.exists(path):
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, 0o700)
    server.listen(16)
    print("ready", flush=True)
    while True:
        conn, _ = server.accept()
        with conn:
            try:
                serve(conn, private_key, mode)
            except (EOFError, ConnectionError, BrokenPipeError):
                pass


if __name__ == "__main__":
    main()
