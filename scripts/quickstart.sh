#!/usr/bin/env bash
# Installs what is missing, builds the consentric command, and runs the quickstart on the
# embedded store (SQLite) in build/quickstart.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target consentric
build/consentric quickstart build/quickstart --replace
