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
    artifacts = os.environ.get("AISHELL_TEST_ARTIFACTS", str(tmp_path))
    os.makedirs(artifacts, exist_ok=True)
    shot = os.path.join(artifacts, "serve_dashboard.png")
    r = subprocess.run(flags + ["--window-size=1200,800", f"--screenshot={shot}",
                                served.url + "/ui"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert os.path.getsize(shot) > 1000
    print(f"dashboard screenshot: {shot}")
