"""Noise vectors for the deferred patterns (NK1, X1K, ... I1X1), which the Go implementation's vectors.txt does
not cover, made by a second implementation we did not write: Debian's python3-dissononce. Run with Debian's
python3. Prints one JSON object per pattern, in the field names of vectors.txt, with the handshake hash:

    {"handshake": "Noise_NK1_25519_ChaChaPoly_BLAKE2s", "init_static": hex, "resp_static": hex,
     "gen_init_ephemeral": hex, "gen_resp_ephemeral": hex, "prologue": hex,
     "messages": [{"payload": hex, "ciphertext": hex}, ...], "handshake_hash": hex}

The keys are the ones vectors.txt uses; the payloads are "test_msg_<n>"; after the handshake come two
transport messages, initiator to responder first. Every message is also read back by the other side."""
import json
import pkgutil
import importlib

from dissononce.cipher.chachapoly import ChaChaPolyCipher
from dissononce.dh.x25519.x25519 import X25519DH
from dissononce.hash.blake2s import Blake2sHash
from dissononce.dh.x25519.private import PrivateKey
from dissononce.processing.impl.cipherstate import CipherState
from dissononce.processing.impl.handshakestate import HandshakeState
from dissononce.processing.impl.symmetricstate import SymmetricState
import dissononce.processing.handshakepatterns.deferred as deferred

KEYS = {
    "init_static": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
    "resp_static": "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
    "gen_init_ephemeral": "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f",
    "gen_resp_ephemeral": "4142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60",
}
PROLOGUE = b"notsecret"


class FixedEphemeral(X25519DH):
    """X25519 whose one generated key pair is a given one: the vector's ephemeral key."""

    def __init__(self, private):
        super().__init__()
        self._private = private

    def generate_keypair(self, privatekey=None):
        return super().generate_keypair(PrivateKey(bytes.fromhex(self._private)))


def side(pattern, initiator):
    dh = FixedEphemeral(KEYS["gen_init_ephemeral" if initiator else "gen_resp_ephemeral"])
    state = HandshakeState(SymmetricState(CipherState(ChaChaPolyCipher()), Blake2sHash()), dh)
    mine, theirs = ("init_static", "resp_static") if initiator else ("resp_static", "init_static")
    s = X25519DH().generate_keypair(PrivateKey(bytes.fromhex(KEYS[mine])))
    remote = X25519DH().generate_keypair(PrivateKey(bytes.fromhex(KEYS[theirs]))).public
    known = pattern.responder_pre_message_pattern if initiator else pattern.initiator_pre_message_pattern
    state.initialize(pattern, initiator, PROLOGUE, s=s, rs=remote if "s" in known else None)
    return state


for module in sorted(m.name for m in pkgutil.iter_modules(deferred.__path__)):
    pattern = getattr(importlib.import_module(deferred.__name__ + "." + module), module + "HandshakePattern")()
    initiator, responder = side(pattern, True), side(pattern, False)
    messages, ciphers = [], None
    writer, reader = initiator, responder
    for number in range(len(pattern.message_patterns)):
        payload = b"test_msg_%d" % number
        buffer = bytearray()
        result = writer.write_message(payload, buffer)
        read = bytearray()
        other = reader.read_message(bytes(buffer), read)
        assert bytes(read) == payload, (module, number)
        messages.append({"payload": payload.hex(), "ciphertext": bytes(buffer).hex()})
        if result is not None:
            # The writer's and the reader's (initiator-to-responder, responder-to-initiator) cipher pairs.
            ciphers = (result, other) if writer is initiator else (other, result)
        writer, reader = reader, writer
    handshake_hash = initiator.symmetricstate.get_handshake_hash()
    assert handshake_hash == responder.symmetricstate.get_handshake_hash(), module
    (initiator_send, initiator_receive), (responder_receive, responder_send) = ciphers[0], ciphers[1]
    for number, (send, receive) in enumerate([(initiator_send, responder_receive), (responder_send, initiator_receive)]):
        payload = b"transport_%d" % number
        ciphertext = send.encrypt_with_ad(b"", payload)
        assert receive.decrypt_with_ad(b"", ciphertext) == payload, module
        messages.append({"payload": payload.hex(), "ciphertext": bytes(ciphertext).hex()})
    print(json.dumps(dict(handshake="Noise_%s_25519_ChaChaPoly_BLAKE2s" % module, prologue=PROLOGUE.hex(),
                          messages=messages, handshake_hash=handshake_hash.hex(), **KEYS)))
