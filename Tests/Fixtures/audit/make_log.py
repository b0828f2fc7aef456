"""Writes an Open Sesame audit log (JSON lines, hash-chained with PyPI blake3, an implementation we did not
write) for the audit-chain probe's tests and benchmark, then optionally damages it.

    make_log.py OUT COUNT [--tamper N] [--delete N] [--swap N] [--truncate-last] [--blank-after N] [--crlf]
                [--min-bytes SIZE]

Line N (1-based): --tamper changes one character of its action, --delete removes it, --swap exchanges it with
line N+1. --truncate-last cuts the last line in half (an interrupted write). --blank-after puts an empty line
and a line of spaces and a tab after line N; --crlf ends every line with CR LF (the hash stays that of the line
without the CR, as Rust's lines() reads it). --min-bytes keeps writing lines
until the file is at least SIZE bytes (for the 1 GB benchmark; COUNT is then ignored).
"""

import json
import sys

from blake3 import blake3


def main():
    out, count = sys.argv[1], int(sys.argv[2])
    options = sys.argv[3:]

    def option(name):
        return int(options[options.index(name) + 1]) if name in options else None

    minimum = option("--min-bytes")
    lines, previous, size, sequence = [], "", 0, 0
    with open(out, "wb") as handle:
        while (minimum is None and sequence < count) or (minimum is not None and size < minimum):
            sequence += 1
            entry = {
                "sequence": sequence,
                "timestamp_ms": 1795500000000 + sequence,
                "action": {"SecretRead": {"profile": "default", "key": f"github/token-{sequence % 97}"}},
                "prev_hash": previous,
                "agent_id": "doctor-test",
            }
            line = json.dumps(entry, separators=(",", ":")).encode()
            previous = blake3(line).hexdigest()
            if minimum is None:
                lines.append(line)
            else:
                handle.write(line + b"\n")
            size += len(line) + 1
        if minimum is not None:
            return
        if (n := option("--tamper")) is not None:
            lines[n - 1] = lines[n - 1].replace(b"github", b"gitlab", 1)
        if (n := option("--delete")) is not None:
            del lines[n - 1]
        if (n := option("--swap")) is not None:
            lines[n - 1], lines[n] = lines[n], lines[n - 1]
        ending = b"\r\n" if "--crlf" in options else b"\n"
        body_lines = [line + ending for line in lines]
        if (n := option("--blank-after")) is not None:
            body_lines[n:n] = [ending, b"  \t" + ending]
        body = b"".join(body_lines)
        if "--truncate-last" in options:
            body = body[: len(body) - len(lines[-1]) // 2 - 1]
        handle.write(body)


if __name__ == "__main__":
    main()
