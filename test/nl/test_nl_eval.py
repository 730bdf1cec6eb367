"""The English translator's evaluation: every question of eval_set.py runs through
`aishell query --nl` and its SQL a person would write through `aishell query --sql`, over generated
SQLite sources (no server), on seed 002's and seed 000's schemas and on a renamed copy of each. The
results are compared (not the SQL text). Questions whose SQL is None must be refused (exit 2).
The bar (issue 21): at least 90% answered correctly, and no wrong answer."""
import csv
import datetime
import io
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aishell_cli import run_aishell  # noqa: E402
import eval_set  # noqa: E402
import nl_data  # noqa: E402


def _dates(today):
    monday = today - datetime.timedelta(days=today.weekday())
    m0 = today.replace(day=1)
    pm0 = (m0 - datetime.timedelta(days=1)).replace(day=1)
    m1 = (m0 + datetime.timedelta(days=32)).replace(day=1)
    q_start = datetime.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    q0 = (q_start - datetime.timedelta(days=80)).replace(day=1)
    q0 = datetime.date(q0.year, (q0.month - 1) // 3 * 3 + 1, 1)
    d = {
        "today": today, "tomorrow": today + datetime.timedelta(days=1),
        "yesterday": today - datetime.timedelta(days=1),
        "lw0": monday - datetime.timedelta(days=7), "lw1": monday,
        "tw0": monday, "tw1": monday + datetime.timedelta(days=7),
        "d7": today - datetime.timedelta(days=7), "d6": today - datetime.timedelta(days=6),
        "d30": today - datetime.timedelta(days=30), "d14": today - datetime.timedelta(days=14),
        "ly0": datetime.date(today.year - 1, 1, 1),
        "m0": m0, "m1": m1, "pm0": pm0, "q0": q0, "q1": q_start,
        "y0": datetime.date(today.year, 1, 1), "y1": datetime.date(today.year + 1, 1, 1),
    }
    d = {k: v.isoformat() for k, v in d.items()}
    d["month_name"] = pm0.strftime("%B")
    d["month_year"] = str(pm0.year)
    return d


def _rows(text):
    rows = list(csv.reader(io.StringIO(text)))[1:]
    out = []
    for row in rows:
        norm = []
        for v in row:
            try:
                f = float(v)
                norm.append(f"{f:.6g}")
            except ValueError:
                norm.append(v)
        out.append(tuple(norm))
    return out


def _setup(tmp_path, seed, renamed):
    folder = tmp_path / f"{seed}-{'renamed' if renamed else 'original'}"
    folder.mkdir()
    today = datetime.date.today()
    gen = nl_data.generate_seed002 if seed == "002" else nl_data.generate_seed000
    sources = gen(str(folder), today, renamed)
    home = folder / "home"
    for s in sources:
        r = run_aishell(["connect", f"sqlite://{folder}/{s}.db", "--name", s], home)
        assert r.returncode == 0, r.stderr
    tables = {}
    for logical, new in nl_data.RENAMED.items():
        name = new if renamed else logical
        for s in sources:
            import sqlite3
            con = sqlite3.connect(f"{folder}/{s}.db")
            if con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone():
                tables[logical] = f"{s}.main.{name}"
    return home, tables, today


def _evaluate(home, tables, today, questions):
    dates = _dates(today)
    fields = dict(dates)
    fields.update(tables)

    def one(item):
        question, gold = item
        q = question.format(**dates)
        nl = run_aishell(["query", "--nl", "--yes", "--format", "csv", q], home)
        if gold is None:
            if nl.returncode == 2:
                return ("refused-ok", q, "")
            return ("wrong", q, "answered a question it must refuse:\n" + nl.stderr[-2000:])
        if nl.returncode == 2:
            return ("refused", q, nl.stderr.strip().splitlines()[-2] if nl.stderr.strip() else "")
        if nl.returncode != 0:
            return ("wrong", q, "failed: " + nl.stderr[-2000:])
        sql = gold.format(**fields)
        ref = run_aishell(["query", "--sql", "--format", "csv", sql], home)
        assert ref.returncode == 0, f"gold SQL failed for {q!r}: {sql}\n{ref.stderr}"
        got, want = _rows(nl.stdout), _rows(ref.stdout)
        ordered = re.search(r"\bORDER BY\b", sql) is not None
        if (got == want) if ordered else (sorted(got) == sorted(want)):
            return ("correct", q, "")
        sql_text = re.search(r"Generated SQL:\n(.*?)\n\n", nl.stderr, re.S)
        return ("wrong", q, f"{len(got)} rows vs {len(want)} expected\n"
                + (sql_text.group(1) if sql_text else nl.stderr[-1500:]))

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(one, questions))


@pytest.mark.connector("sqlite")
def test_evaluation_set(tmp_path):
    results = []
    for seed, questions in (("002", eval_set.SEED002), ("000", eval_set.SEED000)):
        for renamed in (False, True):
            home, tables, today = _setup(tmp_path, seed, renamed)
            for r in _evaluate(home, tables, today, questions):
                results.append((seed, renamed) + r)
    total = len(results)
    counts = {k: sum(1 for r in results if r[2] == k)
              for k in ("correct", "refused-ok", "refused", "wrong")}
    good = counts["correct"] + counts["refused-ok"]
    report = [f"evaluation: {total} questions (seed 002 and 000, original and renamed schema): "
              f"{good} correct ({100.0 * good / total:.1f}%: {counts['correct']} answered, "
              f"{counts['refused-ok']} refused as they must be), {counts['refused']} refused, "
              f"{counts['wrong']} wrong"]
    for seed, renamed, kind, q, detail in results:
        if kind in ("wrong", "refused"):
            report.append(f"  [{kind}] seed {seed}{' renamed' if renamed else ''}: {q}\n"
                          f"      {detail}")
    print("\n".join(report))
    with open(os.path.join(str(tmp_path), "..", "nl-eval-report.txt"), "w") as f:
        f.write("\n".join(report) + "\n")
    assert counts["wrong"] == 0, "\n".join(report)
    assert good >= 0.9 * total, "\n".join(report)
