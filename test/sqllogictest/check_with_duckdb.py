#!/usr/bin/env python3
"""Cross-checks the expected results of .test files against DuckDB (python duckdb).

The expected results in test/sql were written by reasoning; this tool runs the same SQL in
DuckDB to catch mistakes. Records marked `onlyif aishell` or `skipif duckdb` are skipped
(Trino semantics that DuckDB does not share, e.g. integer division).

Usage: python3 test/sqllogictest/check_with_duckdb.py [files or dirs...]   (default: test/sql)
       python3 test/sqllogictest/check_with_duckdb.py --fill FILE...
--fill writes DuckDB's results as the expected rows of every query record of FILE that DuckDB
runs (records marked `onlyif aishell` or `skipif duckdb` are left as written): expected results
computed by DuckDB from the same data, for files such as test/sql/grouping/*.test.
"""
import datetime
import decimal
import hashlib
import math
import os
import re
import sys
import tempfile

import duckdb

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def render(v):
    if v is None:
        return "NULL"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return repr(v)
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, datetime.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, datetime.time):  # as DuckDB and aishell print it: no trailing zeros
        text = v.isoformat()
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(v, list):  # as aishell (and Trino's CLI) print arrays: [1, NULL, x]
        return "[" + ", ".join(render_element(x) for x in v) + "]"
    s = str(v)
    return s if s != "" else "(empty)"


def render_element(v):
    r = render(v)
    return "" if r == "(empty)" else r


def values_match(e, a):
    if e == a:
        return True
    try:
        fe, fa = float(e), float(a)
    except ValueError:
        return False
    return abs(fe - fa) <= 1e-9 or abs(fe - fa) <= 1e-6 * max(abs(fe), abs(fa))


def parse(path):
    lines = open(path).read().split("\n")
    i, records, skip_next = 0, [], False
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        if not line or line.startswith("#"):
            continue
        words = line.split()
        if words[0] in ("skipif", "onlyif"):
            skip_next = (words[0] == "skipif" and words[1] == "duckdb") or (
                words[0] == "onlyif" and words[1] != "duckdb")
            continue
        rec = {"head": words, "line": i, "skip": skip_next}
        skip_next = False
        if words[0] in ("statement", "query"):
            sql = []
            while i < len(lines) and lines[i].strip() and lines[i].strip() != "----":
                sql.append(lines[i])
                i += 1
            rec["sql"] = "\n".join(sql)
            rec["expected"] = []
            if i < len(lines) and lines[i].strip() == "----":
                i += 1
                while i < len(lines) and lines[i].strip():
                    rec["expected"].append(lines[i])
                    i += 1
        records.append(rec)
    return records


def trino_decimal_literal(m):
    """Trino's DECIMAL '<text>' takes its precision and scale from the text; DuckDB's is
    DECIMAL(18,3). Spelled as a CAST with the text's own precision and scale."""
    text = m.group(1).strip()
    digits = text.lstrip("+-")
    whole, _, frac = digits.partition(".")
    precision = max(1, len(whole.lstrip("0")) + len(frac))
    return f"CAST('{text}' AS DECIMAL({max(precision, len(frac))},{len(frac)}))"


def to_duckdb(sql):
    """The record's SQL in DuckDB's dialect, where only the spelling differs."""
    return re.sub(r"\bDECIMAL\s*'([^']*)'", trino_decimal_literal, sql, flags=re.IGNORECASE)


def check(path):
    con = duckdb.connect()
    tmp = tempfile.mkdtemp()
    data_dir = os.path.join(ROOT, "test", "data")
    problems = []
    threshold = 0
    for rec in parse(path):
        head = rec["head"]
        if head[0] == "hash-threshold":
            threshold = int(head[1])
            continue
        if head[0] == "halt":
            break
        if head[0] not in ("statement", "query") or rec["skip"]:
            continue
        sql = to_duckdb(rec["sql"].replace("__DATA_DIR__", data_dir).replace("__TEST_DIR__", tmp))
        where = f"{path}:{rec['line']}"
        try:
            cur = con.execute(sql)
            rows = cur.fetchall() if head[0] == "query" else None
            err = None
        except Exception as e:  # noqa: BLE001
            err = str(e)
        if head[0] == "statement":
            if head[1] == "ok" and err:
                problems.append(f"{where}: statement failed in DuckDB: {err}")
            if head[1] == "error" and not err:
                problems.append(f"{where}: statement succeeded in DuckDB, error expected")
            continue
        if err:
            problems.append(f"{where}: query failed in DuckDB: {err}")
            continue
        ncols = len(head[1])
        mode = head[2] if len(head) > 2 else "nosort"
        actual = [[render(v) for v in r] for r in rows]
        if rows and len(rows[0]) != ncols:
            problems.append(f"{where}: DuckDB returned {len(rows[0])} columns, record declares {ncols}")
            continue
        if mode == "rowsort":
            actual.sort()
        elif mode == "valuesort":
            actual = [[v] for v in sorted(v for r in actual for v in r)]
        exp_lines = rec["expected"]
        m = re.match(r"^(\d+) values hashing to ([0-9a-f]{32})$", exp_lines[0].strip()) if len(exp_lines) == 1 else None
        total = sum(len(r) for r in actual)
        if m:
            h = hashlib.md5("".join(v + "\n" for r in actual for v in r).encode()).hexdigest()
            if int(m.group(1)) != total or m.group(2) != h:
                problems.append(f"{where}: hash differs in DuckDB: {total} values hashing to {h}")
            continue
        width = 1 if mode == "valuesort" else ncols
        if width > 1 and not any("\t" in l for l in exp_lines) and len(exp_lines) == total and len(exp_lines) != len(actual):
            expected = [exp_lines[k:k + width] for k in range(0, len(exp_lines), width)]
        else:
            expected = [l.split("\t") if "\t" in l else ([l] if width == 1 else l.split()) for l in exp_lines]
        if mode == "rowsort":
            expected.sort()
        elif mode == "valuesort":
            expected = [[v] for v in sorted(v for r in expected for v in r)]
        ok = len(expected) == len(actual) and all(
            len(er) == len(ar) and all(values_match(e, a) for e, a in zip(er, ar)) for er, ar in zip(expected, actual))
        if not ok:
            problems.append(f"{where}: DuckDB disagrees\n  expected: {expected[:10]}\n  duckdb:   {actual[:10]}")
    return problems


def fill(path):
    """Rewrites the expected rows of each query record of `path` with DuckDB's results."""
    con = duckdb.connect()
    tmp = tempfile.mkdtemp()
    data_dir = os.path.join(ROOT, "test", "data")
    lines = open(path).read().split("\n")
    out, i, skip_next, filled = [], 0, False, 0
    while i < len(lines):
        line = lines[i].strip()
        out.append(lines[i])
        i += 1
        if not line or line.startswith("#"):
            continue
        words = line.split()
        if words[0] in ("skipif", "onlyif"):
            skip_next = (words[0] == "skipif" and words[1] == "duckdb") or (
                words[0] == "onlyif" and words[1] != "duckdb")
            continue
        skip, skip_next = skip_next, False
        if words[0] not in ("statement", "query"):
            continue
        sql = []
        while i < len(lines) and lines[i].strip() and lines[i].strip() != "----":
            sql.append(lines[i])
            out.append(lines[i])
            i += 1
        text = to_duckdb("\n".join(sql).replace("__DATA_DIR__", data_dir).replace("__TEST_DIR__", tmp))
        if words[0] == "statement" or skip:
            if words[0] == "statement" and not skip:
                try:
                    con.execute(text)
                except Exception:  # noqa: BLE001
                    pass
            continue
        try:
            rows = con.execute(text).fetchall()
        except Exception as e:  # noqa: BLE001
            raise SystemExit(f"{path}:{i}: DuckDB cannot run the query: {e}")
        mode = words[2] if len(words) > 2 else "nosort"
        actual = [[render(v) for v in r] for r in rows]
        if mode == "rowsort":
            actual.sort()
        elif mode == "valuesort":
            actual = [[v] for v in sorted(v for r in actual for v in r)]
        if i < len(lines) and lines[i].strip() == "----":
            i += 1
            while i < len(lines) and lines[i].strip():
                i += 1
        out.append("----")
        out.extend("\t".join(r) for r in actual)
        filled += 1
    open(path, "w").write("\n".join(out))
    print(f"{path}: {filled} query results written from DuckDB")


def main():
    if sys.argv[1:2] == ["--fill"]:
        for f in sys.argv[2:]:
            fill(f)
        return 0
    args = sys.argv[1:] or [os.path.join(ROOT, "test", "sql")]
    files = []
    for a in args:
        if os.path.isdir(a):
            for d, _, fs in os.walk(a):
                files += [os.path.join(d, f) for f in fs if f.endswith(".test")]
        else:
            files.append(a)
    bad = 0
    for f in sorted(files):
        problems = check(f)
        if problems:
            bad += 1
            print("\n".join(problems))
    print(f"{len(files) - bad} files agree with DuckDB, {bad} disagree")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
