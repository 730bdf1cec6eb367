"""aishell query --async, jobs, jobs show/cancel, export <id>, --notify-on-complete, notify.command."""
import json
import os
import sqlite3
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from aishell_cli import run_aishell  # noqa: E402

pytestmark = [pytest.mark.connector("sqlite")]

SLOW = ("SET SESSION max_cartesian_rows = 0; SELECT count(*) FROM UNNEST(sequence(1, 10000)) a(x) "
        "CROSS JOIN UNNEST(sequence(1, 10000)) b(y) CROSS JOIN UNNEST(sequence(1, 100)) c(z) "
        "WHERE x + y + z > 0")


def ok(r):
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


@pytest.fixture
def home(tmp_path):
    h = tmp_path / "home"
    db = sqlite3.connect(str(tmp_path / "crm.db"))
    db.execute("CREATE TABLE customers (id INTEGER, name TEXT)")
    db.executemany("INSERT INTO customers VALUES (?, ?)", [(i, f"c{i}") for i in range(1, 51)])
    db.commit()
    ok(run_aishell(["connect", f"sqlite://{tmp_path / 'crm.db'}", "--name", "crm"], h))
    return h


def wait_for(home, job_id, statuses=("done", "failed", "cancelled")):
    """Polls `jobs --format json` until the job ends (no time is asserted)."""
    for _ in range(600):
        jobs = json.loads(ok(run_aishell(["jobs", "--format", "json"], home)))
        job = [j for j in jobs if j["id"] == job_id][0]
        if job["status"] in statuses:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not end: {job}")


def test_async_query_then_export(home):
    out = ok(run_aishell(["query", "SELECT id, name FROM crm.main.customers WHERE id <= 3 ORDER BY id", "--async"],
                         home))
    assert out.startswith("⏳ Job 1 started in the background")
    job = wait_for(home, "1")
    assert job["status"] == "done" and job["rows"] == 3
    shown = ok(run_aishell(["jobs", "show", "1"], home))
    assert "Job 1: done" in shown and "Rows: 3" in shown and "SELECT id, name FROM crm.main.customers" in shown
    rows = json.loads(ok(run_aishell(["export", "1", "--format", "json"], home)))
    assert rows == [{"id": 1, "name": "c1"}, {"id": 2, "name": "c2"}, {"id": 3, "name": "c3"}]
    assert ok(run_aishell(["export", "1", "--format", "csv"], home)).splitlines()[0] == "id,name"
    # `export last` is not the job's result.
    ok(run_aishell(["query", "SELECT 42 AS answer"], home))
    assert ok(run_aishell(["export", "last"], home)).splitlines() == ["answer", "42"]


def test_cancel(home):
    ok(run_aishell(["query", SLOW, "--async"], home))
    wait_for(home, "1", statuses=("running",))
    out = ok(run_aishell(["jobs", "cancel", "1"], home))
    assert "Job 1: cancelled" in out
    r = run_aishell(["export", "1"], home)
    assert r.returncode == 1 and "job 1 is cancelled" in r.stderr
    r = run_aishell(["jobs", "cancel", "1"], home)
    assert r.returncode == 1 and "already ended (cancelled)" in r.stderr


def test_notify_on_complete_and_hook(home, tmp_path):
    marker = tmp_path / "hook.txt"
    ok(run_aishell(["config", "set", "notify.command",
                    f'echo "$AISHELL_JOB_ID $AISHELL_JOB_STATUS $AISHELL_JOB_ROWS" > {marker}'], home))
    ok(run_aishell(["query", "SELECT * FROM crm.main.customers", "--async", "--notify-on-complete"], home))
    # The hook runs once the job is recorded as done (no other aishell command before `views`, which
    # would be the one that tells).
    for _ in range(600):
        if marker.exists() and marker.read_text().strip():
            break
        time.sleep(0.1)
    assert marker.read_text().strip() == "1 done 50"
    r = run_aishell(["views"], home)
    assert "\a🔔 Job 1 done: 50 rows" in r.stderr and "aishell export 1" in r.stderr
    r = run_aishell(["views"], home)
    assert "🔔" not in r.stderr  # told once


def test_failed_job_and_bad_input(home):
    ok(run_aishell(["query", "SELECT nope FROM crm.main.customers", "--sql", "--async"], home))
    job = wait_for(home, "1")
    assert job["status"] == "failed"
    r = run_aishell(["jobs", "show", "1"], home)
    assert r.returncode == 1 and "Error:" in r.stdout and "nope" in r.stdout
    r = run_aishell(["export", "1"], home)
    assert r.returncode == 1 and "job 1 is failed" in r.stderr
    r = run_aishell(["export", "7"], home)
    assert r.returncode == 2 and "not '7'" in r.stderr
    r = run_aishell(["jobs", "show", "7"], home)
    assert r.returncode == 1 and "no job '7'" in r.stderr
    r = run_aishell(["query", "SELECT 1", "--notify-on-complete"], home)
    assert r.returncode == 2 and "--notify-on-complete goes with --async" in r.stderr
    r = run_aishell(["jobs", "stop", "1"], home)
    assert r.returncode == 2 and "unknown jobs subcommand 'stop'" in r.stderr


def test_streaming_prints_batches_as_they_arrive(home):
    r = run_aishell(["query", "SELECT x FROM UNNEST(sequence(1, 5000)) t(x)", "--streaming"], home)
    ok(r)
    assert r.stdout.count("┌") >= 2  # one table per batch of rows as it arrived
    assert "Results: 5,000 rows" in r.stdout
    assert "--streaming keeps no result" in r.stderr
    r = run_aishell(["query", "SELECT x FROM UNNEST(sequence(1, 3)) t(x)", "--streaming", "--format", "jsonl"], home)
    assert ok(r).splitlines() == ['{"x":1}', '{"x":2}', '{"x":3}']
    r = run_aishell(["query", "SELECT 1", "--streaming", "--async"], home)
    assert r.returncode == 2 and "not with --async" in r.stderr
