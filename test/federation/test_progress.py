"""The progress display of a long query (src/shell/progress_steps.cpp): on a terminal (a pseudo
terminal here) a query running over a second shows seed 002's per-source steps ("Step 1: Query
Redis (...) ..... 0.3s → 300 rows") and a progress bar on stderr, erased before the result; in a
pipe, with --format json or --no-progress it shows nothing. The slow source is a PostgreSQL view
that sleeps 1.5 s per query (pg_sleep), so the query is long by construction, not by timing.
Redis databases 44-47."""
import os
import pty
import select
import subprocess
import urllib.parse

import pytest

from aishell_cli import aishell_binary, run_aishell

REDIS_URL = os.environ.get("AISHELL_TEST_REDIS_URL", "")
PG_URL = os.environ.get("AISHELL_TEST_PG_URL", "")
PG_BIN = os.environ.get("AISHELL_TEST_PG_BIN", "")
# One schema and Redis database per pytest-xdist worker (module fixtures run once per worker).
WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0) % 4
SCHEMA = f"progress_steps_{WORKER}"
REDIS_DB = str(44 + WORKER)
SQL = (f'SELECT count(*) FROM "sessions-db".default.sessions s '
       f'JOIN "users-db".{SCHEMA}.slow v ON v.g = s.user_id')


def need(url, what):
    if url:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is unset in CI")
    pytest.skip(f"{what} is unset (scripts/services/*.sh start)")


def psql(sql):
    exe = os.path.join(PG_BIN, "psql") if PG_BIN else "psql"
    r = subprocess.run([exe, PG_URL, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    need(REDIS_URL, "AISHELL_TEST_REDIS_URL")
    need(PG_URL, "AISHELL_TEST_PG_URL")
    psql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}; "
         f"CREATE VIEW {SCHEMA}.slow AS SELECT g FROM generate_series(1, 1000) g, pg_sleep(1.5);")
    parsed = urllib.parse.urlparse(REDIS_URL)
    env = dict(os.environ, REDISCLI_AUTH=urllib.parse.unquote(parsed.password or ""))
    cli = ["redis-cli", "--no-auth-warning", "-h", parsed.hostname, "-p", str(parsed.port), "-n", REDIS_DB]
    subprocess.run(cli + ["FLUSHDB"], env=env, check=True, capture_output=True, timeout=60)
    for n in range(50):
        subprocess.run(cli + ["HSET", f"session:s{n}", "user_id", str(n * 3 + 1)], env=env, check=True,
                       capture_output=True, timeout=60)
    h = tmp_path_factory.mktemp("progress")
    for args in (["connect", PG_URL, "--name", "users-db"],
                 ["connect", REDIS_URL.rsplit("/", 1)[0] + "/" + REDIS_DB, "--name", "sessions-db",
                  "--property", "table.sessions=session:{session_id}"]):
        r = run_aishell(args, h)
        assert r.returncode == 0, r.stderr
    yield h
    subprocess.run(cli + ["FLUSHDB"], env=env, capture_output=True, timeout=60)
    psql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


def run_on_terminal(home, *args):
    """Runs aishell with stderr on a pseudo terminal and stdout on a pipe: (stderr text, stdout)."""
    master, slave = pty.openpty()
    env = dict(os.environ, AISHELL_HOME=str(home), NO_COLOR="1")
    p = subprocess.Popen([aishell_binary()] + list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=slave, env=env)
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the other end closed
                break
            if not data:
                break
            seen += data
        elif p.poll() is not None:
            break
    out = p.stdout.read().decode()
    assert p.wait(timeout=120) == 0, seen.decode(errors="replace")
    os.close(master)
    return seen.decode(errors="replace"), out


def test_progress_steps_and_bar_on_a_terminal(home):
    err, out = run_on_terminal(home, "query", SQL, "--format", "csv")
    assert out.strip().splitlines() == ["count(*)", "50"], out  # user ids 1, 4, ..., 148: all in the view
    assert "Step 1: Query Redis (sessions-db.default.sessions)" in err, err
    assert "Step 2: Fetch slow from PostgreSQL (users-db." in err, err
    assert "rows" in err and "[■" in err and "%" in err, err
    # Erased before the result: the last thing drawn is an erase of the display.
    assert err.rstrip("\r\n").endswith("\x1b[K"), repr(err[-200:])


def test_no_progress_in_a_pipe_with_json_or_no_progress(home):
    r = run_aishell(["query", SQL], home)
    assert r.returncode == 0 and "Step 1" not in r.stderr and "■" not in r.stderr, r.stderr
    for extra in (["--format", "json"], ["--no-progress", "--format", "csv"]):
        err, out = run_on_terminal(home, "query", SQL, *extra)
        assert "Step 1" not in err and "■" not in err, err
        assert out, out
