#!/usr/bin/env bash
# Fails on any #include that goes up a layer. The layers under src/, lowest first (the order
# docs/architecture.md shows; this script also checks that the document still says so):
LAYERS=(common storage functions expr catalog formats connectors sql planner exec engine nl workflows server shell)
# A file may include headers of its own layer and of the layers below it. Test helpers
# (`<layer>/testing/`) are included only by tests: `*_test.cpp`, a test's own helper header beside
# it (`*_test_*.h`, e.g. postgres_test_server.h) and other test helpers. A test may also drive the
# public engine (`engine/`) to run SQL end to end; nothing else in a test goes up.
# Connectors are one layer, but each is its own build target: a connector includes only itself,
# the shared `connectors/remote_sql/`, and the layers below (checked too).
set -euo pipefail
# AISHELL_LAYERS_ROOT checks another tree (the script's own test does).
cd "${AISHELL_LAYERS_ROOT:-$(dirname "$0")/..}"

declare -A RANK
for i in "${!LAYERS[@]}"; do RANK[${LAYERS[$i]}]=$i; done

status=0
order="${LAYERS[*]}"
doc_order=$(sed -n 's/^Layer order (lowest first): `\(.*\)`\.\?$/\1/p' docs/architecture.md | tr -d '`' | sed 's/ *→ */ /g')
if [[ "$doc_order" != "$order" ]]; then
  echo "check-layers: docs/architecture.md says the layer order is '$doc_order', this script '$order'" >&2
  status=1
fi

for dir in src/*/; do
  layer=$(basename "$dir")
  if [[ -z "${RANK[$layer]+x}" ]]; then
    echo "check-layers: src/$layer is not in the layer order (add it to scripts/check-layers.sh and docs/architecture.md)" >&2
    status=1
  fi
done

# Every quoted include, as file:line:text (one grep over the tree).
while IFS= read -r hit; do
  file=${hit%%:*}
  rest_of_hit=${hit#*:}
  lineno=${rest_of_hit%%:*}
  line=${rest_of_hit#*:}
  layer=${file#src/}
  layer=${layer%%/*}
  [[ -n "${RANK[$layer]+x}" ]] || continue
  own=${RANK[$layer]}
  [[ $line =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]+\"([a-z_]+)/([^\"]*)\" ]] || continue
  target=${BASH_REMATCH[1]}
  rest=${BASH_REMATCH[2]}
  [[ -n "${RANK[$target]+x}" ]] || continue
  is_test=0
  [[ $file == *_test.cpp || $file == *_test_*.h || $file == */testing/* ]] && is_test=1
  if ((RANK[$target] > own)) && ! ((is_test)) || ((RANK[$target] > own)) && [[ $target != engine ]]; then
    echo "$file:$lineno: includes \"$target/$rest\": layer '$target' is above '$layer'"
    status=1
  fi
  if [[ $rest == testing/* || $rest == */testing/* ]] && ((!is_test)); then
    echo "$file:$lineno: includes test helper \"$target/$rest\" outside a test"
    status=1
  fi
  # Files directly in connectors/ (the registration of every connector) may include each one.
  if [[ $layer == connectors && $file == src/connectors/*/* && $target == connectors && $rest == */* ]]; then
    connector=${file#src/connectors/}
    connector=${connector%%/*}
    other=${rest%%/*}
    if [[ $other != "$connector" && $other != remote_sql ]]; then
      echo "$file:$lineno: includes \"$target/$rest\": connector '$connector' reaches into connector '$other'"
      status=1
    fi
  fi
done < <(find src \( -name '*.h' -o -name '*.cpp' \) -type f -print0 | sort -z |
  xargs -0 -r grep -Hn -E '^[[:space:]]*#[[:space:]]*include[[:space:]]+"' || true)

if ((status == 0)); then echo "check-layers: every include goes down (${#LAYERS[@]} layers)"; fi
exit $status
