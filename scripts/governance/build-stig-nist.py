#!/usr/bin/env python3
"""A maintainer's tool, not part of the build or the tests: nothing in the build or the test suite runs it, and
the files it writes are committed. Run it by hand when DISA or NIST publish a new release, then review the diff.

Writes
  governance/stig.yaml         every rule of the DISA documents below (ASD STIG, GPOS SRG, RHEL 9 STIG,
                               Ubuntu 22.04 STIG), DISA titles verbatim, with each rule's CCIs and the
                               NIST SP 800-53 controls those CCIs map to, as nist-800-53.yaml control ids;
  governance/nist-800-53.yaml  every non-withdrawn NIST SP 800-53 rev. 5 control and control enhancement,
                               plus the 20 families, from NIST's OSCAL catalog.

    scripts/governance/build-stig-nist.py --cac DIR --mitre DIR --oscal DIR [--os-stigs all|cited]

Each DIR is a git directory (bare mirror or .git) or a checkout of, in turn, ComplianceAsCode/content,
mitre/inspec-profile-update-action and usnistgov/oscal-content; files are read from its HEAD with `git show`.
If the HEAD blob of the OSCAL catalog is absent (a partial mirror that drops large files), the newest commit
whose blob is readable is used, with a warning; the commit used is named in the output, and the titles of the
controls HEAD's resolved baseline catalogs (LOW, MODERATE, HIGH, PRIVACY) carry are taken from those.
--os-stigs cited keeps, of the RHEL 9 and Ubuntu STIGs, only the rules checks/, docs/ or Tests/ name (and any
entry carrying hand-kept fields); the framework's version then says so. The default is all.

CCI -> 800-53: the 'NIST SP 800-53 Revision 5' reference of disa-cci-list.xml where the CCI has one, else the
'Revision 4' one. The index ('IA-5 (2) (a) (1)', 'AU-3 d') is cut to its control or enhancement ('IA-5(2)',
'AU-3'); one that names a control withdrawn in rev. 5 is replaced by the control(s) NIST says it was
incorporated into or moved to.

The current governance/stig.yaml (and nist-800-53.yaml) is read first: fields an entry carries beyond the
generated ones (strength, notes, status, ...) are carried forward verbatim. Output is deterministic.

Last run against:
  ComplianceAsCode/content@b3a2cca9352cbcefb7f00d770bfd6f679da18d6a
  mitre/inspec-profile-update-action@f2c0eb037cdc6cda2b718c3eaa561a870575f776
  usnistgov/oscal-content@88bb8deeaa815f8914d68ea7e31a622ebbc1719d (HEAD; its rev5 catalog blob was absent
    from the mirror, so the catalog was read at a849dbca4649e0cc626fefdd46cf5232c8308f4c, version 5.0.1, with 7
    titles from HEAD's 5.1.1+u4 baselines; 5.1.1's IA-13 and IA-13(1)-(3) are therefore missing)
"""

import argparse
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
GOV = os.path.join(ROOT, "governance")
SCRIPT = "scripts/governance/build-stig-nist.py"

XCCDF = "{http://checklists.nist.gov/xccdf/1.1}"
CCI_NS = "{http://iase.disa.mil/cci}"

# (source label, repo key, path, expected "V<version>R<release>", document kind for 'version')
DOCUMENTS = [
    ("ASD V6R1", "mitre", "benchmarks/DISA/U_ASD_STIG_V6R1_Manual-xccdf.xml", "V6R1", "ASD STIG"),
    ("GPOS SRG V3R2", "cac", "shared/references/disa-os-srg-v3r2.xml", "V3R2", "GPOS SRG"),
    ("RHEL 9 V2R9", "cac", "shared/references/disa-stig-rhel9-v2r9-xccdf-manual.xml", "V2R9", "RHEL 9 STIG"),
    ("Ubuntu 22.04 V2R8", "cac", "shared/references/disa-stig-ubuntu2204-v2r8-xccdf-manual.xml", "V2R8", "Ubuntu 22.04 STIG"),
]
OS_STIGS = {"RHEL 9 V2R9", "Ubuntu 22.04 V2R8"}
CCI_PATH = "shared/references/disa-cci-list.xml"
OSCAL_PATH = "nist.gov/SP800-53/rev5/json/NIST_SP-800-53_rev5_catalog.json"
REPO_NAMES = {"cac": "ComplianceAsCode/content", "mitre": "mitre/inspec-profile-update-action", "oscal": "usnistgov/oscal-content"}

STIG_KEYS = ["id", "source", "stig_id", "rule_id", "severity", "srg", "cci", "nist", "title"]
NIST_KEYS = ["id", "parent", "title", "oscal_id"]


def warn(message):
    print("build-stig-nist: " + message, file=sys.stderr)


class Repo:
    def __init__(self, key, path):
        self.key = key
        self.name = REPO_NAMES[key]
        self.git_dir = os.path.join(path, ".git") if os.path.exists(os.path.join(path, ".git")) else path
        self.head = self.git("rev-parse", "HEAD").decode().strip()

    def git(self, *args):
        return subprocess.run(["git", "--git-dir=" + self.git_dir] + list(args), check=True, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL).stdout

    def show(self, path, commit=None):
        return self.git("show", (commit or self.head) + ":" + path)

    def show_newest(self, path):
        """The blob at HEAD, else at the newest commit that has it readable: (bytes, commit)."""
        try:
            return self.show(path), self.head
        except subprocess.CalledProcessError:
            pass
        for commit in self.git("log", "--format=%H", "HEAD", "--", path).decode().split():
            try:
                data = self.show(path, commit)
                warn("%s:%s is unreadable at HEAD %s; using commit %s" % (self.name, path, self.head[:7], commit[:7]))
                return data, commit
            except subprocess.CalledProcessError:
                continue
        sys.exit("build-stig-nist: %s:%s is not readable at any commit" % (self.name, path))

    def at(self, commit=None):
        return "%s@%s" % (self.name, (commit or self.head)[:7])


def quote(value):
    out = value.replace("\\", "\\\\").replace('"', '\\"')
    out = out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return '"' + out + '"'


def flow(values):
    return "[" + ", ".join(quote(v) for v in values) + "]"


def read_existing(path):
    """id -> [(key, raw value text)] of the entries of an existing governance file, in order."""
    entries = {}
    if not os.path.exists(path):
        return entries
    current = None
    in_controls = False
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("controls:"):
            in_controls = True
            continue
        if not in_controls or not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.match(r"^  - ([A-Za-z_]+): ?(.*)$", line)
        if m:
            current = []
            entries[unquote(m.group(2))] = current
            current.append((m.group(1), m.group(2)))
            continue
        m = re.match(r"^    ([A-Za-z_]+): ?(.*)$", line)
        if m and current is not None:
            current.append((m.group(1), m.group(2)))
        elif current is not None:
            sys.exit("build-stig-nist: cannot carry forward %s: unexpected line %r" % (path, line))
    return entries


def unquote(raw):
    raw = raw.strip()
    if raw.startswith('"') and raw.endswith('"'):
        return raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return raw


def extras(existing, key, generated):
    return [(k, v) for (k, v) in existing.get(key, []) if k not in generated]


# ---------------------------------------------------------------- NIST SP 800-53 (OSCAL)

def props(node):
    return {p["name"]: p.get("value") for p in node.get("props", [])}


BASELINES = ["nist.gov/SP800-53/rev5/json/NIST_SP-800-53_rev5_%s-baseline-resolved-profile_catalog-min.json" % b
             for b in ("LOW", "MODERATE", "HIGH", "PRIVACY")]


def label_of_control(control):
    """'AC-2(1)' for an OSCAL control (its plain label prop, zero padding removed)."""
    labels = [p["value"] for p in control.get("props", []) if p["name"] == "label" and "class" not in p]
    label = labels[0] if labels else control["id"].upper()
    label = re.sub(r"\((0*)(\d+)\)", r"(\2)", label)
    return re.sub(r"-0*(\d)", r"-\1", label)


def baseline_titles(repo):
    """label -> title from the resolved baseline catalogs at HEAD, and their metadata version."""
    titles, version = {}, ""

    def walk(controls):
        for control in controls:
            titles[label_of_control(control)] = control["title"]
            walk(control.get("controls", []))

    for path in BASELINES:
        catalog = json.loads(repo.show(path).decode("utf-8"))["catalog"]
        version = catalog["metadata"].get("version", "")
        for group in catalog["groups"]:
            walk(group.get("controls", []))
    return titles, version


def load_oscal(repo):
    data, commit = repo.show_newest(OSCAL_PATH)
    catalog = json.loads(data.decode("utf-8"))["catalog"]
    meta = catalog["metadata"]
    families = []       # (family label, title, [(label, parent label, title, oscal id)])
    withdrawn = {}      # label -> [oscal ids it went to]
    label_of = {}       # oscal id -> label, every control incl. withdrawn
    count_withdrawn = 0

    def walk(controls, parent, out):
        nonlocal count_withdrawn
        for control in controls:
            p = props(control)
            label = label_of_control(control)
            label_of[control["id"]] = label
            if p.get("status") == "withdrawn":
                count_withdrawn += 1
                withdrawn[label] = [l["href"].lstrip("#").split("_")[0] for l in control.get("links", [])
                                    if l.get("rel") in ("incorporated-into", "moved-to")]
            else:
                out.append((label, parent, control["title"], control["id"]))
            walk(control.get("controls", []), label, out)

    for group in catalog["groups"]:
        family = group["id"].upper()
        out = []
        walk(group.get("controls", []), family, out)
        families.append((family, group["title"], out))
    # withdrawn targets as labels
    withdrawn = {k: [label_of[t] for t in v if t in label_of] for k, v in withdrawn.items()}
    overlay = None
    if commit != repo.head:
        # An older full catalog: take the titles of the controls HEAD's resolved baselines carry from those
        # (newer release; fixes the older catalog's capitalisation slips such as 'Establish Scrm Team').
        titles, version = baseline_titles(repo)
        changed = 0
        for i, (family, ftitle, controls) in enumerate(families):
            for j, (label, parent, title, oscal_id) in enumerate(controls):
                if label in titles and titles[label] != title:
                    controls[j] = (label, parent, titles[label], oscal_id)
                    changed += 1
                    warn("title of %s: %r -> %r (baselines %s)" % (label, title, titles[label], version))
        overlay = (version, changed)
    return {"meta": meta, "commit": commit, "families": families, "withdrawn": withdrawn,
            "count_withdrawn": count_withdrawn, "overlay": overlay}


def write_nist(oscal, repo, path):
    meta = oscal["meta"]
    existing = read_existing(path)
    version = meta.get("version", "")
    source = "%s: OSCAL catalog version %s (last-modified %s, OSCAL %s), %s %s" % (
        quote_free(meta.get("title", "")), version, meta.get("last-modified", "")[:10], meta.get("oscal-version", ""),
        repo.at(oscal["commit"]), OSCAL_PATH)
    if oscal["overlay"]:
        source += ("; the catalog blob at %s is not in the snapshot read, so this is the newest readable one; titles"
                   " of controls in the %s resolved baseline catalogs at %s taken from those (%d differed)" % (
                       repo.at(), oscal["overlay"][0], repo.at(), oscal["overlay"][1]))
    n_controls = sum(1 for _, _, cs in oscal["families"] for c in cs if "(" not in c[0])
    n_enh = sum(1 for _, _, cs in oscal["families"] for c in cs if "(" in c[0])
    lines = [
        "# GENERATED by %s from %s; do not edit." % (
            SCRIPT, repo.at(oscal["commit"]) + " " + OSCAL_PATH + (" and " + repo.at() + " baselines" if oscal["overlay"] else "")),
        "# yaml-language-server: $schema=../schemas/governance.schema.json",
        "# %d families, %d controls, %d control enhancements; the %d withdrawn controls and enhancements are left out."
        % (len(oscal["families"]), n_controls, n_enh, oscal["count_withdrawn"]),
        "schema: 1",
        "framework:",
        "  id: " + quote("nist-800-53"),
        "  aliases: " + flow(["nist", "800-53", "sp800-53"]),
        "  name: " + quote("NIST SP 800-53"),
        "  publisher: " + quote("NIST"),
        "  version: " + quote(version),
        "  source: " + quote(source),
        "controls:",
    ]
    for family, title, controls in oscal["families"]:
        lines.append("  - id: " + quote(family))
        lines.append("    title: " + quote(title))
        lines += ["    %s: %s" % kv for kv in extras(existing, family, NIST_KEYS)]
        for label, parent, ctitle, oscal_id in controls:
            lines.append("  - id: " + quote(label))
            lines.append("    parent: " + quote(parent))
            lines.append("    title: " + quote(ctitle))
            lines.append("    oscal_id: " + quote(oscal_id))
            lines += ["    %s: %s" % kv for kv in extras(existing, label, NIST_KEYS)]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def quote_free(text):
    return text.replace('"', "'")


# ---------------------------------------------------------------- CCI list

def load_cci(repo):
    root = ET.fromstring(repo.show(CCI_PATH))
    meta = root.find(CCI_NS + "metadata")
    version = meta.findtext(CCI_NS + "version") if meta is not None else ""
    mapping = {}
    stats = {"rev5": 0, "rev4": 0, "none": 0}
    for item in root.iter(CCI_NS + "cci_item"):
        refs = item.findall(CCI_NS + "references/" + CCI_NS + "reference")
        rev5 = [r.get("index") for r in refs if r.get("title") == "NIST SP 800-53 Revision 5"]
        rev4 = [r.get("index") for r in refs if r.get("title") == "NIST SP 800-53 Revision 4"]
        if rev5:
            mapping[item.get("id")] = ("5", rev5)
        elif rev4:
            mapping[item.get("id")] = ("4", rev4)
    return version, mapping


INDEX = re.compile(r"^([A-Z]{2})-(\d+)(?:\s*\((\d+)\))?")


def control_of(index):
    m = INDEX.match(index.strip())
    if not m:
        return None
    return "%s-%s" % (m.group(1), m.group(2)) + ("(%s)" % m.group(3) if m.group(3) else "")


# ---------------------------------------------------------------- STIG documents

def load_xccdf(data, label, expect):
    root = ET.fromstring(data)
    version = root.findtext(XCCDF + "version")
    release_info = next((p.text for p in root.findall(XCCDF + "plain-text") if p.get("id") == "release-info"), "")
    m = re.search(r"Release: (\d+)", release_info or "")
    vr = "V%sR%s" % (version, m.group(1) if m else "?")
    if vr != expect:
        sys.exit("build-stig-nist: %s is %s, expected %s; update DOCUMENTS" % (label, vr, expect))
    date = re.search(r"Benchmark Date: (.*)$", release_info or "")
    rules = []
    for group in root.findall(XCCDF + "Group"):
        for rule in group.findall(XCCDF + "Rule"):
            rules.append({
                "id": group.get("id"),
                "stig_id": rule.findtext(XCCDF + "version"),
                "rule_id": rule.get("id"),
                "severity": rule.get("severity"),
                "srg": group.findtext(XCCDF + "title"),
                "cci": [i.text for i in rule.findall(XCCDF + "ident") if (i.text or "").startswith("CCI-")],
                "title": (rule.findtext(XCCDF + "title") or "").strip(),
            })
    return {"title": root.findtext(XCCDF + "title"), "vr": vr, "date": date.group(1).strip() if date else "",
            "rules": rules}


def cited_ids(existing):
    """V-IDs that checks/, docs/ or Tests/ name, and entries of the current file that carry extra fields."""
    ids = {vid for vid, fields in existing.items() if extras(existing, vid, STIG_KEYS)}
    for top in ("checks", "docs", "Tests"):
        for base, _, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                with open(os.path.join(base, name), encoding="utf-8", errors="replace") as f:
                    ids.update(re.findall(r"\bV-\d+\b", f.read()))
    return ids


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cac", required=True)
    ap.add_argument("--mitre", required=True)
    ap.add_argument("--oscal", required=True)
    ap.add_argument("--os-stigs", choices=["all", "cited"], default="all")
    args = ap.parse_args()
    repos = {"cac": Repo("cac", args.cac), "mitre": Repo("mitre", args.mitre), "oscal": Repo("oscal", args.oscal)}

    oscal = load_oscal(repos["oscal"])
    nist_ids = {f for f, _, _ in oscal["families"]} | {c[0] for _, _, cs in oscal["families"] for c in cs}
    write_nist(oscal, repos["oscal"], os.path.join(GOV, "nist-800-53.yaml"))

    cci_version, cci_map = load_cci(repos["cac"])
    stig_path = os.path.join(GOV, "stig.yaml")
    existing = read_existing(stig_path)
    keep = cited_ids(existing) if args.os_stigs == "cited" else None

    report = {"withdrawn": {}, "unmapped_cci": set(), "rev4": set(), "dropped_enh": {}, "duplicates": []}

    def nist_for(ccis):
        out = []
        for cci in ccis:
            if cci not in cci_map:
                report["unmapped_cci"].add(cci)
                continue
            rev, indexes = cci_map[cci]
            if rev == "4":
                report["rev4"].add(cci)
            for index in indexes:
                control = control_of(index)
                if control is None:
                    sys.exit("build-stig-nist: %s: cannot read 800-53 index %r" % (cci, index))
                targets = [control]
                if control in oscal["withdrawn"]:
                    targets = oscal["withdrawn"][control]
                    report["withdrawn"].setdefault(control, (targets, set()))[1].add(cci)
                elif control not in nist_ids:
                    base = control.split("(")[0]
                    report["dropped_enh"].setdefault(control, set()).add(cci)
                    targets = [base]
                for t in targets:
                    if t not in nist_ids:
                        sys.exit("build-stig-nist: %s -> %s is not in the 800-53 catalog" % (cci, t))
                    if t not in out:
                        out.append(t)
        return out

    docs = []
    seen = {}
    entries = []
    for label, key, path, expect, kind in DOCUMENTS:
        repo = repos[key]
        doc = load_xccdf(repo.show(path), label, expect)
        doc.update(label=label, kind=kind, at=repo.at(), path=path, written=0)
        docs.append(doc)
        for rule in doc["rules"]:
            if rule["id"] in seen:
                report["duplicates"].append((rule["id"], seen[rule["id"]], label))
                continue
            if keep is not None and label in OS_STIGS and rule["id"] not in keep:
                continue
            seen[rule["id"]] = label
            rule["source"] = label
            rule["nist"] = nist_for(rule["cci"])
            entries.append(rule)
            doc["written"] += 1

    gone = sorted(set(existing) - set(seen))
    if gone:
        warn("entries of the current stig.yaml no longer in any document (dropped): " + ", ".join(gone))

    partial = keep is not None
    version = " + ".join("%s %s" % (d["kind"], d["vr"]) + (" (cited rules only)" if partial and d["label"] in OS_STIGS else "")
                         for d in docs)
    source = "; ".join("%s %s (%s, benchmark date %s) from %s %s" % (d["title"], d["vr"], d["label"], d["date"], d["at"], d["path"])
                       for d in docs)
    source += "; CCI list %s from %s %s, 800-53 rev. 5 mapping (rev. 4 where a CCI has no rev. 5 mapping)" % (
        cci_version, repos["cac"].at(), CCI_PATH)
    counts = ", ".join("%s %d" % (d["label"], d["written"]) for d in docs)
    froms = ", ".join(sorted({d["at"] for d in docs} | {repos["cac"].at()}))
    lines = [
        "# GENERATED by %s from %s; do not edit." % (SCRIPT, froms),
        "# yaml-language-server: $schema=../schemas/governance.schema.json",
        "# Rules: %s. nist: nist-800-53.yaml control ids of the rules' CCIs." % counts,
        "schema: 1",
        "framework:",
        "  id: " + quote("stig"),
        "  aliases: " + flow(["disa-stig"]),
        "  name: " + quote("DISA STIG / SRG"),
        "  publisher: " + quote("DISA"),
        "  version: " + quote(version),
        "  source: " + quote(source),
        "  severity_scale: {high: %s, medium: %s, low: %s}" % (quote("CAT I"), quote("CAT II"), quote("CAT III")),
        "controls:",
    ]
    for e in entries:
        lines.append("  - id: " + quote(e["id"]))
        for k in ["source", "stig_id", "rule_id", "severity", "srg"]:
            lines.append("    %s: %s" % (k, quote(e[k])))
        lines.append("    cci: " + flow(e["cci"]))
        lines.append("    nist: " + flow(e["nist"]))
        lines.append("    title: " + quote(e["title"]))
        lines += ["    %s: %s" % kv for kv in extras(existing, e["id"], STIG_KEYS)]
    with open(stig_path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")

    # summary on stderr for the maintainer
    for d in docs:
        warn("%s: %d rules in the document, %d written" % (d["label"], len(d["rules"]), d["written"]))
    for vid, first, second in report["duplicates"]:
        warn("%s is in %s and %s; kept the first" % (vid, first, second))
    for control, (targets, ccis) in sorted(report["withdrawn"].items()):
        warn("withdrawn %s (via %s) -> %s" % (control, ", ".join(sorted(ccis)), ", ".join(targets)))
    for control, ccis in sorted(report["dropped_enh"].items()):
        warn("%s (via %s) is not in the catalog; used its base control" % (control, ", ".join(sorted(ccis))))
    if report["unmapped_cci"]:
        warn("CCIs without an 800-53 mapping: " + ", ".join(sorted(report["unmapped_cci"])))
    if report["rev4"]:
        warn("CCIs mapped by rev. 4 (no rev. 5 reference): " + ", ".join(sorted(report["rev4"])))


if __name__ == "__main__":
    main()
