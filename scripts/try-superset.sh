#!/usr/bin/env bash
# Stretch check of issue 23: Apache Superset (PyPI apache-superset, in its own venv under
# $HOME/.cache, never the shared Python environment) connects to a running `aishell serve`
# through trino:// and runs a SQL Lab query and a chart-data query over its REST API.
# Usage: scripts/try-superset.sh http://127.0.0.1:PORT CATALOG 'SELECT ...'
# Prints each step and exits non-zero at the first one that fails. Not part of `make test`.
set -euo pipefail
server="${1:?aishell serve URL, e.g. http://127.0.0.1:8080}"
catalog="${2:?a catalog of that server, e.g. lake}"
sql="${3:-SELECT 1 AS x}"
venv="$HOME/.cache/aishell-superset-venv"
version="${SUPERSET_VERSION:-6.1.0}"
if [[ ! -x "$venv/bin/superset" ]]; then
  echo "superset: installing apache-superset $version into $venv (first time only)" >&2
  python3 -m venv "$venv"
  # rich and cachetools: imported by superset 6.1.0 (its command line, its Trino engine spec)
  # but not among its declared dependencies;
  # flask-caching 2.5 passes an argument its metastore cache does not take.
  "$venv/bin/pip" install -q "apache-superset==$version" trino rich cachetools "flask-caching==2.3.1"
fi
work="$(mktemp -d)"
echo "superset: work dir $work (SUPERSET_KEEP=1 keeps it)" >&2
port="${SUPERSET_PORT:-18088}"
cat > "$work/superset_config.py" <<PY
SECRET_KEY = "aishell-try-superset-$(date +%s%N)"
SQLALCHEMY_DATABASE_URI = "sqlite:///$work/superset.db"
WTF_CSRF_ENABLED = False
FEATURE_FLAGS = {}
PY
export SUPERSET_CONFIG_PATH="$work/superset_config.py" FLASK_APP=superset
sup() { "$venv/bin/superset" "$@"; }
echo "superset: db upgrade" >&2
sup db upgrade >"$work/upgrade.log" 2>&1 || { tail -20 "$work/upgrade.log" >&2; exit 1; }
sup fab create-admin --username admin --firstname a --lastname b --email a@b.c \
  --password admin >"$work/admin.log" 2>&1 || { tail -20 "$work/admin.log" >&2; exit 1; }
echo "superset: init" >&2
sup init >"$work/init.log" 2>&1 || { tail -20 "$work/init.log" >&2; exit 1; }
"$venv/bin/superset" run -p "$port" --host 127.0.0.1 >"$work/run.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; [[ -n "${SUPERSET_KEEP:-}" ]] || rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 1
done
hostport="${server#*://}"
"$venv/bin/python" - "$port" "trino://superset@$hostport/$catalog" "$sql" <<'PY'
import json, sys, urllib.error, urllib.request
port, uri, sql = sys.argv[1], sys.argv[2], sys.argv[3]
base = f"http://127.0.0.1:{port}"
def call(method, path, body=None, token=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as e:
        sys.exit(f"superset: {method} {path} answered {e.code}: {e.read().decode()[:2000]}")
token = call("POST", "/api/v1/security/login",
             {"username": "admin", "password": "admin", "provider": "db", "refresh": True})["access_token"]
print("superset: logged in", file=sys.stderr)
test = call("POST", "/api/v1/database/test_connection/",
            {"sqlalchemy_uri": uri, "database_name": "aishell"}, token)
print("superset: test_connection", test, file=sys.stderr)
db = call("POST", "/api/v1/database/", {"database_name": "aishell", "sqlalchemy_uri": uri,
                                        "expose_in_sqllab": True}, token)
db_id = db["id"]
print(f"superset: database {db_id} created", file=sys.stderr)
schemas = call("GET", f"/api/v1/database/{db_id}/schemas/", token=token)
print("superset: schemas", schemas.get("result"), file=sys.stderr)
res = call("POST", "/api/v1/sqllab/execute/",
           {"database_id": db_id, "sql": sql, "runAsync": False}, token)
print("superset: SQL Lab", res.get("status"), "rows:", len(res.get("data", [])), file=sys.stderr)
print(json.dumps(res.get("data", [])[:5], default=str))
PY
