"""`aishell query` / `aishell explain` with English: the panel, refusals, --dry-run, --sql,
nl.synonyms, over generated SQLite sources (no server)."""
import datetime
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aishell_cli import run_aishell  # noqa: E402
import nl_data  # noqa: E402

pytestmark = pytest.mark.connector("sqlite")


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nl-cli")
    sources = nl_data.generate_seed002(str(folder), datetime.date.today())
    home = folder / "home"
    for s in sources:
        r = run_aishell(["connect", f"sqlite://{folder}/{s}.db", "--name", s], home)
        assert r.returncode == 0, r.stderr
    return home


def test_seed_question_shows_the_panel_and_runs(home):
    r = run_aishell(["query", "Show me users from PostgreSQL who made purchases in MongoDB last week"],
                    home)
    assert r.returncode == 0, r.stderr
    # stdout is not a terminal: the panel goes to stderr, the answer to stdout, no question asked.
    assert "AI Query Translator" in r.stderr
    assert "Detected 2 data sources" in r.stderr
    assert "users.id = orders.user_id (user_id)" in r.stderr
    assert "last week" in r.stderr
    assert "Generated SQL:" in r.stderr and "JOIN mongodb.main.orders" in r.stderr
    assert "Execution Plan:" in r.stderr and "est." in r.stderr
    assert "Proceed?" not in r.stderr + r.stdout
    assert "Results:" in r.stdout and "Data sources:" in r.stdout
    assert "AI Query Translator" not in r.stdout


def test_refusal_names_the_words_and_runs_nothing(home):
    r = run_aishell(["query", "show me users who like jazz"], home)
    assert r.returncode == 2
    assert 'did not understand "like", "jazz"' in r.stderr or 'did not understand "jazz"' in r.stderr
    assert "Nothing was run" in r.stderr
    assert r.stdout == ""
    assert "AI provider" not in r.stderr


def test_negation_is_refused(home):
    r = run_aishell(["query", "orders that are not delivered"], home)
    assert r.returncode == 2
    assert '"not"' in r.stderr


def test_dry_run_and_explain_stop_after_the_panel(home):
    r = run_aishell(["query", "--dry-run", "how many delivered orders"], home)
    assert r.returncode == 0, r.stderr
    assert "orders.status = 'delivered'" in r.stderr
    assert r.stdout == ""
    r = run_aishell(["explain", "how many delivered orders"], home)
    assert r.returncode == 0, r.stderr
    assert "Generated SQL:" in r.stdout and "Execution Plan:" in r.stdout


def test_nl_and_sql_flags(home):
    # --nl translates text that could read as SQL; --sql never translates.
    r = run_aishell(["query", "--nl", "--format", "csv", "show users"], home)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("id,email,name,region,loyalty_tier,created_at")
    r = run_aishell(["query", "--sql", "show me users"], home)
    assert r.returncode == 1
    assert "Generated SQL" not in r.stderr
    r = run_aishell(["query", "--sql", "--nl", "show me users"], home)
    assert r.returncode == 2


def test_configured_synonym(home):
    r = run_aishell(["query", "--format", "csv", "how many deals"], home)
    assert r.returncode == 2 and '"deals"' in r.stderr
    r = run_aishell(["config", "set", "nl.synonyms.deals", "orders"], home)
    assert r.returncode == 0, r.stderr
    r = run_aishell(["query", "--format", "csv", "how many deals"], home)
    assert r.returncode == 0, r.stderr
    want = run_aishell(["query", "--format", "csv", "SELECT count(*) FROM mongodb.main.orders"], home)
    assert r.stdout.splitlines()[1:] == want.stdout.splitlines()[1:]
    assert "nl.synonyms.deals" in r.stderr
    run_aishell(["config", "unset", "nl.synonyms.deals"], home)


def test_week_start_setting(home):
    today = datetime.date.today()
    sunday = today - datetime.timedelta(days=(today.weekday() + 1) % 7)
    r = run_aishell(["config", "set", "nl.week_start", "sunday"], home)
    assert r.returncode == 0, r.stderr
    try:
        r = run_aishell(["explain", "orders last week"], home)
        assert r.returncode == 0, r.stderr
        start = (sunday - datetime.timedelta(days=7)).isoformat()
        assert f"TIMESTAMP '{start} 00:00:00'" in r.stdout
    finally:
        run_aishell(["config", "unset", "nl.week_start"], home)


def test_profile_has_one_section_per_source(home):
    q = ("Give me a complete profile for user john@example.com including:\n"
         "  - Basic info from PostgreSQL users table\n"
         "  - Order history from MongoDB orders collection\n"
         "  - Page view analytics from Elasticsearch\n"
         "  - Current session data from Redis")
    r = run_aishell(["query", q], home)
    assert r.returncode == 0, r.stderr
    assert "a profile: 9 sections, each its own query" in r.stderr
    for title in ("Basic information (users, postgresql)", "orders (mongodb): summary",
                  "orders (mongodb): the latest 5", "page_views (elasticsearch): summary",
                  "sessions (redis): summary"):
        assert f"━━ {title} ━━" in r.stdout
    assert "john@example.com" in r.stdout
    want = run_aishell(["query", "--format", "csv",
                        "SELECT count(*) FROM mongodb.main.orders o JOIN postgresql.main.users u "
                        "ON o.user_id = u.id WHERE u.email = 'john@example.com'"], home)
    count = want.stdout.splitlines()[1]
    section = r.stdout.split("━━ orders (mongodb): summary ━━")[1].split("━━")[0]
    assert f"│ {count.rjust(6)} │" in section or f" {count} " in section
    # What it cannot place (an ML service) is refused as a whole.
    r = run_aishell(["query", q + "\n  - Product recommendations from our ML service"], home)
    assert r.returncode == 2
    assert '"recommendations", "ML", "service"' in r.stderr


def test_profile_sections_run_in_parallel_with_the_same_answer(home):
    # Sections run on up to federation.threads engines at once; the output (in the panel's order)
    # is the same as one at a time. The panel estimates the time of each section and the total.
    q = "a complete profile for user john@example.com"
    strip = lambda text: "\n".join(l for l in text.splitlines() if not l.startswith("Execution time"))
    serial = run_aishell(["query", "--threads", "1", q], home)
    parallel = run_aishell(["query", "--threads", "4", q], home)
    assert serial.returncode == 0 and parallel.returncode == 0, serial.stderr + parallel.stderr
    assert strip(serial.stdout) == strip(parallel.stdout)
    assert serial.stdout.count("━━ ") >= 5
    assert "Estimated time for the profile:" in parallel.stderr
    assert "sections run in parallel" in parallel.stderr


def test_panel_shows_steps_with_estimated_rows_and_time(home):
    r = run_aishell(["explain", "users who made purchases last week"], home)
    assert r.returncode == 0, r.stderr
    plan = r.stdout.split("Execution Plan:")[1]
    assert "Step 1:" in plan and "est." in plan and "rows" in plan
    assert "Estimated time:" in plan
    assert "Operator tree" not in plan


def test_catalog_cache(tmp_path):
    # The translator's catalog (tables, columns) is cached per source in $AISHELL_HOME; a created
    # table, connect/disconnect, --fresh-data and nl.catalog_ttl 0 read the source again.
    import re
    import sqlite3
    sources = nl_data.generate_seed002(str(tmp_path), datetime.date.today())
    home = tmp_path / "home"
    for s in sources:
        assert run_aishell(["connect", f"sqlite://{tmp_path}/{s}.db", "--name", s], home).returncode == 0

    def cached(args):
        r = run_aishell(args, home)
        assert r.returncode == 0, r.stderr
        m = re.search(r"(\d+) of (\d+) sources from the cache", r.stdout + r.stderr)
        return int(m.group(1)), int(m.group(2))

    q = "how many orders last week"
    assert cached(["explain", q]) == (0, 4)
    assert cached(["explain", q]) == (4, 4)
    files = sorted(os.listdir(home / "cache" / "nl-catalog"))
    assert len(files) == 4
    for f in files:  # the connection is hashed, never written
        assert str(tmp_path) not in (home / "cache" / "nl-catalog" / f).read_text()
    # A table created in one source: that source is read again, and the new table is known.
    con = sqlite3.connect(f"{tmp_path}/redis.db")
    con.execute("CREATE TABLE wishlist_entries (id INTEGER PRIMARY KEY, user_id INTEGER)")
    con.commit()
    assert cached(["explain", "how many wishlist entries"]) == (3, 4)
    assert cached(["query", "--dry-run", "--fresh-data", q]) == (0, 4)
    assert cached(["explain", q]) == (4, 4)
    assert run_aishell(["disconnect", "redis"], home).returncode == 0
    assert cached(["explain", q]) == (3, 3)
    assert run_aishell(["connect", f"sqlite://{tmp_path}/redis.db", "--name", "redis"], home).returncode == 0
    assert cached(["explain", q]) == (3, 4)
    assert run_aishell(["config", "set", "nl.catalog_ttl", "0"], home).returncode == 0
    assert cached(["explain", q]) == (0, 4)
