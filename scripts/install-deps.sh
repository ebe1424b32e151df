#!/usr/bin/env bash
# Installs the Debian 12 packages consentric builds and tests with. Idempotent: packages that
# are already installed are skipped, and apt-get runs only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libsqlite3-dev sqlite3 libsodium-dev libsimdjson-dev nlohmann-json3-dev libyaml-cpp-dev
  libcli11-dev libfmt-dev libspdlog-dev libzip-dev
  libeigen3-dev libxgboost-dev
  libgtest-dev libgmock-dev
  clang-14 libclang-rt-14-dev
  python3
  # Benchmark peers only (bench/kmeans_peers.py); nothing we build links them.
  python3-numpy python3-sklearn python3-faiss libopenblas0-pthread
  # bench/scoring_peers.py
  python3-xgboost
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
