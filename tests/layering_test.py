#!/usr/bin/env python3
"""The include arrows of docs/DESIGN.md's layout: no folder includes one above it; data,
distributed, training and the schemes never include each other; only the CLI joins a process
group (includes distributed/); plugins see only what the SDK installs (core/, discretizations/).

Run from anywhere: tests/layering_test.py [SOURCE_DIR]; exits 1 naming each include that breaks
an arrow."""
import os
import re
import sys

ALLOWED = {
    "core": {"core"},
    "training": {"core", "training"},
    "data": {"core", "data"},
    "distributed": {"core", "distributed"},
    "discretizations": {"core", "discretizations"},
    "architectures": {"core", "discretizations", "architectures"},
    "experiments": {"core", "training", "data", "discretizations", "architectures", "experiments"},
    "analysis": {"core", "training", "data", "discretizations", "architectures", "analysis"},
    "cli": {"core", "training", "data", "distributed", "discretizations", "architectures", "experiments",
            "analysis", "cli"},
    "python": {"core", "training", "data", "discretizations", "architectures", "experiments", "analysis"},
    "examples": {"core", "discretizations"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/')


def violations(root):
    found = []
    for folder, allowed in ALLOWED.items():
        for directory, _, files in os.walk(os.path.join(root, folder)):
            for name in files:
                if not name.endswith((".h", ".cpp", ".def")):
                    continue
                path = os.path.join(directory, name)
                with open(path, encoding="utf-8") as f:
                    for number, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if m and m.group(1) in ALLOWED and m.group(1) not in allowed:
                            found.append(f"{os.path.relpath(path, root)}:{number}: {folder}/ includes "
                                         f"{m.group(1)}/ ({line.strip()})")
    return found


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    missing = [folder for folder in ALLOWED if not os.path.isdir(os.path.join(root, folder))]
    if missing:
        print(f"layering: no folder {', '.join(missing)} under {root}")
        return 1
    found = violations(root)
    for v in found:
        print(v)
    print(f"layering: {len(found)} include(s) against the arrows in {len(ALLOWED)} folders")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
