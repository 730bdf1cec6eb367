"""Deterministic random tables for the differential tests, written as CSV in a temp dir."""
import csv
import datetime
import random

import pytest

WORDS = ["apple", "banana", "cherry", "date", "elder", "fig", "grape", "honeydew", "kiwi", "lemon"]


def _maybe(rng, value, null_ratio=0.1):
    return None if rng.random() < null_ratio else value


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for row in rows:
            w.writerow(["" if v is None else v for v in row])


@pytest.fixture(scope="session")
def diff_data(tmp_path_factory):
    """Paths of t1 (3000 rows), t2 (400 rows), t3 (50 rows); same seed in every worker."""
    rng = random.Random(20240521)
    base = tmp_path_factory.mktemp("diffdata")
    start = datetime.date(2024, 1, 1)
    t1 = []
    for i in range(1, 3001):
        t1.append([
            i,
            _maybe(rng, rng.randint(0, 50)),
            _maybe(rng, rng.choice("abcde")),
            round(rng.uniform(-100, 100), 2),
            rng.randint(-1000, 1000),
            (start + datetime.timedelta(days=rng.randint(0, 365))).isoformat(),
            _maybe(rng, rng.choice(WORDS) + str(rng.randint(0, 9)), 0.15),
        ])
    write_csv(base / "t1.csv", ["id", "k", "g", "x", "y", "d", "s"], t1)
    t2 = []
    for i in range(1, 401):
        t2.append([i, _maybe(rng, rng.randint(0, 60)), rng.randint(0, 100), f"n{i}"])
    write_csv(base / "t2.csv", ["j", "k", "v", "name"], t2)
    t3 = []
    for i in range(1, 51):
        t3.append([_maybe(rng, rng.choice("abcdef")), i % 5, f"label{i}"])
    write_csv(base / "t3.csv", ["g", "m", "label"], t3)
    return {
        "t1": f"(SELECT CAST(id AS INTEGER) AS id, CAST(k AS INTEGER) AS k, CAST(g AS VARCHAR) AS g, "
              f"CAST(x AS DOUBLE) AS x, CAST(y AS INTEGER) AS y, CAST(d AS DATE) AS d, "
              f"CAST(s AS VARCHAR) AS s FROM read_csv('{base / 't1.csv'}'))",
        "t2": f"(SELECT CAST(j AS INTEGER) AS j, CAST(k AS INTEGER) AS k, CAST(v AS INTEGER) AS v, "
              f"CAST(name AS VARCHAR) AS name FROM read_csv('{base / 't2.csv'}'))",
        "t3": f"(SELECT CAST(g AS VARCHAR) AS g, CAST(m AS INTEGER) AS m, CAST(label AS VARCHAR) AS label "
              f"FROM read_csv('{base / 't3.csv'}'))",
    }
