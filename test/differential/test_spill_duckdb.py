"""Spilling to disk (federation.spill): aggregation, sort and hash join under a tiny
federation.max_memory give the same rows as the unspilled run and as DuckDB; a query over ~10x the
limit completes under a hard address-space limit (prlimit --as) and is never killed; with
spilling off it fails with a message naming federation.max_memory and federation.spill; spill
files are gone when a query ends, fails or is killed.

Data: t (30,000 rows: a skewed integer key with NULLs, a string key with NULLs, values) and
u (20,000 rows), deterministic, written as CSV.
"""
import decimal
import os
import random
import re
import shutil
import signal
import subprocess
import time

import duckdb
import pytest

from aishell_cli import aishell_binary, parse_json_rows, run_aishell

TINY = "256KB"


def _write(path, header, rows):
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join("" if v is None else str(v) for v in r) + "\n")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    rng = random.Random(2026)
    d = tmp_path_factory.mktemp("spill")
    t = []
    for i in range(30000):
        k = None if i % 53 == 0 else (7 if i % 5 == 0 else rng.randint(0, 6000))  # skewed: 7
        s = None if i % 41 == 0 else "s%05d" % rng.randint(0, 9000)
        t.append((i, k, s, rng.randint(-1000, 1000)))
    u = []
    for j in range(20000):
        k = None if j % 37 == 0 else rng.randint(0, 6000)
        s = None if j % 43 == 0 else "s%05d" % rng.randint(0, 9000)
        u.append((j, k, s, rng.randint(0, 100)))
    _write(d / "t.csv", ["id", "k", "s", "v"], t)
    _write(d / "u.csv", ["j", "k", "s", "w"], u)
    return {"t": str(d / "t.csv"), "u": str(d / "u.csv"), "dir": d}


# (id, sql over {t} and {u}, ordered, operators that must spill)
QUERIES = [
    ("agg_int_keys_nulls_skew", "SELECT k, count(*), sum(v), min(s), max(s) FROM {t} GROUP BY k", False,
     ["aggregat"]),
    ("agg_string_keys", "SELECT s, count(*), sum(v), min(id) FROM {t} GROUP BY s", False, ["aggregat"]),
    ("agg_two_keys", "SELECT k % 10, s, count(*), avg(v) FROM {t} GROUP BY k % 10, s", False, ["aggregat"]),
    ("agg_distinct", "SELECT k % 97, count(DISTINCT s), count(DISTINCT v), sum(v), count(*) FROM {t} GROUP BY k % 97",
     False, ["aggregat"]),
    ("agg_distinct_string_key", "SELECT s, count(DISTINCT k), sum(DISTINCT v) FROM {t} GROUP BY s", False,
     ["aggregat"]),
    ("select_distinct", "SELECT DISTINCT s, k % 3 FROM {t}", False, ["aggregat"]),
    ("sort_strings_nulls", "SELECT id, k, s FROM {t} ORDER BY s NULLS FIRST, k DESC NULLS LAST, id", True, ["sort"]),
    ("sort_desc", "SELECT v, id, s FROM {t} ORDER BY v DESC, id", True, ["sort"]),
    ("join_inner_string_key", "SELECT t.id, u.j, u.w FROM {t} t JOIN {u} u ON t.s = u.s", False, ["join"]),
    ("join_left_int_key", "SELECT t.id, u.j, u.s FROM {t} t LEFT JOIN {u} u ON t.k = u.k", False, ["join"]),
    ("join_right_residual", "SELECT t.id, u.j FROM {t} t RIGHT JOIN {u} u ON t.s = u.s AND t.v > u.w", False,
     ["join"]),
    ("join_full", "SELECT t.id, t.s, u.j, u.s FROM {t} t FULL JOIN {u} u ON t.k = u.k AND t.s = u.s", False, ["join"]),
    ("join_semi", "SELECT id FROM {t} WHERE s IN (SELECT s FROM {u})", False, ["join"]),
    ("join_anti", "SELECT id FROM {t} t WHERE NOT EXISTS (SELECT 1 FROM {u} u WHERE u.k = t.k AND u.s = t.s)", False, ["join"]),
    ("join_then_agg_sort",
     "SELECT t.k, count(*), sum(u.w) FROM {t} t JOIN {u} u ON t.k = u.k GROUP BY t.k ORDER BY t.k NULLS FIRST",
     True, []),
]


def _source(path):
    return f"read_csv('{path}')"


def _normalize(v):
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, (int, float, decimal.Decimal)):
        return round(float(v), 6)
    return str(v)


def _rows(rows, ordered):
    out = [tuple(_normalize(v) for v in r) for r in rows]
    return out if ordered else sorted(out, key=lambda r: tuple((x is None, str(x)) for x in r))


def _aishell(home, sql, *flags):
    r = run_aishell(["query", "--format", "json", *flags, sql], home=home, timeout=300)
    assert r.returncode == 0, r.stderr + r.stdout
    return parse_json_rows(r.stdout)


@pytest.fixture(scope="module")
def spill_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("spillhome")
    spill_dir = home / "spill"
    spill_dir.mkdir()
    r = run_aishell(["config", "set", "federation.spill_path", str(spill_dir)], home=home)
    assert r.returncode == 0, r.stderr
    return home


@pytest.mark.parametrize("qid,sql,ordered,spills", QUERIES, ids=[q[0] for q in QUERIES])
def test_spilled_equals_unspilled_and_duckdb(data, spill_home, qid, sql, ordered, spills):
    a_sql = sql.format(t=_source(data["t"]), u=_source(data["u"]))
    spilled = _rows(_aishell(spill_home, a_sql, "--max-memory", TINY), ordered)
    unspilled = _rows(_aishell(spill_home, a_sql), ordered)
    con = duckdb.connect()
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv_auto('{data['t']}')")
    con.execute(f"CREATE TABLE u AS SELECT * FROM read_csv_auto('{data['u']}')")
    expected = _rows(con.execute(sql.format(t="t", u="u")).fetchall(), ordered)
    assert len(spilled) == len(expected)
    assert spilled == unspilled
    assert spilled == expected
    # The operators spilled, and EXPLAIN ANALYZE says how much.
    r = run_aishell(["query", "--max-memory", TINY, "EXPLAIN ANALYZE " + a_sql], home=spill_home, timeout=300)
    assert r.returncode == 0, r.stderr
    for op in spills:
        assert any(op in line.lower() and "spilled=" in line for line in r.stdout.splitlines()), r.stdout
    # Nothing is left in the spill directory.
    assert os.listdir(spill_home / "spill") == []


def test_stats_show_spilled_bytes(data, spill_home):
    sql = f"SELECT s, count(*) FROM {_source(data['t'])} GROUP BY s ORDER BY s"
    r = run_aishell(["query", "--stats", "--max-memory", TINY, sql], home=spill_home, timeout=300)
    assert r.returncode == 0, r.stderr
    out = r.stdout + r.stderr
    assert re.search(r"spilled [0-9.]+ [KMG]?B to disk \(32 partitions\)", out), out
    assert re.search(r"spilled [0-9.]+ [KMG]?B to disk \([0-9]+ sorted runs\)", out), out


def test_spill_off_names_both_settings(data, tmp_path):
    home = tmp_path / "home"
    assert run_aishell(["config", "set", "federation.spill", "false"], home=home).returncode == 0
    sql = f"SELECT s, count(*) FROM {_source(data['t'])} GROUP BY s"
    r = run_aishell(["query", "--max-memory", TINY, sql], home=home)
    assert r.returncode != 0
    assert "federation.max_memory" in r.stderr and "federation.spill" in r.stderr, r.stderr


def test_spill_cap_is_a_clear_error(data, tmp_path):
    home = tmp_path / "home"
    spill_dir = tmp_path / "spill"
    spill_dir.mkdir()
    assert run_aishell(["config", "set", "federation.spill_max_size", "64KB"], home=home).returncode == 0
    assert run_aishell(["config", "set", "federation.spill_path", str(spill_dir)], home=home).returncode == 0
    sql = f"SELECT id, s FROM {_source(data['t'])} ORDER BY s, id"
    r = run_aishell(["query", "--max-memory", TINY, sql], home=home)
    assert r.returncode != 0
    assert "federation.spill_max_size" in r.stderr, r.stderr
    assert os.listdir(spill_dir) == []  # a failed query leaves nothing behind


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """~10x a 2MB limit: 200,000 rows of mostly distinct string keys."""
    rng = random.Random(7)
    d = tmp_path_factory.mktemp("spillbig")
    rows = [(i, "key%07d" % rng.randint(0, 150000), rng.randint(0, 1000)) for i in range(200000)]
    _write(d / "big.csv", ["id", "s", "v"], rows)
    return str(d / "big.csv")


def _prlimit():
    return shutil.which("prlimit")


def _run_limited(home, args, address_space):
    env = dict(os.environ, AISHELL_HOME=str(home), NO_COLOR="1")
    cmd = [_prlimit(), f"--as={address_space}", aishell_binary()] + args
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)


def test_ten_times_max_memory_spills_under_a_hard_address_space_limit(big, tmp_path):
    if not _prlimit():
        pytest.skip("prlimit (util-linux) is not installed")
    home = tmp_path / "home"
    home.mkdir()
    sql = (f"SELECT g.s, g.c, g.sv FROM (SELECT s, count(*) AS c, sum(v) AS sv FROM read_csv('{big}') GROUP BY s) g "
           f"JOIN (SELECT DISTINCT s FROM read_csv('{big}') WHERE v < 500) f ON g.s = f.s ORDER BY g.sv DESC, g.s")
    # The address space a small query needs (code, thread stacks, allocator arenas) plus a margin
    # well under what holding the input in memory would take.
    limit = 1200 * 1024 * 1024
    r = _run_limited(home, ["query", "--format", "json", "--max-memory", "2MB", sql], limit)
    assert r.returncode == 0, (r.returncode, r.stderr[-2000:])
    rows = parse_json_rows(r.stdout)
    con = duckdb.connect()
    con.execute(f"CREATE TABLE big AS SELECT * FROM read_csv_auto('{big}')")
    expected = con.execute(sql.replace(f"read_csv('{big}')", "big")).fetchall()
    assert _rows(rows, True) == _rows(expected, True)
    # With spilling off the same query fails cleanly (an error, not a signal).
    assert run_aishell(["config", "set", "federation.spill", "off"], home=home).returncode == 0
    r = _run_limited(home, ["query", "--max-memory", "2MB", sql], limit)
    assert r.returncode == 1, (r.returncode, r.stderr[-2000:])
    assert "federation.max_memory" in r.stderr and "federation.spill" in r.stderr


def test_killed_query_leaves_no_spill_files(big, tmp_path):
    home = tmp_path / "home"
    spill_dir = tmp_path / "spill"
    spill_dir.mkdir()
    assert run_aishell(["config", "set", "federation.spill_path", str(spill_dir)], home=home).returncode == 0
    sql = f"SELECT a.s, count(*) FROM read_csv('{big}') a JOIN read_csv('{big}') b ON a.s = b.s GROUP BY a.s ORDER BY 2 DESC, 1"
    env = dict(os.environ, AISHELL_HOME=str(home), NO_COLOR="1")
    proc = subprocess.Popen([aishell_binary(), "query", "--max-memory", "1MB", sql], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # Wait (without a time assertion) until the query has started spilling, or ended.
        while proc.poll() is None and not os.listdir(spill_dir):
            time.sleep(0.01)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
    # Spill files have no name (or are unlinked as soon as they are created): only the dead
    # query's directory is left.
    for d in os.listdir(spill_dir):
        assert os.listdir(spill_dir / d) == []
    # The next query that spills sweeps the directory of the dead process.
    sql2 = f"SELECT s, count(*) FROM read_csv('{big}') GROUP BY s"
    r = run_aishell(["query", "--max-memory", "1MB", sql2], home=home, timeout=300)
    assert r.returncode == 0, r.stderr
    assert os.listdir(spill_dir) == []
