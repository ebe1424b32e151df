#!/usr/bin/env python3
"""Tests scripts/check-layers.py on small made-up trees: an analytics module that reaches the
store (directly, through another module, or by an include) is refused; one that uses only
gate/purpose_view.h passes."""
import pathlib
import shutil
import subprocess
import sys
import tempfile

script = pathlib.Path(__file__).resolve().parent / "check-layers.py"


def tree(modules):
    """modules: name -> (deps, {file: text})"""
    root = pathlib.Path(tempfile.mkdtemp())
    for name, (deps, files) in modules.items():
        d = root / "src" / name
        d.mkdir(parents=True)
        dep_text = " ".join(f"consentric::{x}" for x in deps)
        (d / "CMakeLists.txt").write_text(
            f"consentric_module(NAME {name}\n  SRCS a.cc\n  DEPS {dep_text})\n")
        for f, text in files.items():
            (d / f).write_text(text)
    return root


def check(root):
    try:
        r = subprocess.run([sys.executable, str(script), "--root", str(root)],
                           capture_output=True, text=True)
        return r.returncode, r.stdout
    finally:
        shutil.rmtree(root)


base = {
    "core": ([], {"a.cc": ""}),
    "store": (["core"], {"a.cc": '#include "core/a.h"\n'}),
    "gate": (["core", "store"], {"a.cc": '#include "store/store.h"\n'}),
}
failures = []

ok_tree = dict(base, segment=(["core", "purpose_view"], {"a.cc": '#include "gate/purpose_view.h"\n'}))
code, out = check(tree(ok_tree))
if code != 0:
    failures.append(f"a module using only gate/purpose_view.h was refused:\n{out}")

for label, segment in [
    ("depends on the gate library", (["core", "gate"], {"a.cc": ""})),
    ("depends on the store", (["core", "store"], {"a.cc": ""})),
    ("includes a store header", (["core", "purpose_view"], {"a.cc": '#include "store/store.h"\n'})),
    ("includes gate/gate.h", (["core", "purpose_view"], {"a.cc": '#include "gate/gate.h"\n'})),
]:
    code, out = check(tree(dict(base, segment=segment)))
    if code != 1 or "analytics module segment" not in out:
        failures.append(f"an analytics module that {label} passed:\n{out}")

for f in failures:
    print(f)
print(f"check_layers_test: {len(failures)} failures")
sys.exit(1 if failures else 0)
