"""Builds vault files for the sqlcipher probe's tests, with real SQLCipher libraries.

    make_vault.py v3 OUT HEXKEY        Debian's SQLCipher 3.4.1 (its sqlcipher shell): HMAC_SHA1, PBKDF2_HMAC_SHA1
    make_vault.py v4 OUT HEXKEY        SQLCipher 4 (PyPI sqlcipher3-binary) with Open Sesame's settings
    make_vault.py plain OUT            a plaintext SQLite file posing as a vault
    make_vault.py flip OUT OFFSET      flips one byte of OUT at OFFSET
    make_vault.py truncate OUT SIZE    cuts OUT to SIZE bytes

Each vault has the Open Sesame schema (a `secrets` table) and 300 rows, so it spans many 4096-byte pages.
"""

import os
import sqlite3
import subprocess
import sys

SCHEMA = "CREATE TABLE secrets(key TEXT PRIMARY KEY, value BLOB NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"


def rows(n=300):
    return [(f"github/token-{i}", os.urandom(96), 1795500000 + i, 1795500000 + i) for i in range(n)]


def main():
    mode, out = sys.argv[1], sys.argv[2]
    if mode == "v3":
        key = sys.argv[3]
        inserts = "".join(f"INSERT INTO secrets VALUES('{k}', x'{v.hex()}', {c}, {u});" for k, v, c, u in rows())
        script = f"PRAGMA key = \"x'{key}'\"; PRAGMA cipher_page_size = 4096; PRAGMA kdf_iter = 256000; {SCHEMA} BEGIN; {inserts} COMMIT;"
        subprocess.run(["sqlcipher", out], input=script.encode(), check=True, capture_output=True)
    elif mode == "v4":
        import sqlcipher3

        key = sys.argv[3]
        db = sqlcipher3.connect(out)
        db.execute(f"PRAGMA key = \"x'{key}'\"")
        for pragma in ["cipher_page_size = 4096", "cipher_hmac_algorithm = HMAC_SHA256", "cipher_kdf_algorithm = PBKDF2_HMAC_SHA256", "kdf_iter = 256000"]:
            db.execute(f"PRAGMA {pragma}")
        db.execute(SCHEMA)
        db.executemany("INSERT INTO secrets VALUES (?, ?, ?, ?)", rows())
        db.commit()
        db.close()
    elif mode == "plain":
        db = sqlite3.connect(out)
        db.execute(SCHEMA)
        db.executemany("INSERT INTO secrets VALUES (?, ?, ?, ?)", rows())
        db.commit()
        db.close()
    elif mode == "flip":
        offset = int(sys.argv[3])
        with open(out, "r+b") as handle:
            handle.seek(offset)
            byte = handle.read(1)
            handle.seek(offset)
            handle.write(bytes([byte[0] ^ 0x01]))
    elif mode == "truncate":
        os.truncate(out, int(sys.argv[3]))


if __name__ == "__main__":
    main()
