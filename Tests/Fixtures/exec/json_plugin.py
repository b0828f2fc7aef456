#!/usr/bin/env python3
"""A doctor plugin speaking the JSON protocol, written for the tests (not a copy of anything): reports the age
of a file in hours against thresholds, and echoes what it was given so the tests can see its environment.

Usage: json_plugin.py FILE [--raw TEXT]. With --raw it prints TEXT verbatim (for malformed-output tests)."""
import json
import os
import sys
import time

if len(sys.argv) > 2 and sys.argv[2] == "--raw":
    sys.stdout.write(sys.argv[3])
    sys.exit(int(os.environ.get("EXIT", "0")))
path = sys.argv[1]
try:
    age_hours = (time.time() - os.stat(path).st_mtime) / 3600
except FileNotFoundError:
    print(json.dumps({"status": "error", "message": f"{path} does not exist"}))
    sys.exit(0)
status = "pass" if age_hours < 24 else "warn" if age_hours < 26 else "fail"
print(json.dumps({
    "status": status,
    "message": f"{os.path.basename(path)} is {age_hours:.1f} h old",
    "observations": {
        "age_hours": round(age_hours, 3),
        "environment": sorted(os.environ),
        "arguments": sys.argv[1:],
        "cwd": os.getcwd(),
    },
}))
