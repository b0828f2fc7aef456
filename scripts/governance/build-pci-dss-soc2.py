#!/usr/bin/env python3
"""A maintainer's tool, not part of the build or the tests: nothing in the build, the tests or doctor itself runs
or reads this script. It writes governance/pci-dss.yaml and governance/soc2.yaml, which are committed.

Last run against:
    ComplianceAsCode/content@b3a2cca9352cbcefb7f00d770bfd6f679da18d6a  controls/pcidss_4.yml
    prowler-cloud/prowler@3e000faa3109230b748e4418a13c11c9e59f5cfb   prowler/compliance/aws/soc2_aws.json
    (ComplianceAsCode/oscal-content@6f4ddeeb783b178f55d922a918a5066d75bb1c4b catalogs/pcidss_4/catalog.json
    as an optional cross-check)

    scripts/governance/build-pci-dss-soc2.py --cac PATH [--prowler PATH] [--oscal PATH]

PATH is a checkout or a bare git directory (the file is read from HEAD of a git directory, from the work tree
of a checkout). What comes from where:

- PCI DSS control IDs and their hierarchy (parent = the enclosing control) come from ComplianceAsCode's
  controls/pcidss_4.yml (or its split form, controls/pcidss_4/*.yml, when the main file names a controls_dir).
  The source has no entries for the principal requirements 1-12 or the appendix headings A1-A3; they are derived
  from the hierarchy (the first component of every ID). A parent is the enclosing control, and must be the ID
  minus its last component; a top-level entry gets that parent too (the source lists 11.5.2 at section level,
  beside 11.5, so its parent is 11.5). A3.3.1.2 (with no A3.3.1.1) is the source's numbering. With --oscal, the labelled controls of oscal-content's
  PCI DSS 4 catalog must all be among the source IDs, and its groups must be the 15 principal ones.
- SOC 2 has no complete public machine-readable source that we found. The criterion IDs are the published
  structure of the 2017 Trust Services Criteria (SOC2_STRUCTURE below). With --prowler, every criterion prowler's
  AWS SOC 2 mapping names (a subset) must be in that structure.
- Every title comes from scripts/governance/titles/{pci-dss,soc2}.tsv (ID<TAB>title): short paraphrases written
  by hand in our own words. Nothing here copies the standards' text (PCI SSC's, AICPA's); the source's titles and
  notes are never read.
- The fields we keep on the controls our checks cite (strength, points_of_focus, notes, category, and anything
  else besides id/title/parent) are read back from the CURRENT governance YAML files, so re-running is
  idempotent.

It fails loudly (exit 1) when a source ID has no title, a title names an ID the source does not have, an existing
control would be dropped, or an existing control's parent disagrees with the source.
"""

import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
GOVERNANCE = os.path.join(ROOT, "governance")
TITLES = os.path.join(HERE, "titles")
SCRIPT = "scripts/governance/build-pci-dss-soc2.py"

# The 2017 Trust Services Criteria (points of focus revised 2022): group -> (number of criteria, category).
# Document order. 61 criteria.
SOC2_STRUCTURE = [
    ("CC1", 5, "security"), ("CC2", 3, "security"), ("CC3", 4, "security"), ("CC4", 2, "security"),
    ("CC5", 3, "security"), ("CC6", 8, "security"), ("CC7", 5, "security"), ("CC8", 1, "security"),
    ("CC9", 2, "security"),
    ("A1", 3, "availability"),
    ("C1", 2, "confidentiality"),
    ("PI1", 5, "processing-integrity"),
    ("P1", 1, "privacy"), ("P2", 1, "privacy"), ("P3", 2, "privacy"), ("P4", 3, "privacy"), ("P5", 2, "privacy"),
    ("P6", 7, "privacy"), ("P7", 1, "privacy"), ("P8", 1, "privacy"),
]
PCI_PRINCIPAL = [str(n) for n in range(1, 13)] + ["A1", "A2", "A3"]
PCI_ID = re.compile(r"^(?:[1-9]|1[0-2]|A[1-3])(?:\.[1-9][0-9]*)*$")
# Keys of a control we write in this order; any other key read back from the current file follows them.
FIELD_ORDER = ["id", "parent", "category", "title", "strength", "points_of_focus", "notes"]


def die(message):
    sys.exit("build-pci-dss-soc2: error: " + message)


# ---------------------------------------------------------------- reading a snapshot

class Snapshot:
    """A checkout (work tree) or a git directory, read-only."""

    def __init__(self, path, name):
        self.path, self.name = path, name
        if not os.path.isdir(path):
            die("%s: %s is not a directory" % (name, path))
        self.git_dir = None
        if os.path.exists(os.path.join(path, "HEAD")) and os.path.isdir(os.path.join(path, "objects")):
            self.git_dir = path  # bare or mirror git directory: read HEAD
        self.worktree = None if self.git_dir else path

    def git(self, *args):
        base = ["git", "--git-dir=" + self.git_dir] if self.git_dir else ["git", "-C", self.worktree]
        result = subprocess.run(base + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if result.returncode != 0:
            return None
        return result.stdout.decode("utf-8")

    def commit(self):
        head = self.git("rev-parse", "HEAD")
        if not head:
            die("%s: cannot read the commit of %s (a git checkout or git directory is needed)" % (self.name, self.path))
        head = head.strip()
        if self.worktree and self.git("status", "--porcelain", "--untracked-files=no"):
            die("%s: %s has local changes; run against a clean snapshot so the recorded commit means something" % (self.name, self.path))
        return head

    def read(self, rel):
        if self.worktree:
            full = os.path.join(self.worktree, rel)
            if not os.path.isfile(full):
                return None
            with open(full, encoding="utf-8") as f:
                return f.read()
        return self.git("show", "HEAD:" + rel)

    def list(self, rel_dir):
        if self.worktree:
            full = os.path.join(self.worktree, rel_dir)
            return sorted(os.path.join(rel_dir, n) for n in os.listdir(full)) if os.path.isdir(full) else []
        out = self.git("ls-tree", "--name-only", "HEAD", rel_dir.rstrip("/") + "/")
        return sorted(out.split()) if out else []


def unquote(value):
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def cac_controls(text, where):
    """(id, parent) of every entry of the control tree in a ComplianceAsCode controls file, in document order.

    A small indentation-based reader (no PyYAML): an entry is a '- id: X' line whose nearest enclosing
    key-only line is 'controls:'. Block scalars (notes: |-) are skipped.
    """
    out = []
    keys = []     # (indent, key) of lines 'key:' with no value, innermost last
    stack = []    # (dash indent, id) of enclosing controls
    block = None  # indent of a key whose block scalar we are skipping
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if block is not None:
            if indent > block:
                continue
            block = None
        body = line.strip()
        item = body.startswith("- ")
        content = body[2:] if item else body
        content_indent = indent + 2 if item else indent
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*):(.*)$", content)
        if not m:
            continue
        key, value = m.group(1), m.group(2).strip()
        while keys and keys[-1][0] >= (indent if item else content_indent):
            keys.pop()
        if item and key == "id":
            if keys and keys[-1][1] == "controls":
                ident = unquote(value)
                while stack and stack[-1][0] >= indent:
                    stack.pop()
                out.append((ident, stack[-1][1] if stack else None))
                stack.append((indent, ident))
        if value in ("|", "|-", "|+", ">", ">-", ">+"):
            block = content_indent
        elif value == "":
            keys.append((content_indent, key))
    if not out:
        die("%s: no controls found" % where)
    return out


def pci_from_cac(snapshot):
    rel = "controls/pcidss_4.yml"
    text = snapshot.read(rel)
    if text is None:
        die("%s: %s not found in %s" % (snapshot.name, rel, snapshot.path))
    controls_dir = re.search(r"^controls_dir:\s*(\S+)\s*$", text, re.M)
    entries = []
    if controls_dir:
        # Split form: the policy file names a directory of files, each with its own 'controls:' list.
        sub = "controls/" + unquote(controls_dir.group(1))
        natural = lambda p: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", p)]
        files = sorted((p for p in snapshot.list(sub) if p.endswith((".yml", ".yaml"))), key=natural)
        if not files:
            die("%s: %s names controls_dir %s, which holds no .yml files" % (snapshot.name, rel, sub))
        for path in files:
            entries += cac_controls(snapshot.read(path), path)
        rel = rel + " + " + sub + "/*.yml"
    else:
        entries = cac_controls(text, rel)

    seen, controls = set(), []
    for ident, parent in entries:
        if not PCI_ID.match(ident) or "." not in ident:
            die("%s: unexpected PCI DSS control id %r" % (rel, ident))
        expected_parent = ident.rsplit(".", 1)[0]
        if parent is None:
            parent = expected_parent  # a top-level section (1.2): its principal requirement (1)
        if parent != expected_parent:
            die("%s: control %s is nested under %s, expected %s" % (rel, ident, parent, expected_parent))
        if ident in seen:
            die("%s: control %s is listed twice" % (rel, ident))
        principal = ident.split(".")[0]
        if principal not in seen:
            # The source has no entry for the principal requirements (1-12) or the appendices (A1-A3).
            seen.add(principal)
            controls.append((principal, None))
        seen.add(ident)
        controls.append((ident, parent))
    missing = [p for p in PCI_PRINCIPAL if p not in seen]
    if missing:
        die("%s: principal requirements missing: %s" % (rel, ", ".join(missing)))
    for ident, parent in controls:
        if parent is not None and parent not in seen:
            die("%s: control %s has parent %s, which is not defined" % (rel, ident, parent))
    return controls, rel


def check_oscal(snapshot, pci_ids):
    text = snapshot.read("catalogs/pcidss_4/catalog.json")
    if text is None:
        die("%s: catalogs/pcidss_4/catalog.json not found" % snapshot.name)
    catalog = json.loads(text)["catalog"]
    labels = []

    def walk(node):
        for control in node.get("controls", []):
            for prop in control.get("props", []):
                if prop.get("name") == "label":
                    labels.append(prop["value"])
            walk(control)
        for group in node.get("groups", []):
            walk(group)

    walk(catalog)
    unknown = sorted(set(labels) - set(pci_ids))
    if unknown:
        die("oscal-content labels PCI DSS controls the CaC source lacks: %s" % ", ".join(unknown))
    groups = len(catalog.get("groups", []))
    if groups != len(PCI_PRINCIPAL):
        die("oscal-content has %d top-level groups, expected %d (1-12, A1-A3)" % (groups, len(PCI_PRINCIPAL)))
    print("oscal-content cross-check: %d labelled controls, all in the source; %d groups" % (len(labels), groups))


def soc2_structure():
    controls = []
    for group, count, category in SOC2_STRUCTURE:
        for n in range(1, count + 1):
            controls.append(("%s.%d" % (group, n), group, category))
    return controls


def check_prowler(snapshot, soc2_ids):
    rel = "prowler/compliance/aws/soc2_aws.json"
    text = snapshot.read(rel)
    if text is None:
        die("%s: %s not found" % (snapshot.name, rel))
    named = []
    for requirement in json.loads(text)["Requirements"]:
        m = re.match(r"^((?:CC|PI|A|C|P)[0-9]+\.[0-9]+)\b", requirement.get("Name", ""))
        if not m:
            die("%s: cannot read a criterion id from requirement %s" % (rel, requirement.get("Id")))
        named.append(m.group(1))
    unknown = sorted(set(named) - set(soc2_ids))
    if unknown:
        die("%s names SOC 2 criteria the structure lacks: %s" % (rel, ", ".join(unknown)))
    print("prowler cross-check: %d criteria named, all in the 61-criterion structure" % len(set(named)))
    return rel, len(set(named))


# ---------------------------------------------------------------- our own files

def read_titles(framework):
    path = os.path.join(TITLES, framework + ".tsv")
    titles = {}
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
                die("%s:%d: expected ID<TAB>title" % (path, number))
            ident, title = parts[0].strip(), parts[1].strip()
            if ident in titles:
                die("%s:%d: %s has two titles" % (path, number, ident))
            titles[ident] = title
    return titles, path


def parse_scalar(value, where):
    value = value.strip()
    if value.startswith('"') or value.startswith("["):
        try:
            return json.loads(value)  # our double-quoted strings and flow lists of them are JSON
        except ValueError:
            die("%s: cannot read %s" % (where, value))
    if value.startswith("'"):
        return value[1:-1].replace("''", "'")
    return value


def read_current(framework):
    """The controls of the current governance file: id -> {key: value}, for the keys we carry over."""
    path = os.path.join(GOVERNANCE, framework + ".yaml")
    if not os.path.exists(path):
        return {}
    current, control, in_controls = {}, None, False
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            where = "%s:%d" % (path, number)
            if line.startswith("controls:"):
                in_controls = True
                continue
            if not in_controls or not line.strip() or line.lstrip().startswith("#"):
                continue
            m = re.match(r"^  - ([a-z_]+):\s?(.*)$", line.rstrip("\n"))
            if m:
                if m.group(1) != "id":
                    die("%s: expected a control to start with 'id'" % where)
                ident = parse_scalar(m.group(2), where)
                if ident in current:
                    die("%s: %s listed twice" % (where, ident))
                control = current[ident] = {}
                continue
            m = re.match(r"^    ([a-z_]+):\s?(.*)$", line.rstrip("\n"))
            if not m or control is None:
                die("%s: unexpected line (this reader knows only the files this script writes)" % where)
            control[m.group(1)] = parse_scalar(m.group(2), where)
    return current


def quote(value):
    out = []
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20:
            out.append("\\x%02x" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def render(value):
    if isinstance(value, list):
        return "[" + ", ".join(quote(str(v)) for v in value) + "]"
    return quote(str(value))


def build(framework, source_controls, header, framework_block):
    """source_controls: [(id, {parent, category...})] in document order. Returns (path, text, count)."""
    titles, titles_path = read_titles(framework)
    current = read_current(framework)
    ids = [ident for ident, _ in source_controls]
    untitled = [i for i in ids if i not in titles]
    if untitled:
        die("%s: no title for %d source control(s): %s" % (titles_path, len(untitled), ", ".join(untitled)))
    stray = [i for i in titles if i not in set(ids)]
    if stray:
        die("%s: titles for control(s) the source does not define: %s" % (titles_path, ", ".join(stray)))
    dropped = [i for i in current if i not in set(ids)]
    if dropped:
        die("governance/%s.yaml: control(s) not in the source would be dropped: %s" % (framework, ", ".join(dropped)))

    lines = list(header) + list(framework_block) + ["controls:"]
    for ident, derived in source_controls:
        fields = {"id": ident}
        fields.update({k: v for k, v in derived.items() if v is not None})
        old = current.get(ident, {})
        if "parent" in old and old["parent"] != fields.get("parent"):
            die("governance/%s.yaml: %s has parent %s, the source says %s" % (framework, ident, old["parent"], fields.get("parent")))
        for key, value in old.items():
            if key not in ("id", "title", "parent"):
                fields[key] = value  # our notes on the controls our checks cite
        fields["title"] = titles[ident]
        keys = [k for k in FIELD_ORDER if k in fields] + sorted(k for k in fields if k not in FIELD_ORDER)
        for n, key in enumerate(keys):
            lines.append(("  - " if n == 0 else "    ") + key + ": " + render(fields[key]))
    return os.path.join(GOVERNANCE, framework + ".yaml"), "\n".join(lines) + "\n", len(source_controls)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cac", required=True, help="checkout or git directory of ComplianceAsCode/content")
    parser.add_argument("--prowler", help="checkout or git directory of prowler-cloud/prowler (SOC 2 cross-check)")
    parser.add_argument("--oscal", help="checkout or git directory of ComplianceAsCode/oscal-content (PCI cross-check)")
    args = parser.parse_args()

    cac = Snapshot(args.cac, "--cac")
    cac_commit = cac.commit()
    pci, pci_rel = pci_from_cac(cac)
    pci_ids = [i for i, _ in pci]
    if args.oscal:
        check_oscal(Snapshot(args.oscal, "--oscal"), pci_ids)

    soc2 = soc2_structure()
    soc2_source = "AICPA TSC 2017 (points of focus revised 2022); the 61 criterion IDs of its published structure"
    if args.prowler:
        prowler = Snapshot(args.prowler, "--prowler")
        prowler_commit = prowler.commit()
        rel, count = check_prowler(prowler, [i for i, _, _ in soc2])
        soc2_source += ", cross-checked against prowler-cloud/prowler@%s %s (%d of them)" % (prowler_commit[:12], rel, count)

    outputs = []
    outputs.append(build("pci-dss", [(i, {"parent": p}) for i, p in pci], [
        "# GENERATED by %s from ComplianceAsCode/content@%s %s; do not edit." % (SCRIPT, cac_commit, pci_rel),
        "# yaml-language-server: $schema=../schemas/governance.schema.json",
        "# Titles are short paraphrases in our own words; the standard's text is PCI SSC's.",
        "# IDs and hierarchy are the source's (appendices A1-A3 included, and its numbering A3.3.1.2); the entries",
        "# for the principal requirements 1-12 and the appendix headings A1-A3 are not in the source: they are",
        "# derived from the hierarchy. Fields other than id, parent and title are carried over from this file.",
    ], [
        "schema: 1",
        "framework:",
        "  id: pci-dss",
        "  aliases: [pci, pcidss]",
        "  name: PCI DSS",
        "  publisher: PCI SSC",
        "  version: 4.0.1",
        "  source: " + quote("PCI DSS v4.0.1 (June 2024); IDs from ComplianceAsCode/content@%s %s" % (cac_commit[:12], pci_rel)),
    ]))
    outputs.append(build("soc2", [(i, {"parent": g, "category": c}) for i, g, c in soc2], [
        "# GENERATED by %s (the criteria's published structure%s); do not edit." % (
            SCRIPT, ", cross-checked against prowler-cloud/prowler@%s" % prowler_commit if args.prowler else ""),
        "# yaml-language-server: $schema=../schemas/governance.schema.json",
        "# Titles are short paraphrases in our own words; the criteria's text is AICPA's.",
        "# The 61 criterion IDs are the published TSC 2017 structure, kept in the script (no complete machine-readable",
        "# public source was found; prowler's SOC 2 mapping, a subset, cross-checks them).",
        "# Fields other than id, parent, category and title are carried over from this file.",
    ], [
        "schema: 1",
        "framework:",
        "  id: soc2",
        "  aliases: [soc-2, tsc]",
        "  name: SOC 2 Trust Services Criteria",
        "  publisher: AICPA",
        "  version: TSC 2017 (points of focus revised 2022)",
        "  source: " + quote(soc2_source),
    ]))
    # Write only once both frameworks built without error.
    for path, text, count in outputs:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        print("wrote %s: %d controls" % (os.path.relpath(path, ROOT), count))


if __name__ == "__main__":
    main()
