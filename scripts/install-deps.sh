#!/usr/bin/env bash
# Installs what building and testing aishell needs, idempotently, by package name.
# Usage: scripts/install-deps.sh [build|test|bench]   (test and bench include build)
set -euo pipefail
what="${1:-build}"

APT_BUILD=(g++ cmake ninja-build pkg-config ccache libfmt-dev libre2-dev libxxhash-dev
  libedit-dev libsimdjson-dev libsqlite3-dev libgtest-dev sqlite3 libpq-dev libhiredis-dev)
# Parquet page codecs.
APT_BUILD+=(libsnappy-dev zlib1g-dev libzstd-dev liblz4-dev libbrotli-dev)
# Formatting check (CONTRIBUTING.md).
APT_BUILD+=(clang-format)
APT_TEST=(python3-pip postgresql-15 redis-server redis-tools)
PIP_TEST=(duckdb pyarrow pytest pytest-xdist)

missing=()
pkgs=("${APT_BUILD[@]}")
if [[ "$what" != build ]]; then pkgs+=("${APT_TEST[@]}"); fi
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ "$what" != build ]]; then
  need=()
  for p in "${PIP_TEST[@]}"; do
    python3 -c "import importlib.util,sys; sys.exit(0 if importlib.util.find_spec('${p//-/_}') else 1)" 2>/dev/null || need+=("$p")
  done
  if ((${#need[@]})); then
    echo "installing Python packages: ${need[*]}"
    python3 -m pip install -q --disable-pip-version-check "${need[@]}"
  fi
fi
