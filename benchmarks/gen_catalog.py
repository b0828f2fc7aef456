#!/usr/bin/env python3
"""Generate a workload of N real files and a doctor catalog with one file check per file.

Each check: the file exists, is a regular file, has its exact mode, and is owned by the current user.
Files get varied modes (mostly 0600, every seventh 0644). Checks are split over files of 500 checks.

usage: gen_catalog.py N OUTDIR   -> OUTDIR/files/f00000..., OUTDIR/catalog/*.yaml
"""
import os
import sys


def main() -> None:
    n = int(sys.argv[1])
    out = sys.argv[2]
    files = os.path.join(out, "files")
    catalog = os.path.join(out, "catalog")
    os.makedirs(files, exist_ok=True)
    os.makedirs(catalog, exist_ok=True)
    for name in os.listdir(catalog):
        os.unlink(os.path.join(catalog, name))
    uid = os.geteuid()
    per_file = 500
    chunk = []
    for i in range(n):
        path = os.path.join(files, f"f{i:05d}")
        mode = 0o644 if i % 7 == 0 else 0o600
        if not os.path.exists(path):
            with open(path, "w") as f:
                f.write("x" * (i % 64))
        os.chmod(path, mode)
        chunk.append(
            f"- id: file-{i:05d}\n"
            f"  title: file {i} has the expected mode and owner\n"
            f"  category: configuration\n"
            f"  severity: medium\n"
            f"  probe: {{type: file, path: \"{path}\"}}\n"
            f"  expect: {{exists: true, type: file, mode: \"{mode:04o}\", owner: {uid}}}\n"
        )
        if len(chunk) == per_file or i == n - 1:
            index = i // per_file
            with open(os.path.join(catalog, f"checks-{index:03d}.yaml"), "w") as f:
                f.write("".join(chunk))
            chunk = []


if __name__ == "__main__":
    main()
