"""PostgreSQL over TLS: the test server of scripts/services/postgres.sh also takes TLS connections
(its own throwaway CA, AISHELL_TEST_PG_TLS_CA), and user aishell_tls (AISHELL_TEST_PG_TLS_URL) may
connect ONLY over TLS (pg_hba `hostnossl ... reject`), so a scan through it cannot pass over
plain TCP. On a TLS connection aishell reads COPY through libpq's PQgetCopyData instead of its own
socket reader (PgCopyOutStream::Usable): these tests check that path against DuckDB's postgres
extension (reading the same server over plain TCP), that sslmode / sslrootcert / connect_timeout /
options reach libpq, that every connection of a parallel scan really is encrypted (the server's
pg_stat_ssl, sampled from psql while the scan runs), and that no password leaks.

Needs AISHELL_TEST_PG_URL, AISHELL_TEST_PG_TLS_URL, AISHELL_TEST_PG_TLS_CA, AISHELL_TEST_PG_BIN
(scripts/services/postgres.sh start) and pip duckdb + duckdb-extension-postgres. Without them the
tests skip, except with CI=true, where they fail.
Run: python3 -m pytest test/postgres/test_postgres_tls.py
"""
import datetime
import decimal
import math
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlparse, urlunparse

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "util"))
from aishell_cli import aishell_binary, parse_json_rows, run_aishell  # noqa: E402

PG_URL = os.environ.get("AISHELL_TEST_PG_URL", "")
TLS_URL = os.environ.get("AISHELL_TEST_PG_TLS_URL", "")
TLS_CA = os.environ.get("AISHELL_TEST_PG_TLS_CA", "")
PG_BIN = os.environ.get("AISHELL_TEST_PG_BIN", "/usr/lib/postgresql/15/bin")
_missing = [n for n, v in [("AISHELL_TEST_PG_URL", PG_URL), ("AISHELL_TEST_PG_TLS_URL", TLS_URL),
                           ("AISHELL_TEST_PG_TLS_CA", TLS_CA)] if not v]
if _missing:
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"{', '.join(_missing)} not set in CI: run scripts/services/postgres.sh start")
    pytest.skip(f"{', '.join(_missing)} not set (scripts/services/postgres.sh start)", allow_module_level=True)

import duckdb_ext  # noqa: E402
from duckdb_ext import libpq_dsn  # noqa: E402

PASSWORDS = [unquote(urlparse(u).password or "") for u in (PG_URL, TLS_URL)]
assert all(PASSWORDS), "the test URLs carry passwords"


def with_params(url, **params):
    """The URL with these query parameters set (replacing the ones it has)."""
    u = urlparse(url)
    query = dict(parse_qsl(u.query))
    query.update(params)
    return urlunparse(u._replace(query=urlencode(query, safe="/", quote_via=quote)))


# User aishell (may also connect without TLS) forced onto TLS by libpq, and the TLS-only user with
# the server's certificate checked against the test CA (host name 127.0.0.1 in its subjectAltName).
REQUIRE_URL = with_params(PG_URL, sslmode="require")
VERIFY_URL = with_params(TLS_URL, sslmode="verify-full", sslrootcert=TLS_CA)


def assert_no_password(*texts):
    for text in texts:
        for pw in PASSWORDS:
            assert pw not in text, f"password in output: {text}"


def aishell(args, home, **kw):
    """run_aishell, checking that no password appears in what it printed."""
    r = run_aishell(args, home, **kw)
    assert_no_password(r.stdout, r.stderr)
    return r


@pytest.fixture(scope="module")
def duck():
    """The oracle: DuckDB's postgres extension on the same server, over plain TCP."""
    con = duckdb_ext.connect_or_skip("postgres")
    try:
        con.execute("SET TimeZone = 'UTC'")
    except Exception:  # without ICU DuckDB's time zone is UTC already
        pass
    dsn = libpq_dsn(PG_URL, sslmode="disable")
    for name in ("req", "tls"):
        con.execute(f"ATTACH '{dsn}' AS {name} (TYPE postgres, READ_ONLY)")
    yield con
    con.close()


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """Sources `req` (sslmode=require) and `tls` (TLS-only user, verify-full) and `plain`."""
    h = tmp_path_factory.mktemp("pgtls") / "home"
    for name, url in (("req", REQUIRE_URL), ("tls", VERIFY_URL), ("plain", PG_URL)):
        r = aishell(["connect", url, "--name", name], h)
        assert r.returncode == 0, r.stderr + r.stdout
    return h


def query_json(home, sql, pushdown=True):
    prefix = "" if pushdown else "SET SESSION pushdown = false; "
    r = aishell(["query", prefix + sql, "--format", "json"], home)
    assert r.returncode == 0, r.stderr + r.stdout
    return parse_json_rows(r.stdout)


NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")
SPECIAL_FLOATS = {"NaN": "nan", "Infinity": "inf", "-Infinity": "-inf"}


def norm(v, float32=False):
    """One textual form for both engines: integers exactly, other numbers at 12 significant digits
    (7 for a `real` column: DuckDB widens the float exactly, aishell by its shortest text),
    NaN/Infinity alike, timestamps as 'YYYY-MM-DD HH:MM:SS[.ffffff]'."""
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int) and not float32:
        return str(v)
    if isinstance(v, str) and v in SPECIAL_FLOATS:
        return SPECIAL_FLOATS[v]
    if isinstance(v, str) and NUMBER.match(v):
        v = int(v) if re.match(r"^-?\d+$", v) and not float32 else float(v)
        if isinstance(v, int):
            return str(v)
    if isinstance(v, (int, float, decimal.Decimal)):
        f = float(v)
        if math.isnan(f) or math.isinf(f):
            return str(f)
        if float32:
            return f"{struct.unpack('f', struct.pack('f', f))[0]:.7g}"
        if f == int(f) and abs(f) < 2**53:
            return str(int(f))
        return f"{f:.12g}"
    if isinstance(v, datetime.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S.%f").rstrip("0").rstrip(".")
    if isinstance(v, datetime.date):
        return v.isoformat()
    s = str(v)
    if len(s) >= 19 and s[4] == "-" and s[10] in " T" and s[13] == ":":
        s = s.replace("T", " ", 1)
        if "." in s:
            s = s.rstrip("0").rstrip(".")
    return s


def norm_rows(rows, float32_cols=()):
    return sorted(tuple(norm(v, i in float32_cols) for i, v in enumerate(row)) for row in rows)


def aishell_rows(home, sql, pushdown=True, float32_cols=()):
    return norm_rows(query_json(home, sql, pushdown), float32_cols)


def duck_rows(duck, sql, float32_cols=()):
    return norm_rows(duck.execute(sql).fetchall(), float32_cols)


# ---------------------------------------------------------------------------------------------
# The connections are encrypted (and the plain test URL stays plain).

@pytest.mark.parametrize("source,user", [("req", "aishell"), ("tls", "aishell_tls")])
def test_scan_connection_uses_tls(home, source, user):
    # public.connection_tls (made by postgres.sh) shows pg_stat_ssl of the backend running the COPY.
    rows = query_json(home, f"SELECT ssl, tls_version, user_name FROM {source}.public.connection_tls")
    assert len(rows) == 1, rows
    ssl, version, who = rows[0]
    assert ssl is True and version.startswith("TLSv1."), rows
    assert who == user


def test_default_test_url_stays_plain(home):
    """The sslmode-less AISHELL_TEST_PG_URL connects without TLS (postgres.env sets
    PGSSLMODE=disable), so the other PostgreSQL tests keep covering aishell's own socket reader."""
    rows = query_json(home, "SELECT ssl, tls_version FROM plain.public.connection_tls")
    assert rows == [[False, None]], rows


def sample_backends(url, app, seconds=60):
    """Starts psql polling pg_stat_ssl for the backends whose application_name is `app`, until
    some were seen and then none for 1 s (or `seconds` pass); returns the Popen. Its output is
    one `pid|ssl|version` line per backend seen."""
    sql = f"""
CREATE TEMP TABLE seen (pid int, ssl bool, version text);
DO $$
DECLARE
  any_seen bool := false;
  idle int := 0;
BEGIN
  FOR i IN 1..{seconds * 100} LOOP
    PERFORM pg_stat_clear_snapshot();
    INSERT INTO seen SELECT s.pid, s.ssl, s.version FROM pg_stat_ssl s
      JOIN pg_stat_activity a ON a.pid = s.pid WHERE a.application_name = '{app}';
    IF FOUND THEN any_seen := true; idle := 0;
    ELSIF any_seen THEN idle := idle + 1; EXIT WHEN idle > 100;
    END IF;
    PERFORM pg_sleep(0.01);
  END LOOP;
END $$;
SELECT pid, bool_and(ssl), min(version) FROM seen GROUP BY pid ORDER BY pid;
"""
    return subprocess.Popen([os.path.join(PG_BIN, "psql"), "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1",
                             "-d", url, "-c", sql], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("source_url", [REQUIRE_URL, VERIFY_URL], ids=["require", "verify-full"])
def test_every_connection_of_a_parallel_scan_is_tls(tmp_path, source_url):
    app = "pgtls_" + uuid.uuid4().hex[:12]
    h = tmp_path / "home"
    r = aishell(["connect", with_params(source_url, application_name=app), "--name", "s"], h)
    assert r.returncode == 0, r.stderr + r.stdout
    # The sampler connects as the same user (pg_stat_ssl shows other users' backends too, but
    # pg_stat_activity.application_name only one's own), without TLS where it may.
    sampler = sample_backends(with_params(source_url, application_name="pgtls_sampler"), app)
    try:
        time.sleep(0.5)
        r = aishell(["explain", "--analyze",
                     "SELECT k, count(*), sum(n) FROM s.public.big_numbers WHERE n % 7 = 3 GROUP BY k"], h)
        assert r.returncode == 0, r.stderr + r.stdout
        out, err = sampler.communicate(timeout=90)
    finally:
        if sampler.poll() is None:
            sampler.kill()
            sampler.wait()
    assert sampler.returncode == 0, err
    splits = re.search(r"TableScan s\.public\.big_numbers .*splits=(\d+)", r.stdout)
    assert splits and int(splits.group(1)) >= 2, r.stdout  # a parallel scan
    assert "rows=300000" in r.stdout, r.stdout
    backends = [line.split("|") for line in out.splitlines() if line]
    # The exporting connection and at least two readers, every one encrypted.
    assert len(backends) >= 3, backends
    assert all(ssl == "t" and version.startswith("TLSv1.") for _, ssl, version in backends), backends


# ---------------------------------------------------------------------------------------------
# Same rows as DuckDB through the TLS (libpq) read path.

BIG = [
    # full scans (parallel ctid ranges), the filter stays in the engine: every row crosses TLS
    "SELECT n, k, label FROM {s}.public.big_numbers WHERE n % 7 = 3",
    "SELECT k, count(*), sum(n), min(label), max(label) FROM {s}.public.big_numbers GROUP BY k",
    # pushed filter
    "SELECT n, label FROM {s}.public.big_numbers WHERE k = 42 AND n > 150000",
]
MIXED = [
    "SELECT * FROM {s}.public.customers",
    'SELECT * FROM {s}."Sales"."Orders" WHERE amount > 100',
    "SELECT id, s FROM {s}.public.tricky",
]
PG_TYPES = ("SELECT id, c_small, c_int, c_big, c_num, c_num_free, c_real, c_double, c_text, c_varchar, "
            "c_char, c_bool, c_date, c_ts, CAST(c_tstz AS TIMESTAMP) FROM {s}.public.pg_types")


@pytest.mark.parametrize("source", ["req", "tls"])
@pytest.mark.parametrize("sql", BIG + MIXED)
def test_same_rows_as_duckdb_over_tls(home, duck, source, sql):
    sql = sql.format(s=source)
    theirs = duck_rows(duck, sql)
    assert len(theirs) > 0, sql
    assert aishell_rows(home, sql) == theirs, sql
    assert aishell_rows(home, sql, pushdown=False) == theirs, sql


@pytest.mark.parametrize("source", ["req", "tls"])
def test_mixed_types_same_as_duckdb_over_tls(home, duck, source):
    sql = PG_TYPES.format(s=source)
    theirs = duck_rows(duck, sql, float32_cols={6})
    assert len(theirs) == 4
    assert aishell_rows(home, sql, float32_cols={6}) == theirs
    assert aishell_rows(home, sql, pushdown=False, float32_cols={6}) == theirs


# ---------------------------------------------------------------------------------------------
# Failures: one clear message naming the source, no password.

def make_other_ca(tmp_path):
    key, crt = tmp_path / "other-ca.key", tmp_path / "other-ca.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=not the aishell test CA", "-keyout", str(key), "-out", str(crt)],
                   check=True, capture_output=True)
    return str(crt)


def error_line(r):
    """The one error message (a query's error may be followed by the SQL and a caret under the
    position it names)."""
    lines = [line for line in (r.stderr + r.stdout).splitlines() if line.strip()]
    assert lines and lines[0].startswith("Error"), lines
    assert len(lines) == 1 or (len(lines) == 3 and lines[2].strip() == "^"), lines  # not a cascade
    return lines[0]


@pytest.mark.parametrize("base", [VERIFY_URL, REQUIRE_URL], ids=["tls-user", "aishell-user"])
def test_verify_full_with_wrong_ca_fails_clearly(tmp_path, base):
    url = with_params(base, sslmode="verify-full", sslrootcert=make_other_ca(tmp_path))
    h = tmp_path / "home"
    r = aishell(["connect", url, "--name", "wrongca"], h)
    assert r.returncode != 0
    msg = error_line(r)
    assert "postgres source 'wrongca'" in msg, msg
    assert "certificate verify failed" in msg, msg
    # Nothing was registered.
    r = aishell(["connections"], h)
    assert "wrongca" not in r.stdout


def test_verify_full_checks_the_host_name(tmp_path):
    # localhost is in the certificate too; a name that is not fails even with the right CA.
    ok = VERIFY_URL.replace("@127.0.0.1:", "@localhost:")
    h = tmp_path / "home"
    r = aishell(["connect", ok, "--name", "byname"], h)
    assert r.returncode == 0, r.stderr + r.stdout
    bad = with_params(VERIFY_URL, hostaddr="127.0.0.1").replace("@127.0.0.1:", "@aishell-wrong-name.invalid:")
    r = aishell(["connect", bad, "--name", "wrongname"], h)
    assert r.returncode != 0
    msg = error_line(r)
    assert "postgres source 'wrongname'" in msg and "does not match host name" in msg, msg


def test_tls_only_user_is_refused_without_tls(tmp_path):
    h = tmp_path / "home"
    r = aishell(["connect", with_params(TLS_URL, sslmode="disable"), "--name", "notls"], h)
    assert r.returncode != 0
    msg = error_line(r)
    assert "postgres source 'notls'" in msg and "no encryption" in msg, msg


def test_connect_timeout_over_tls(tmp_path):
    h = tmp_path / "home"
    # Against the real server it connects and reads.
    r = aishell(["connect", with_params(VERIFY_URL, connect_timeout="5"), "--name", "t"], h)
    assert r.returncode == 0, r.stderr + r.stdout
    r = aishell(["query", "SELECT count(*) FROM t.public.customers", "--format", "csv"], h)
    assert r.returncode == 0 and "5000" in r.stdout, r.stderr + r.stdout
    # A server that accepts TCP but never answers the TLS request: connect_timeout ends the wait.
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    held = []
    stop = threading.Event()

    def accept():
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except OSError:
                pass

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        port = srv.getsockname()[1]
        u = urlparse(VERIFY_URL)
        silent = urlunparse(u._replace(netloc=f"{u.username}:{PASSWORDS[1]}@127.0.0.1:{port}"))
        start = time.monotonic()
        r = aishell(["connect", with_params(silent, connect_timeout="2"), "--name", "silent"], h, timeout=60)
        elapsed = time.monotonic() - start
    finally:
        stop.set()
        t.join()
        for c in held:
            c.close()
        srv.close()
    assert r.returncode != 0
    msg = error_line(r)
    assert "postgres source 'silent'" in msg and "timeout expired" in msg, msg
    assert elapsed < 30, elapsed  # bounded (not a timing assertion on speed: it would hang without)


def test_statement_timeout_through_options_over_tls(tmp_path):
    h = tmp_path / "home"
    url = with_params(REQUIRE_URL, options="-c statement_timeout=300")
    assert "options=-c%20statement_timeout%3D300" in url
    r = aishell(["connect", url, "--name", "slow"], h)
    assert r.returncode == 0, r.stderr + r.stdout
    rows = query_json(h, "SELECT ssl, statement_timeout FROM slow.public.connection_tls")
    assert rows == [[True, "300ms"]], rows
    # A fast query runs; a pushed self-join counting 900M pairs is cancelled by the server.
    r = aishell(["query", "SELECT count(*) FROM slow.public.customers", "--format", "csv"], h)
    assert r.returncode == 0 and "5000" in r.stdout, r.stderr + r.stdout
    sql = ("SELECT count(*) FROM slow.public.big_numbers a JOIN slow.public.big_numbers b ON a.k = b.k")
    r = aishell(["explain", "--format", "text", sql], h)
    assert r.returncode == 0 and r.stdout.count("COPY (") == 1, r.stdout + r.stderr
    r = aishell(["query", sql], h)
    assert r.returncode != 0
    msg = error_line(r)
    assert "postgres source 'slow'" in msg and "canceling statement due to statement timeout" in msg, msg


# ---------------------------------------------------------------------------------------------
# The password in no listing, plan or error.

def test_no_password_in_listing_explain_or_errors(home):
    r = aishell(["connections"], home)  # the table (may be cut to the terminal's width)
    assert r.returncode == 0 and "tls" in r.stdout, r.stderr + r.stdout
    r = aishell(["connections", "--format", "json"], home)
    assert r.returncode == 0, r.stderr
    urls = {row[0]: row[2] for row in parse_json_rows(r.stdout)}
    assert "sslmode=verify-full" in urls["tls"] and ":***@" in urls["tls"], urls
    assert "sslmode=require" in urls["req"] and ":***@" in urls["req"], urls
    for args in (["explain", "SELECT count(*) FROM tls.public.big_numbers WHERE k = 1"],
                 ["explain", "--analyze", "SELECT k, count(*) FROM tls.public.big_numbers GROUP BY k"],
                 ["query", "SELECT * FROM tls.public.no_such_table"],
                 ["query", "SELECT no_such_column FROM req.public.customers"]):
        r = aishell(args, home)  # aishell() asserts that no password is printed
        assert (r.returncode == 0) == (args[0] == "explain"), r.stderr + r.stdout


# ---------------------------------------------------------------------------------------------
# Failures after registration: clear errors naming the source, never a hang.

def psql_as(url, sql):
    return subprocess.run([os.path.join(PG_BIN, "psql"), "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1",
                           "-d", url, "-c", sql], capture_output=True, text=True, timeout=60)


def test_backend_killed_mid_copy_over_tls(tmp_path):
    """The server ends the TLS connections while aishell streams a 900M-row pushed join through
    PQgetCopyData: the query fails with the source's name, promptly, without a password."""
    app = "pgtls_kill_" + uuid.uuid4().hex[:10]
    h = tmp_path / "home"
    r = aishell(["connect", with_params(VERIFY_URL, application_name=app), "--name", "victim"], h)
    assert r.returncode == 0, r.stderr + r.stdout
    sql = "SELECT max(a.n + b.n) FROM victim.public.big_numbers a JOIN victim.public.big_numbers b ON a.k = b.k"
    env = dict(os.environ, AISHELL_HOME=str(h), NO_COLOR="1")
    proc = subprocess.Popen([aishell_binary(), "query", sql], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    try:
        killed = 0
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            out = psql_as(with_params(VERIFY_URL, application_name="pgtls_killer"),
                          "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                          f"WHERE application_name = '{app}' AND state = 'active' AND query LIKE 'COPY (%'")
            assert out.returncode == 0, out.stderr
            killed = int(out.stdout.strip() or 0)
            if killed:
                break
            time.sleep(0.1)
        assert killed > 0, "the COPY was never seen running"
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode > 0, (proc.returncode, stderr)  # an error exit, not a crash (signal)
    assert_no_password(stdout, stderr)
    msg = error_line(subprocess.CompletedProcess([], proc.returncode, stdout, stderr))
    assert "postgres source 'victim'" in msg, msg
    # Which of the server's goodbye and the socket's close libpq sees first is a race (under load
    # the close wins): either names what happened.
    assert ("terminating connection due to administrator command" in msg
            or "closed unexpectedly" in msg), msg


def test_ca_file_gone_after_registration(tmp_path):
    ca = tmp_path / "ca-copy.crt"
    ca.write_bytes(open(TLS_CA, "rb").read())
    h = tmp_path / "home"
    r = aishell(["connect", with_params(TLS_URL, sslmode="verify-full", sslrootcert=str(ca)), "--name", "moved"], h)
    assert r.returncode == 0, r.stderr + r.stdout
    ca.unlink()
    r = aishell(["query", "SELECT count(*) FROM moved.public.customers"], h)
    assert r.returncode != 0
    msg = error_line(r)
    assert "moved" in msg and "ca-copy.crt" in msg, msg
