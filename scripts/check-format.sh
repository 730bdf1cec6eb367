#!/usr/bin/env bash
# Fails if any C++ file differs from what clang-format (.clang-format) makes of it.
# Fix with `make format`.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files 'src/*.cpp' 'src/*.h' 'test/*.cpp' 'test/*.h' 2>/dev/null || find src test -name '*.cpp' -o -name '*.h')
clang-format --dry-run --Werror "${files[@]}"
echo "format: ${#files[@]} files follow .clang-format"
