"""`aishell connections` as seed 002's "Connected Databases" panel, its JSON, and `connect` that
never silently replaces a source. Needs the test servers (see conftest.py).
Run: CI=true scripts/with-services.sh python3 -m pytest test/shell/test_connections.py
"""
import json

from aishell_cli import run_aishell


def test_panel_shows_each_source(world):
    home, tag = world["home"], world["tag"]
    r = run_aishell(["connections"], home)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert out.startswith("✅ Connected Databases\n")
    assert "1. users-db (PostgreSQL 15." in out
    assert f"{tag}_products" in out and f"5 {tag}_products" in out and f"40 {tag}_users" in out
    assert "2. orders-db (MongoDB " in out and "- Collections: orders" in out
    assert "- Documents: ~30 orders" in out  # MongoDB's estimated count is marked
    assert "3. analytics-db (Elasticsearch 8." in out
    assert f"- Indices: {tag}_page_views, {tag}_search_logs" in out
    assert f"12 {tag}_page_views" in out  # _count is exact
    assert "4. sessions-db (Redis " in out and "- Key patterns: sessions (session:*)" in out
    assert "- Keys: 20 in the database; 20 sessions" in out
    assert "- TTL: 30 minutes median remaining" in out and "over 20 sampled keys" in out
    assert "🔗 Federation Mode: ACTIVE\n   All 4 databases available" in out
    assert "(~: estimated" in out
    assert "***" in out  # passwords masked
    for secret_env in ("AISHELL_TEST_PG_URL", "AISHELL_TEST_REDIS_URL"):
        import os
        from urllib.parse import urlparse
        password = urlparse(os.environ[secret_env]).password
        assert password and password not in out


def test_panel_as_json(world):
    r = run_aishell(["connections", "--format", "json"], world["home"])
    assert r.returncode == 0, r.stderr
    rows = {row["name"]: row for row in json.loads(r.stdout)}
    assert rows["users-db"]["engine"] == "PostgreSQL" and rows["users-db"]["status"] == "ok"
    objects = {o["name"]: o for o in rows["users-db"]["objects"]}
    assert objects[world["tag"] + "_products"]["rows"] == 5
    assert objects[world["tag"] + "_products"]["estimated"] is False
    orders = {o["name"]: o for o in rows["orders-db"]["objects"]}["orders"]
    assert orders["rows"] == 30 and orders["estimated"] is True
    redis = rows["sessions-db"]
    assert redis["object_kind"] == "Key patterns" and redis["total_keys"] == 20
    assert any(f.startswith("TTL: 30 minutes") for f in redis["facts"])


def test_panel_with_an_unreachable_source(world, tmp_path):
    home = tmp_path / "home"
    r = run_aishell(["connect", "sqlite://" + str(tmp_path / "x.db"), "--name", "lite"], home)
    assert r.returncode != 0  # no such file: nothing saved
    connections = json.loads((world["home"] / "connections.json").read_text())
    connections.append({"name": "dead-db", "type": "postgres", "properties": {},
                        "url": "postgres://u:dead-secret@127.0.0.1:1/x?connect_timeout=2"})
    home.mkdir(parents=True, exist_ok=True)
    (home / "connections.json").write_text(json.dumps(connections))
    r = run_aishell(["connections"], home)
    assert r.returncode == 0, r.stderr
    assert "5. dead-db (postgres) ❌ unreachable" in r.stdout
    assert "🔗 Federation Mode: PARTIAL\n   4 of 5 databases available; unreachable: dead-db" in r.stdout
    assert "dead-secret" not in r.stdout + r.stderr


def test_connect_never_silently_replaces(tmp_path):
    home = tmp_path / "home"
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "t.csv").write_text("x\n1\n")
    (b / "t.csv").write_text("x\n2\n")
    assert run_aishell(["connect", f"file://{a}", "--name", "lake"], home).returncode == 0
    # The same definition again is no replacement.
    assert run_aishell(["connect", f"file://{a}", "--name", "lake"], home).returncode == 0
    r = run_aishell(["connect", f"file://{b}", "--name", "lake"], home)
    assert r.returncode == 2
    assert "a source named 'lake' already exists (file, file://" in r.stderr and "--replace" in r.stderr
    r = run_aishell(["query", "SELECT x FROM lake.t", "--format", "csv"], home)
    assert r.stdout == "x\n1\n"
    r = run_aishell(["connect", f"file://{b}", "--name", "lake", "--replace"], home)
    assert r.returncode == 0 and "replaced the previous definition" in r.stdout
    r = run_aishell(["query", "SELECT x FROM lake.t", "--format", "csv"], home)
    assert r.stdout == "x\n2\n"


def test_connect_bad_flags(tmp_path):
    home = tmp_path / "home"
    r = run_aishell(["connect", "file:///tmp", "--name", "x", "--replce"], home)
    assert r.returncode == 2 and "did you mean --replace?" in r.stderr
    r = run_aishell(["connections", "--format", "yaml"], home)
    assert r.returncode == 2 and "unknown format 'yaml'" in r.stderr
