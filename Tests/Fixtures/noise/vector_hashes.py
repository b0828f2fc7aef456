"""Runs the Noise vectors of the Go implementation (Debian golang-github-flynn-noise-dev, vectors.txt) through a
second implementation we did not write (PyPI noiseprotocol) and prints, per vector it could run, the handshake
hash it reached, as JSON lines {"index": i, "protocol": name, "hash": hex}. The Go file has no handshake hashes,
so this is where the doctor's tests get them from.

Each vector's handshake messages are first checked against the file's ciphertexts, so a hash is printed only
for a handshake noiseprotocol reproduced byte for byte. usage: vector_hashes.py VECTORS [SUFFIX]"""
import json
import sys
import warnings

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from noise.connection import Keypair, NoiseConnection

# noiseprotocol warns that fixed ephemeral keys are for tests only: this is one.
warnings.filterwarnings("ignore", message="One of ephemeral keypairs is already set")

path = sys.argv[1]
suffix = sys.argv[2] if len(sys.argv) > 2 else "_25519_ChaChaPoly_BLAKE2s"

blocks, current = [], {}
for line in open(path, encoding="ascii"):
    line = line.strip()
    if not line:
        if current:
            blocks.append(current)
        current = {}
        continue
    key, _, value = line.partition("=")
    current[key] = value
if current:
    blocks.append(current)

index = -1
for block in blocks:
    name = block["handshake"]
    if not name.endswith(suffix):
        continue
    index += 1
    pattern = name.split("_")[1]
    sides = []
    for initiator in (True, False):
        side = NoiseConnection.from_name(name.encode())
        side.set_as_initiator() if initiator else side.set_as_responder()
        mine, theirs = ("init", "resp") if initiator else ("resp", "init")
        if block.get(mine + "_static"):
            side.set_keypair_from_private_bytes(Keypair.STATIC, bytes.fromhex(block[mine + "_static"]))
        # Pre-messages: an initiator knows the responder's static key in the one-way patterns and in those
        # ending in K; a responder knows the initiator's in those starting with K.
        if block.get(theirs + "_static"):
            public = X25519PrivateKey.from_private_bytes(bytes.fromhex(block[theirs + "_static"])).public_key()
            base = pattern.split("psk")[0]
            knows = (initiator and base[-1] == "K" or initiator and len(base) == 1) or (not initiator and base[0] == "K")
            if knows:
                side.set_keypair_from_public_bytes(Keypair.REMOTE_STATIC, public.public_bytes(Encoding.Raw, PublicFormat.Raw))
        side.set_keypair_from_private_bytes(Keypair.EPHEMERAL, bytes.fromhex(block["gen_%s_ephemeral" % mine]))
        side.set_prologue(bytes.fromhex(block.get("prologue", "")))
        if "preshared_key" in block:
            side.set_psks(bytes.fromhex(block["preshared_key"]))
        side.start_handshake()
        sides.append(side)
    initiator, responder = sides
    number = 0
    writer, reader = initiator, responder
    while not (initiator.handshake_finished and responder.handshake_finished):
        payload = bytes.fromhex(block["msg_%d_payload" % number])
        ciphertext = writer.write_message(payload)
        if ciphertext.hex() != block["msg_%d_ciphertext" % number]:
            sys.exit("%s (vector %d): noiseprotocol's message %d differs from the file's" % (name, index, number))
        if reader.read_message(ciphertext) != payload:
            sys.exit("%s (vector %d): message %d did not decrypt" % (name, index, number))
        number += 1
        writer, reader = reader, writer
    if initiator.get_handshake_hash() != responder.get_handshake_hash():
        sys.exit("%s (vector %d): the two sides' handshake hashes differ" % (name, index))
    print(json.dumps({"index": index, "protocol": name, "hash": initiator.get_handshake_hash().hex()}))
