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


def test_native_full_text_and_fallback_reasons(world):
    """PostgreSQL answers with its own text search (stemmed: "running shoes" finds "Best shoe for
    runs", which a substring match would not), through a GIN index when the table has one;
    FerretDB has no $text, so MongoDB falls back to $regex and says why."""
    tag, psql = world["tag"], world["psql"]
    psql(f"CREATE TABLE public.{tag}_articles (id int PRIMARY KEY, title text, body text);"
         f"INSERT INTO public.{tag}_articles VALUES (1, 'Best shoe for runs', 'light and fast'),"
         f"(2, 'Running shoes review', 'the running shoes we tried'), (3, 'Desk lamps', 'bright');")
    try:
        r = search(world, "running shoes", "--in", "users-db", "orders-db", "--format", "json")
        assert r.returncode == 0, r.stderr
        doc = json.loads(r.stdout)
        assert [s["source"] for s in doc["sources"]] == ["users-db", "orders-db"]
        pg = {t["table"]: t for t in doc["sources"][0]["tables"]}
        articles = pg[f"{tag}_articles"]
        assert articles["native"] is True and articles["found"] == 2
        assert "to_tsvector('english'" in articles["method"] and "ts_rank" in articles["method"]
        assert "no full-text index" in articles["method"]
        # ts_rank puts the row with both words twice first; aishell's score rates the phrase.
        assert articles["matches"][0]["title"] == "Running shoes review"
        assert articles["matches"][0]["_aishell_score"] == 1.0
        assert articles["matches"][1]["_aishell_score"] < 1.0
        mongo = doc["sources"][1]
        assert any("FerretDB" in n and "$regex" in n for n in mongo["notices"]), mongo

        psql(f"CREATE INDEX {tag}_articles_fts ON public.{tag}_articles USING gin "
             f"(to_tsvector('simple', title || ' ' || body))")
        r = search(world, "running shoes", "--in", "users-db", "--format", "json")
        pg = {t["table"]: t for t in json.loads(r.stdout)["sources"][0]["tables"]}
        articles = pg[f"{tag}_articles"]
        # The index's own expression and configuration ('simple': no stemming, so only row 2).
        assert f"served by the GIN index {tag}_articles_fts" in articles["method"]
        assert "plainto_tsquery('simple'" in articles["method"] and articles["found"] == 1

        r = search(world, "running shoes", "--in", "users-db", "--explain")
        assert r.returncode == 0, r.stderr
        assert "(searched by PostgreSQL full text: " in r.stdout
        # Stop words only: PostgreSQL's text search has nothing to look for; substring match.
        r = search(world, "the", "--in", "users-db", "--format", "json")
        assert r.returncode == 0, r.stderr
        assert any("stop words" in n for n in json.loads(r.stdout)["sources"][0]["notices"])
    finally:
        psql(f"DROP TABLE IF EXISTS public.{tag}_articles")


def test_best_matches_across_sources(world):
    r = search(world, "magic mouse", "--all-databases")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    best = out[out.index("Best matches across sources"):]
    lines = [ln for ln in best.splitlines()[1:] if ln.startswith("  ")]
    scores = [float(ln.split()[1]) for ln in lines]
    assert scores == sorted(scores, reverse=True) and scores[0] == 1.0
    assert "Apple Magic Mouse" in lines[0]
    assert "│ 1. Apple Magic Mouse  (score 1.00)" in out


def test_redis_key_cap(world, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(world["home"], home)
    r = run_aishell(["config", "set", "search.redis_max_keys", "4"], home)
    assert r.returncode == 0, r.stderr
    r = search(world, "wireless mouse", "--in", "sessions-db", "--format", "json", home=home)
    assert r.returncode == 0, r.stderr
    source = json.loads(r.stdout)["sources"][0]
    assert source["tables"][0]["found"] <= 4
    assert source["notices"] == ["sessions: only the first 4 keys were searched "
                                 "(search.redis_max_keys)"]
    r = search(world, "wireless mouse", "--in", "sessions-db", home=home)
    assert "(Redis, sessions-db: sessions: only the first 4 keys were searched" in r.stdout
    for value in ("0", "many"):
        r = run_aishell(["config", "set", "search.redis_max_keys", value], home)
        assert r.returncode != 0 and "search.redis_max_keys" in r.stderr, r.stderr


def test_in_takes_several_names(world):
    r = search(world, "wireless mouse", "--in", "users-db", "sessions-db", "--limit", "1")
    assert r.returncode == 0, r.stderr
    assert "across 2 of 2 databases" in r.stdout
    r = search(world, "--in", "users-db", "wireless mouse", "--limit", "1")
    assert r.returncode == 0 and "across 1 of 1 database" in r.stdout, r.stderr
    r = search(world, "wireless mouse", "--in", "users-db", "no-such-db")
    assert r.returncode != 0 and "no source named 'no-such-db'" in r.stderr
    r = search(world, "wireless mouse", "--in")
    assert r.returncode == 2 and "option --in needs a value" in r.stderr
