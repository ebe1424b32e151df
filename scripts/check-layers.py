#!/usr/bin/env python3
"""Checks that every module includes only modules it declares as dependencies (STYLE.md:
"arrows point down the layers"; CMake alone cannot stop an upward include).

For each src/<module>/CMakeLists.txt, the DEPS of consentric_module() name the modules it may
use, transitively. Every `#include "<other>/..."` in the module's non-test sources must name
one of them.

The analytics layer (DESIGN.md: segment, score) and disclosure control read data only through
the purpose gate's PurposeView (invariant 1): they may not reach the store, its SQLite
implementation, the importer, the consent ledger or the key ring, directly or through another
module, and of the gate they may include only gate/purpose_view.h (header-only). Exits 1 and
lists each offending include or dependency otherwise."""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
if len(sys.argv) == 3 and sys.argv[1] == "--root":  # another tree (scripts/check_layers_test.py)
    root = pathlib.Path(sys.argv[2]).resolve()
src = root / "src"
modules = {p.parent.name: p for p in src.glob("*/CMakeLists.txt")}

deps = {}
for name, cmake in modules.items():
    text = cmake.read_text()
    m = re.search(r"consentric_module\((.*?)\)\s*$", text, re.S | re.M)
    block = m.group(1) if m else ""
    dep_part = re.search(r"\bDEPS\b(.*?)(\bTESTS\b|\bTEST_DEPS\b|$)", block, re.S)
    deps[name] = set(re.findall(r"consentric::(\w+)", dep_part.group(1))) if dep_part else set()

def reachable(name, seen=None):
    seen = set() if seen is None else seen
    for d in deps.get(name, ()):
        if d not in seen:
            seen.add(d)
            reachable(d, seen)
    return seen

problems = []
for name in modules:
    allowed = reachable(name) | {name}
    for f in sorted((src / name).glob("*")):
        if f.suffix not in (".h", ".cc") or f.stem.endswith("_test"):
            continue
        for lineno, line in enumerate(f.read_text().splitlines(), 1):
            inc = re.match(r'\s*#include\s+"(\w+)/([\w.]+)"', line)
            # consentric::purpose_view is the header-only part of the gate analytics may use.
            if inc and f"{inc.group(1)}/{inc.group(2)}" == "gate/purpose_view.h" \
                    and "purpose_view" in allowed:
                continue
            if inc and inc.group(1) in modules and inc.group(1) not in allowed and inc.group(1) != "testing":
                problems.append(f"{f.relative_to(root)}:{lineno}: includes {inc.group(1)}/, "
                                f"which module {name} does not declare in its DEPS")

ANALYTICS = {"segment", "score", "disclose"}
BEHIND_THE_GATE = {"store", "sqlite", "ingest", "consent", "crypto", "gate"}
for name in sorted(ANALYTICS & modules.keys()):
    for d in sorted(reachable(name) & BEHIND_THE_GATE):
        problems.append(f"src/{name}/CMakeLists.txt: analytics module {name} depends on {d} "
                        f"(directly or through another module); it may read data only through "
                        f"gate/purpose_view.h")
    for f in sorted((src / name).glob("*")):
        if f.suffix not in (".h", ".cc"):
            continue
        for lineno, line in enumerate(f.read_text().splitlines(), 1):
            inc = re.match(r'\s*#include\s+"((\w+)/[\w.]+)"', line)
            if not inc or inc.group(2) not in BEHIND_THE_GATE:
                continue
            if inc.group(1) == "gate/purpose_view.h":
                continue
            problems.append(f"{f.relative_to(root)}:{lineno}: analytics module {name} includes "
                            f"{inc.group(1)}; it may read data only through gate/purpose_view.h")

for p in problems:
    print(p)
print(f"check-layers: {len(modules)} modules, {len(problems)} undeclared includes")
sys.exit(1 if problems else 0)
