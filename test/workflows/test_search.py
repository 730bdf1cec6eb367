"""`aishell search` across the four seed 002 sources on the test servers (test/shell/conftest.py):
the blocks per source and table with "Found: N", related searches from an Elasticsearch search
log, JSON, --in, a failing source reported without losing the others, and bad input.
Run: CI=true scripts/with-services.sh python3 -m pytest test/workflows/test_search.py
"""
import json
import shutil

from aishell_cli import run_aishell


def search(world, *args, home=None):
    return run_aishell(["search"] + list(args), home or world["home"], timeout=180)


def test_search_all_databases(world):
    tag = world["tag"]
    r = search(world, "wireless mouse", "--all-databases")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    print(out)
    assert out.startswith('🔍 Federated Search: "wireless mouse"\n')
    assert f"Results from PostgreSQL (users-db: {tag}_products):" in out
    assert "│ 1. Logitech MX Master 3 Wireless Mouse" in out
    assert f"Found: 3 {tag}_products" in out
    assert "Results from MongoDB (orders-db: orders):" in out and "Found: 10 orders" in out
    assert f"Results from Elasticsearch (analytics-db: {tag}_page_views):" in out
    assert f"Found: 8 {tag}_page_views" in out
    assert f"Results from Elasticsearch (analytics-db: {tag}_search_logs):" in out
    assert '│ - "wireless mouse ergonomic" (5 searches)' in out
    assert '│ - "wireless mouse gaming" (3 searches)' in out
    assert "Results from Redis (sessions-db: sessions):" in out and "Found: 10 sessions" in out
    assert "across 4 of 4 databases" in out


def test_search_json_and_in(world):
    tag = world["tag"]
    r = search(world, "magic mouse", "--in", "users-db,analytics-db", "--format", "json", "--limit", "1")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [s["source"] for s in doc["sources"]] == ["users-db", "analytics-db"]
    pg = {t["table"]: t for t in doc["sources"][0]["tables"]}
    assert pg[f"{tag}_products"]["found"] == 1
    assert pg[f"{tag}_products"]["matches"][0]["name"] == "Apple Magic Mouse"
    es = {t["table"]: t for t in doc["sources"][1]["tables"]}
    assert es[f"{tag}_page_views"]["found"] == 4 and len(es[f"{tag}_page_views"]["matches"]) == 1


def test_a_failing_source_does_not_lose_the_others(world, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    connections = json.loads((world["home"] / "connections.json").read_text())
    connections.append({"name": "dead-db", "type": "postgres", "properties": {},
                        "url": "postgres://u:dead-secret@127.0.0.1:1/x?connect_timeout=2"})
    (home / "connections.json").write_text(json.dumps(connections))
    r = search(world, "wireless mouse", "--in", "users-db", "--in", "dead-db", home=home)
    assert r.returncode == 0, r.stderr
    assert "⚠️  PostgreSQL (dead-db): " in r.stdout and "dead-secret" not in r.stdout
    assert "Results from PostgreSQL (users-db: " in r.stdout
    assert "across 1 of 2 databases" in r.stdout


def test_bad_input(world):
    for args, message in ((["   "], "search needs the words to look for"),
                          (["%%"], "search needs words to look for"),
                          (["x", "--in", "user-db"], "no source named 'user-db'; did you mean 'users-db'?"),
                          (["x", "--limit", "0"], "--limit needs a number from 1 to 1000"),
                          (["x", "--timeout", "soon"], "invalid value 'soon'"),
                          (["x", "--format", "xml"], "unknown format 'xml'"),
                          (["x", "--all-databases", "--in", "users-db"], "exclude each other"),
                          (["x", "--limt", "3"], "did you mean --limit?")):
        r = search(world, *args)
        assert r.returncode in (1, 2) and message in r.stderr, (args, r.stderr)
