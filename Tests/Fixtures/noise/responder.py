"""A stand-in for Open Sesame's bus host (daemon-profile with core-ipc's server), for the noise-ik probe's
tests and the demo host, on PyPI `noiseprotocol` (an implementation we did not write).

It follows upstream's source at release 1.14.2 (ScopeCreep-zip/open-sesame, commit
5bd74188cf98de6b9db7a8f5ec52ff31945fe54f) and is as strict as upstream's server. Every rule cites its place:

- Unix socket; the prologue PDS-IPC-v1:<pid>:<uid>:<pid>:<uid>, the lower pid first (core-ipc/src/noise.rs:50-62);
  Noise_IK_25519_ChaChaPoly_BLAKE2s as responder (noise.rs:33); message 1 read as one [u32 BE len] frame of at
  most 16 MiB, message 2 written with an empty payload as one frame (noise.rs:253-281, framing.rs:51-82).
- Encrypted frames: the chunk count is a frame of its own, [00 00 00 04][u32 count]; a count frame that is not
  4 bytes ends the connection ("invalid chunk count header: expected 4 bytes, got N", noise.rs:152-158), as do
  more than 257 chunks (noise.rs:166-172), a frame over 16 MiB (framing.rs:57-61), a chunk that does not decrypt
  (noise.rs:177-184) and a payload over 16 MiB (noise.rs:189-195). Any read error closes (server.rs:582-605).
- A frame that does not decode as Message<EventKind> is dropped without a reply; the connection stays open
  (server.rs:674-679). Decoding is postcard's: strict on UUID lengths, option and bool tags, varint widths,
  UTF-8, SecurityLevel 0..3, profile names and every field it reads; lenient on trailing bytes and
  non-minimal varints; an event index of 109 or more is `Unknown` with no body (core-types/src/events.rs:627-628).
- The connection's first decoded message binds its sender; a later one with another sender is answered with
  AccessDenied ("sender identity changed mid-session") and dropped (server.rs:689-724).
- A message with a correlation id is a response: routed to whoever asked, never to the host (server.rs:810-842).
- The host subscribes at Internal clearance, so a request above Internal never reaches it (server.rs:843-863,
  daemon-profile/src/main.rs:368-375): no reply.
- StatusRequest (51) is answered with StatusResponse (52) correlated to the request (daemon-profile/src/main.rs:
  511-575, dispatch.rs:149-203). Full mode (an installation exists): the reply echoes the request's level and
  carries Some(origin_installation) and Some(agent_id) = uuid5(namespace, "agent:human:uid<uid>")
  (main.rs:280-283, 340-365); daemon_uptimes_ms is always one entry, (the host's id, 0). Pre-init mode (no
  installation.toml): level Internal, no version-3 fields, payload {[], "default", [], true, {}} (main.rs:224-247).

Not modelled (the test or demo never sends them): the bodies of the other 105 event variants (such a message is
logged and dropped, where upstream would route it), clearance registries (every client is an ephemeral one,
clearance SecretsOnly, server.rs:517-548), key rotation, daemon-secrets behind the host.

    responder.py SOCKET PRIVATE_KEY_FILE [--mode MODE] [--installation FILE] [--profiles SPEC] [--default NAME]

MODE: normal (default) | pre-init | deny | silent | huge-length | truncated | bad-reply, or a hostile peer after
a valid handshake (issue 20), each answering the first StatusRequest with: garbage (a chunk that does not
decrypt), huge-frame (a chunk frame announcing 4 GiB), many-chunks (a chunk count of 100,000), wrong-correlation
(a valid StatusResponse correlated to another request, then nothing); or trickle (the handshake's reply one byte
per second).
--installation: installation.toml to take id and namespace from (full mode); without it, random ones.
--profiles: name=locked|unlocked,... (default: default=unlocked,work=locked); active = the unlocked ones.
Prints "ready" once listening; logs one line per decision to standard error.
"""

import os
import socket
import struct
import sys
import time
import tomllib
import uuid

from noise.connection import Keypair, NoiseConnection

PROTOCOL = b"Noise_IK_25519_ChaChaPoly_BLAKE2s"
MAX_FRAME = 16 << 20
MAX_CHUNK = 65519
MAX_CHUNKS = (MAX_FRAME + MAX_CHUNK - 1) // MAX_CHUNK  # 257
STATUS_REQUEST, STATUS_RESPONSE, DAEMON_STARTED, ACCESS_DENIED, UNKNOWN = 51, 52, 26, 104, 109
INTERNAL = 1


def log(text):
    print(text, file=sys.stderr, flush=True)


class Closed(Exception):
    """The connection is over (a read error, as upstream's loop breaks on one)."""


def read_exactly(conn, count):
    data = b""
    while len(data) < count:
        chunk = conn.recv(min(count - len(data), 1 << 16))
        if not chunk:
            raise Closed("peer closed")
        data += chunk
    return data


def read_frame(conn):
    (length,) = struct.unpack(">I", read_exactly(conn, 4))
    if length > MAX_FRAME:
        raise Closed(f"frame too large: {length}")
    return read_exactly(conn, length)


def frame(data):
    return struct.pack(">I", len(data)) + data


# --- postcard -------------------------------------------------------------------------------------------

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


class Malformed(Exception):
    pass


class Reader:
    def __init__(self, data):
        self.data, self.offset = data, 0

    def byte(self):
        if self.offset >= len(self.data):
            raise Malformed("ran out of bytes")
        self.offset += 1
        return self.data[self.offset - 1]

    def fixed(self, count):
        if len(self.data) - self.offset < count:
            raise Malformed("ran out of bytes")
        self.offset += count
        return self.data[self.offset - count:self.offset]

    def varint(self, bits=64):
        most = (bits + 6) // 7
        last_limit = (1 << (bits - 7 * (most - 1))) - 1
        value = 0
        for index in range(most):
            b = self.byte()
            if index == most - 1 and (b & 0x80 or b > last_limit):
                raise Malformed("bad varint")
            value |= (b & 0x7F) << (7 * index)
            if not b & 0x80:
                return value
        raise Malformed("bad varint")

    def raw(self):
        return self.fixed(self.varint())

    def string(self):
        try:
            return self.raw().decode("utf-8")
        except UnicodeDecodeError as error:
            raise Malformed("bad utf-8") from error

    def option(self):
        tag = self.byte()
        if tag > 1:
            raise Malformed("bad option tag")
        return tag == 1

    def boolean(self):
        value = self.byte()
        if value > 1:
            raise Malformed("bad bool")
        return value == 1

    def uuid(self):
        value = self.raw()
        if len(value) != 16:
            raise Malformed(f"uuid of {len(value)} bytes")
        return value

    def variant(self, cases):
        index = self.varint(32)
        if index >= cases:
            raise Malformed(f"variant {index} of {cases}")
        return index

    def profile_name(self):
        name = self.string()
        encoded = name.encode()
        ok = (0 < len(encoded) <= 64 and encoded[:1].isalnum() and encoded.isascii()
              and all(chr(b).isalnum() or chr(b) in "-_" for b in encoded))
        if not ok:
            raise Malformed(f"bad profile name {name!r}")
        return name


def decode(data):
    """Message<EventKind> as upstream decodes it: a dict, or Malformed. Variants without a modelled body give
    'unmodelled' (their bytes cannot be walked)."""
    r = Reader(data)
    message = {"wire_version": r.byte(), "msg_id": r.uuid()}
    message["correlation_id"] = r.uuid() if r.option() else None
    message["sender"] = r.uuid()
    message["timestamp"] = (r.varint(), r.varint())
    variant = r.varint(32)
    message["variant"] = variant
    if variant == STATUS_REQUEST or variant >= UNKNOWN:
        pass
    elif variant == ACCESS_DENIED:
        message["reason"] = r.string()
    elif variant == DAEMON_STARTED:
        r.uuid(); r.string()
        for _ in range(r.varint()):
            r.string()
    elif variant == STATUS_RESPONSE:
        for _ in range(r.varint()):
            r.profile_name()
        r.profile_name()
        for _ in range(r.varint()):
            r.uuid(); r.varint()
        r.boolean()
        for _ in range(r.varint()):
            r.profile_name(); r.boolean()
    else:
        message["unmodelled"] = True
        return message
    message["security_level"] = r.variant(4)
    message["verified_sender_name"] = r.string() if r.option() else None
    if r.option():                                  # InstallationId, core-types/src/security.rs:413-452
        r.uuid()
        if r.option():
            r.string(); r.uuid()
        r.uuid()
        if r.option():
            r.fixed(32); r.variant(2)
    if r.option():
        r.uuid()                                    # AgentId
    if r.option():                                  # TrustVector, security.rs:493-507
        r.variant(5); r.varint(); r.varint(32); r.byte(); r.fixed(8); r.variant(4)
        kind = r.variant(4)
        if kind in (1, 2):
            r.string()
        elif kind == 3:
            r.fixed(32)
    return message                                  # trailing bytes ignored, as postcard's from_bytes does


class Host:
    """The bus host's identity and state, and the encoding of what it sends."""

    def __init__(self, mode, installation, profiles, default):
        self.mode, self.profiles, self.default = mode, profiles, default
        self.daemon_id = uuid7()
        self.epoch = time.monotonic_ns()
        self.installation = None
        if mode != "pre-init":
            if installation:
                with open(installation, "rb") as handle:
                    data = tomllib.load(handle)
                install_id, namespace = uuid.UUID(data["id"]), uuid.UUID(data["namespace"])
            else:
                install_id, namespace = uuid.uuid4(), uuid.uuid4()
            agent = uuid.uuid5(namespace, f"agent:human:uid{os.geteuid()}")
            self.installation = (install_id.bytes, namespace.bytes, agent.bytes)

    def envelope(self, sender, correlation, variant, body, level, installation=None):
        now = time.monotonic_ns() - self.epoch
        trailer = varint(level) + b"\x00"           # security_level, verified_sender_name: None
        if installation:
            install_id, namespace, agent = installation
            trailer += b"\x01" + raw(install_id) + b"\x00" + raw(namespace) + b"\x00"  # no org_ns, no binding
            trailer += b"\x01" + raw(agent)
        else:
            trailer += b"\x00\x00"
        trailer += b"\x00"                          # trust_snapshot: None (the reply bypasses stamping)
        return (bytes([3]) + raw(uuid7()) + (b"\x01" + raw(correlation) if correlation else b"\x00")
                + raw(sender) + varint(now) + varint(int(time.time() * 1000)) + varint(variant) + body + trailer)

    def status_response(self, request, locked_byte=None):
        if self.mode == "pre-init":
            body = varint(0) + text("default") + varint(0) + b"\x01" + varint(0)
            return self.envelope(self.daemon_id, request["msg_id"], STATUS_RESPONSE, body, INTERNAL)
        names = sorted(self.profiles, key=lambda n: n.encode())
        active = [n for n in names if not self.profiles[n]]
        body = varint(len(active)) + b"".join(text(n) for n in active) + text(self.default)
        body += varint(1) + raw(self.daemon_id) + varint(0)
        body += locked_byte or (b"\x01" if all(self.profiles.values()) else b"\x00")
        body += varint(len(names)) + b"".join(text(n) + (b"\x01" if self.profiles[n] else b"\x00") for n in names)
        return self.envelope(self.daemon_id, request["msg_id"], STATUS_RESPONSE, body, request["security_level"], self.installation)

    def access_denied(self, request, reason):
        # server.rs:645-663: a fresh sender, level Open, no version-3 fields.
        return self.envelope(uuid7(), request["msg_id"], ACCESS_DENIED, text(reason), 0)

    def daemon_started(self):
        body = raw(uuid7()) + text("1.14.2") + varint(0)
        return self.envelope(uuid7(), None, DAEMON_STARTED, body, INTERNAL)


def uuid7():
    milliseconds = int(time.time() * 1000)
    data = bytearray(milliseconds.to_bytes(6, "big") + os.urandom(10))
    data[6] = (data[6] & 0x0F) | 0x70
    data[8] = (data[8] & 0x3F) | 0x80
    return bytes(data)


def send_encrypted(conn, noise, plaintext):
    pieces = [plaintext[i:i + MAX_CHUNK] for i in range(0, len(plaintext), MAX_CHUNK)] or [b""]
    chunks = [noise.encrypt(piece) for piece in pieces]
    conn.sendall(frame(struct.pack(">I", len(chunks))) + b"".join(frame(c) for c in chunks))


def receive_encrypted(conn, noise):
    header = read_frame(conn)
    if len(header) != 4:
        raise Closed(f"invalid chunk count header: expected 4 bytes, got {len(header)}")
    (count,) = struct.unpack(">I", header)
    if count > MAX_CHUNKS:
        raise Closed(f"too many chunks: {count}")
    payload = b""
    for _ in range(count):
        chunk = read_frame(conn)
        try:
            payload += noise.decrypt(chunk)
        except Exception as error:
            raise Closed(f"chunk did not decrypt: {error!r}") from error
        if len(payload) > MAX_FRAME:
            raise Closed("payload too large")
    return payload


def serve(conn, private_key, host, deny_reason):
    pid, uid, _gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    if uid != os.geteuid():                         # server.rs:245-254: dropped silently
        log(f"rejected: peer uid {uid}")
        return
    ours, theirs = (os.getpid(), os.geteuid()), (pid, uid)
    first, second = (ours, theirs) if ours[0] <= theirs[0] else (theirs, ours)
    prologue = f"PDS-IPC-v1:{first[0]}:{first[1]}:{second[0]}:{second[1]}".encode()
    noise = NoiseConnection.from_name(PROTOCOL)
    noise.set_as_responder()
    noise.set_keypair_from_private_bytes(Keypair.STATIC, private_key)
    noise.set_prologue(prologue)
    noise.start_handshake()
    conn.settimeout(5)                              # the whole handshake under 5 s (noise.rs:39)
    try:
        noise.read_message(read_frame(conn))
    except Closed as error:
        log(f"handshake-failed: {error}")
        return
    except Exception as error:                      # wrong key: the initiator encrypted to someone else
        log(f"handshake-failed: {error!r}")
        return
    if host.mode == "silent":
        time.sleep(3600)
    if host.mode == "huge-length":
        conn.sendall(struct.pack(">I", 0xFFFFFFFF) + b"\x00" * 16)
        time.sleep(1)
        return
    if host.mode == "trickle":
        for byte in frame(noise.write_message(b"")):
            conn.sendall(bytes([byte]))
            time.sleep(1)
        return
    if host.mode == "truncated":
        conn.sendall(struct.pack(">I", 48) + b"\x00" * 10)
        return
    conn.sendall(frame(noise.write_message(b"")))
    conn.settimeout(None)
    bound = None
    first_request = True
    while True:
        try:
            data = receive_encrypted(conn, noise)
        except Closed as error:
            log(f"disconnect: {error}")
            return
        try:
            request = decode(data)
        except Malformed as error:
            log(f"malformed frame, dropping: {error}")
            continue
        if bound is None:
            bound = request["sender"]
        elif request["sender"] != bound:
            log("access denied: sender identity changed mid-session")
            send_encrypted(conn, noise, host.access_denied(request, "sender identity changed mid-session"))
            continue
        if request.get("unmodelled"):
            log(f"dropped: event variant {request['variant']} is not modelled by this stand-in")
            continue
        if request["correlation_id"] is not None:
            log("routed as a response: the host never sees it")
            continue
        if request["security_level"] > INTERNAL:
            log(f"not delivered: level {request['security_level']} is above the host's clearance")
            continue
        if request["variant"] != STATUS_REQUEST:
            log(f"ignored: event variant {request['variant']}")
            continue
        if host.mode == "deny":
            send_encrypted(conn, noise, host.access_denied(request, deny_reason))
            continue
        if host.mode in ("garbage", "huge-frame", "many-chunks", "wrong-correlation"):
            log(f"hostile: {host.mode}")
        if host.mode == "garbage":
            conn.sendall(frame(struct.pack(">I", 1)) + frame(os.urandom(48)))
            continue
        if host.mode == "huge-frame":
            conn.sendall(frame(struct.pack(">I", 1)) + struct.pack(">I", 0xFFFFFFFF) + b"\x00" * 64)
            time.sleep(2)
            return
        if host.mode == "many-chunks":
            conn.sendall(frame(struct.pack(">I", 100_000)))
            time.sleep(2)
            return
        if host.mode == "wrong-correlation":
            send_encrypted(conn, noise, host.status_response(dict(request, msg_id=uuid7())))
            continue
        if host.mode == "bad-reply":
            send_encrypted(conn, noise, host.status_response(request, locked_byte=b"\x05"))  # not a bool
            continue
        if first_request:                           # another daemon's broadcast, which a client must skip
            send_encrypted(conn, noise, host.daemon_started())
            first_request = False
        log("status request answered")
        send_encrypted(conn, noise, host.status_response(request))


def option(name, default=None):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def main():
    path, key_file = sys.argv[1], sys.argv[2]
    mode = option("--mode", "normal")
    profiles = {}
    for item in option("--profiles", "default=unlocked,work=locked").split(","):
        name, state = item.split("=")
        profiles[name] = state == "locked"
    host = Host(mode, option("--installation"), profiles, option("--default", "default"))
    deny_reason = option("--deny-reason", "security clearance insufficient for this request")
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
                serve(conn, private_key, host, deny_reason)
            except (ConnectionError, BrokenPipeError, socket.timeout) as error:
                log(f"disconnect: {error!r}")


if __name__ == "__main__":
    main()
