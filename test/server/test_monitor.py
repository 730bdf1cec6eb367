"""Monitoring of `aishell serve`: /v1/query, `aishell monitor federation`, and the /ui dashboard
loaded in headless Chromium (Debian's `chromium`) after a query ran."""
import json
import os
import shutil
import subprocess
import urllib.request

import pytest

from aishell_cli import run_aishell

# The served home has a SQLite source (test/util/aishell_serve.py).
pytestmark = pytest.mark.connector("sqlite")


def run_query(served, sql):
    import trino
    cur = trino.dbapi.connect(host=served.host, port=served.port, user="monitor-test").cursor()
    cur.execute(sql)
    return cur.fetchall()


def test_query_list_and_monitor_federation(served):
    run_query(served, "SELECT count(*) FROM lake.default.orders")
    with pytest.raises(Exception):
        run_query(served, "SELECT CAST(id AS INTEGER) / (count(*) OVER () - 3) FROM shop.main.items")
    with urllib.request.urlopen(served.url + "/v1/query", timeout=10) as r:
        queries = json.loads(r.read())
    mine = [q for q in queries if q["user"] == "monitor-test"]
    assert any(q["state"] == "FINISHED" and q["query"].startswith("SELECT count(*)") and
               q["sources"] and q["sources"][0]["name"].startswith("lake") and
               q["sources"][0]["rows"] > 0 and q["processedRows"] > 0 for q in mine)
    assert any(q["state"] == "FAILED" and q["errorName"] == "DIVISION_BY_ZERO" for q in mine)
    r = run_aishell(["monitor", "federation", "--server", served.url], home=served.home)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split()[:3] == ["source", "queries", "rows"]
    lake = next(line for line in lines if line.startswith("lake (file)"))
    assert int(lake.split()[2]) >= 1
    assert int(lake.split()[3]) > 0  # rows read from the orders file
    shop = next(line for line in lines if line.startswith("shop (sqlite)"))
    assert int(shop.split()[-1]) >= 1  # the failed query counts as an error
    r = run_aishell(["monitor", "federation", "--server", "http://127.0.0.1:1"], home=served.home)
    assert r.returncode != 0 and "cannot reach aishell serve at http://127.0.0.1:1" in r.stderr


def test_dashboard_in_headless_chromium(served, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed (scripts/install-deps.sh test)")
        pytest.skip("chromium is not installed")
    run_query(served, "SELECT 'dashboard-marker' AS m, count(*) FROM lake.default.people")
    flags = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=5000"]
    dom = subprocess.run(flags + ["--dump-dom", served.url + "/ui"], capture_output=True,
                         text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr
    assert "dashboard-marker" in dom.stdout
    assert "lake (file)" in dom.stdout
    assert "federation.max_memory" in dom.stdout and "memory " in dom.stdout  # the budgets
    artifacts = os.environ.get("AISHELL_TEST_ARTIFACTS", str(tmp_path))
    os.makedirs(artifacts, exist_ok=True)
    shot = os.path.join(artifacts, "serve_dashboard.png")
    r = subprocess.run(flags + ["--window-size=1200,800", f"--screenshot={shot}",
                                served.url + "/ui"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert os.path.getsize(shot) > 1000
    print(f"dashboard screenshot: {shot}")


def test_monitor_federation_reads_the_home_query_history(tmp_path):
    """`aishell query` and `aishell serve` append to $AISHELL_HOME/query_history.jsonl (0600, no
    secret); `monitor federation` without --server summarizes it: bytes read from the file
    source, result-cache hits, errors, the slowest steps and the budgets."""
    from aishell_serve import Server, make_home
    home = make_home(tmp_path)
    for args in (["cache", "enable", "--ttl", "300"], ["config", "set", "federation.max_query_time", "60s"]):
        r = run_aishell(args, home=home)
        assert r.returncode == 0, r.stderr
    sql = "SELECT count(*), sum(amount) FROM lake.default.orders"
    for _ in range(2):  # the second run comes from the result cache
        r = run_aishell(["query", sql], home=home)
        assert r.returncode == 0, r.stderr
    r = run_aishell(["query", "SELECT 1 / (count(*) - count(*)) FROM shop.main.items"], home=home)
    assert r.returncode != 0
    server = Server(home)
    try:
        import trino
        cur = trino.dbapi.connect(host=server.host, port=server.port, user="hist-user").cursor()
        cur.execute("SELECT count(*) FROM lake.default.people")
        cur.fetchall()
    finally:
        server.stop()
    path = home / "query_history.jsonl"
    assert (path.stat().st_mode & 0o777) == 0o600
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["origin"] for r in records] == ["cli", "cli", "cli", "serve"]
    assert [r["cacheHit"] for r in records[:2]] == [False, True]
    assert records[2]["state"] == "FAILED" and records[3]["user"] == "hist-user"
    lake = records[0]["sources"][0]
    assert lake["name"] == "lake (file)" and lake["rows"] > 0 and lake["bytes"] > 0
    assert records[0]["maxQueryTimeMs"] == 60000 and records[0]["peakMemory"] > 0

    r = run_aishell(["monitor", "federation"], home=home)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["source", "queries", "rows", "read", "bytes", "read", "avg", "s",
                                "slowest", "s", "cached", "errors"]
    lake = next(line for line in lines if line.startswith("lake (file)")).split()[2:]
    assert int(lake[0]) == 3 and int(lake[2]) > 0  # 3 queries, bytes read from the CSV files
    assert int(lake[-2]) == 1 and int(lake[-1]) == 0  # one cache hit, no error
    shop = next(line for line in lines if line.startswith("shop (sqlite)")).split()
    assert int(shop[-1]) == 1
    assert "slowest steps:" in r.stdout
    assert "federation.max_memory" in r.stdout
    assert "federation.max_query_time" in r.stdout and "60.000s" in r.stdout
    assert "4 recent queries" in r.stdout
