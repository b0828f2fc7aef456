#!/usr/bin/env python3
"""Writes the copyright file of doctor's Debian package (scripts/package-deb) to standard output: doctor's own
notice, then the license of everything the executables link statically, as each project ships it: the Swift
toolchain's runtime and Foundation, and every Swift package the build resolved (`swift package
show-dependencies`), with the licenses and notices of code vendored inside them. The Apache License 2.0 is not
repeated: Debian keeps it in /usr/share/common-licenses/Apache-2.0 (only what follows its terms, such as Swift's
Runtime Library Exception, is kept).

    scripts/deb-copyright.py VERSION SWIFT_LICENSE_FILE"""
import json
import os
import re
import subprocess
import sys

version, swift_license = sys.argv[1], sys.argv[2]


def apache(text):
    return "Apache License" in text[:400] and "Version 2.0" in text[:400]


def license_text(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    if not apache(text):
        return text.rstrip() + "\n"
    out = "Apache License 2.0: see /usr/share/common-licenses/Apache-2.0.\n"
    # What a project appended after the license's terms and its appendix (an exception, extra notices).
    ends = [m.end() for m in re.finditer(r"limitations under the License\.", text)]
    rest = text[ends[-1]:].strip() if ends else ""
    if rest:
        out += "\n" + rest + "\n"
    return out


def vendored_notices(root):
    """Copyright comment blocks of vendored sources under Sources/ (e.g. toml++ inside TOMLKit)."""
    found = []
    for directory, _, files in os.walk(os.path.join(root, "Sources")):
        for name in sorted(files):
            path = os.path.join(directory, name)
            if name.upper().startswith(("LICENSE", "COPYING", "NOTICE")):
                found.append((os.path.relpath(path, root), license_text(path)))
                continue
            if not name.endswith((".h", ".hpp", ".c", ".cpp")):
                continue
            head = open(path, encoding="utf-8", errors="replace").read(6000)
            if "Permission is hereby granted" not in head:
                continue
            block = []
            for line in head.splitlines():
                if line.startswith("//"):
                    block.append(line[2:].strip())
                elif block:
                    break
            if any("Copyright" in line for line in block):
                found.append((os.path.relpath(path, root), "\n".join(block).strip() + "\n"))
    return found


def section(title, body):
    return "\n" + "=" * 78 + "\n" + title + "\n" + "=" * 78 + "\n\n" + body


graph = json.loads(subprocess.run(["swift", "package", "show-dependencies", "--format", "json"],
                                  check=True, capture_output=True, text=True).stdout)
packages = {}


def walk(node):
    for child in node.get("dependencies", []):
        packages[child["identity"]] = (child.get("name", child["identity"]), child["url"], child["path"])
        walk(child)


walk(graph)

out = [f"doctor {version}: health and compliance checks for Open Sesame hosts, from a declarative YAML catalog.\n",
       "\nCopyright: the doctor authors. No license has been chosen for doctor's own code yet; until one is,\n"
       "the authors grant no rights beyond using this package as distributed.\n",
       "\nThe doctor and sesame executables link the following statically. Their licenses follow, each as its\n"
       "project ships it.\n"]
out.append(section("Swift standard library, runtime and Foundation (swift.org)", license_text(swift_license)))
for identity in sorted(packages):
    name, url, path = packages[identity]
    licenses = sorted(f for f in os.listdir(path) if f.upper().startswith(("LICENSE", "COPYING")))
    if not licenses:
        sys.exit(f"deb-copyright: no license file in {path}")
    body = "".join(license_text(os.path.join(path, f)) for f in licenses)
    for notice in sorted(f for f in os.listdir(path) if f.upper().startswith("NOTICE")):
        body += "\n" + open(os.path.join(path, notice), encoding="utf-8", errors="replace").read().rstrip() + "\n"
    for relative, text in vendored_notices(path):
        body += f"\n--- vendored: {relative}\n\n{text}"
    out.append(section(f"{name} ({url})", body))
sys.stdout.write("".join(out))
