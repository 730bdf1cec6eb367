"""The cartesian product guard (query --allow-cartesian / --auto-fix) and the notice for a join
key typed INTEGER on one side and VARCHAR on the other, through the command line."""
import csv
import random

import pytest

from aishell_cli import parse_json_rows

USERS = 1500
ORDERS = 1200


def ok(proc):
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc


@pytest.fixture
def shop(tmp_path):
    """users.csv (id, name) and orders.csv (order_id, user_id, amount); user_id also as text."""
    rng = random.Random(20)
    d = tmp_path / "shop"
    d.mkdir()
    users = [(i, f"user{i}") for i in range(1, USERS + 1)]
    orders = [(1000 + k, rng.randint(1, USERS + 50), rng.randint(1, 500)) for k in range(ORDERS)]
    with open(d / "users.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name"])
        w.writerows(users)
    with open(d / "orders.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["order_id", "user_id", "amount"])
        w.writerows(orders)
    # the same orders with the user id as text, some zero-padded and some not numbers at all
    with open(d / "orders_text.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["order_id", "user_ref", "amount"])
        for k, (oid, uid, amount) in enumerate(orders):
            ref = f"{uid:05d}" if k % 3 == 0 else (f"u{uid}" if k % 7 == 0 else str(uid))
            w.writerow([oid, ref, amount])
    return d, users, orders


def join_expected(users, orders):
    ids = {u for u, _ in users}
    rows = [(uid, amount) for _, uid, amount in orders if uid in ids]
    return len(rows), sum(a for _, a in rows)


CROSS = ("SELECT count(*) AS n, sum(o.amount) AS total "
         "FROM read_csv('{d}/users.csv') u CROSS JOIN read_csv('{d}/orders.csv') o")


def test_cartesian_refused_with_arithmetic_and_suggestion(cli, shop):
    d, _, _ = shop
    proc = cli("query", CROSS.format(d=d))
    assert proc.returncode != 0, proc.stdout
    err = proc.stderr
    assert "cartesian product" in err
    assert "(1,500) ×" in err and "(1,200) = 1.8 million rows" in err, err
    assert "federation.max_cartesian_rows (1,000,000)" in err
    assert "Suggestion: add ON u.id = o.user_id" in err, err
    assert "Traceback" not in err


def test_cartesian_comma_join_and_non_equi_condition_refused(cli, shop):
    d, _, _ = shop
    comma = cli("query", f"SELECT count(*) FROM read_csv('{d}/users.csv') u, read_csv('{d}/orders.csv') o")
    assert comma.returncode != 0 and "cartesian product" in comma.stderr
    non_equi = cli("query", f"SELECT count(*) FROM read_csv('{d}/users.csv') u "
                            f"JOIN read_csv('{d}/orders.csv') o ON o.user_id < u.id")
    assert non_equi.returncode != 0 and "cartesian product" in non_equi.stderr


def test_allow_cartesian_runs_it(cli, shop):
    d, users, orders = shop
    proc = ok(cli("query", "--allow-cartesian", "--format", "json", CROSS.format(d=d)))
    rows = parse_json_rows(proc.stdout)
    assert rows == [[USERS * ORDERS, USERS * sum(a for _, _, a in orders)]]


def test_session_setting_zero_disables_the_guard(cli, shop):
    d, _, orders = shop
    proc = ok(cli("query", "--format", "json",
                  "SET SESSION max_cartesian_rows = 0; " + CROSS.format(d=d)))
    assert parse_json_rows(proc.stdout)[-1] == [USERS * ORDERS, USERS * sum(a for _, _, a in orders)]


def test_config_setting_is_registered(cli):
    proc = ok(cli("config", "list"))
    assert "federation.max_cartesian_rows" in proc.stdout
    ok(cli("config", "set", "federation.max_cartesian_rows", "5000000"))
    assert "5000000" in ok(cli("config", "get", "federation.max_cartesian_rows")).stdout
    assert cli("config", "set", "federation.max_cartesian_rows", "lots").returncode != 0


def test_auto_fix_applies_the_suggestion(cli, shop):
    d, users, orders = shop
    proc = ok(cli("query", "--auto-fix", "--format", "json", CROSS.format(d=d)))
    assert parse_json_rows(proc.stdout) == [list(join_expected(users, orders))]
    assert "\u2139\ufe0f" in proc.stderr
    assert "added ON u.id = o.user_id" in proc.stderr, proc.stderr


def test_small_cross_join_is_never_refused(cli, shop):
    d, _, _ = shop
    proc = ok(cli("query", "--format", "json",
                  f"SELECT count(*) FROM read_csv('{d}/users.csv') u "
                  "CROSS JOIN (VALUES (1), (2), (3)) AS t(k)"))
    assert parse_json_rows(proc.stdout) == [[USERS * 3]]
    assert "cartesian" not in proc.stderr


def test_int_varchar_join_key_converted_with_notice(cli, shop):
    d, users, orders = shop
    sql = (f"SELECT count(*) AS n, sum(o.amount) AS total FROM read_csv('{d}/users.csv') u "
           f"JOIN read_csv('{d}/orders_text.csv') o ON u.id = o.user_ref")
    proc = ok(cli("query", "--format", "json", sql))
    # Python: the text key read as an integer ('00042' is 42), 'u42' matches nothing
    ids = {u for u, _ in users}
    n = total = 0
    with open(d / "orders_text.csv") as f:
        for row in csv.DictReader(f):
            ref = row["user_ref"]
            if ref.isdigit() and int(ref) in ids:
                n += 1
                total += int(row["amount"])
    assert parse_json_rows(proc.stdout) == [[n, total]]
    notice = [line for line in proc.stderr.splitlines() if "Type mismatch" in line]
    assert notice, proc.stderr
    assert notice[0].startswith("\u2139\ufe0f")
    assert "u.id (BIGINT)" in notice[0] and "o.user_ref (VARCHAR)" in notice[0], notice[0]
    assert "TRY_CAST(o.user_ref AS BIGINT)" in notice[0]
