"""Seed 002's nested result shape through the command line: orders with
items: [{product_id, quantity, price}] (an ARRAY of ROW), printed as Trino's CLI prints it in the
box table and CSV ([{product_id=p1, quantity=2, price=9.99}]), and as JSON arrays of objects in
the JSON and JSON Lines outputs; DESCRIBE, SHOW COLUMNS and typeof() spell the type as Trino
does (array(row(product_id varchar, quantity integer, price decimal(10,2)))).

Expected values are computed here from the CSV rows the test writes."""
import csv
import decimal
import io
import json

from aishell_cli import run_aishell

LINES = [  # order_id, product_id, quantity, price
    (1, "p2", 1, "19.50"),
    (1, "p1", 2, "9.99"),
    (2, "p3", 10, "0.05"),
    (3, "p1", 1, "9.99"),
    (3, "p4", 3, "120.00"),
]

ITEM_TYPE = "row(product_id varchar, quantity integer, price decimal(10,2))"


def write_lines(path):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["order_id", "product_id", "quantity", "price"])
        w.writerows(LINES)


def query(path):
    lines = (f"(SELECT CAST(order_id AS INTEGER) AS order_id, CAST(product_id AS VARCHAR) AS product_id, "
             f"CAST(quantity AS INTEGER) AS quantity, CAST(price AS DECIMAL(10,2)) AS price "
             f"FROM read_csv('{path}'))")
    return (f"SELECT order_id, array_agg(CAST(ROW(product_id, quantity, price) AS "
            f"ROW(product_id VARCHAR, quantity INTEGER, price DECIMAL(10,2))) ORDER BY product_id) AS items "
            f"FROM {lines} l GROUP BY order_id ORDER BY order_id")


def expected_orders():
    orders = {}
    for order_id, product_id, quantity, price in sorted(LINES, key=lambda l: (l[0], l[1])):
        orders.setdefault(order_id, []).append((product_id, quantity, price))
    return orders


def trino_text(items):
    return "[" + ", ".join(f"{{product_id={p}, quantity={q}, price={c}}}" for p, q, c in items) + "]"


def ok(proc):
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc.stdout


def test_box_table_prints_rows_as_trino(tmp_path):
    write_lines(tmp_path / "lines.csv")
    out = ok(run_aishell(["query", query(tmp_path / "lines.csv")], home=tmp_path / "home"))
    lines = out.splitlines()
    for order_id, items in expected_orders().items():
        text = trino_text(items)
        assert any(f"│ {text}" in l and f"│ {order_id:>8} │" in l for l in lines), f"{text} not in:\n{out}"
    assert "│ items" in out
    assert "Results: 3 rows" in out


def test_csv_prints_rows_as_trino(tmp_path):
    write_lines(tmp_path / "lines.csv")
    out = ok(run_aishell(["query", "--format", "csv", query(tmp_path / "lines.csv")], home=tmp_path / "home"))
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["order_id", "items"]
    assert rows[1:] == [[str(o), trino_text(items)] for o, items in expected_orders().items()]


def json_items(items):
    return [{"product_id": p, "quantity": q, "price": decimal.Decimal(c)} for p, q, c in items]


def test_json_prints_arrays_of_objects(tmp_path):
    write_lines(tmp_path / "lines.csv")
    out = ok(run_aishell(["query", "--format", "json", query(tmp_path / "lines.csv")], home=tmp_path / "home"))
    doc = json.loads(out, parse_float=decimal.Decimal)
    assert doc == [{"order_id": o, "items": json_items(items)} for o, items in expected_orders().items()]
    # field order is the declared order
    assert list(doc[0]["items"][0].keys()) == ["product_id", "quantity", "price"]


def test_jsonl_prints_arrays_of_objects(tmp_path):
    write_lines(tmp_path / "lines.csv")
    out = ok(run_aishell(["query", "--format", "jsonl", query(tmp_path / "lines.csv")], home=tmp_path / "home"))
    docs = [json.loads(l, parse_float=decimal.Decimal) for l in out.splitlines() if l.strip()]
    assert docs == [{"order_id": o, "items": json_items(items)} for o, items in expected_orders().items()]


def test_describe_show_columns_and_typeof_spell_trino_types(tmp_path):
    write_lines(tmp_path / "lines.csv")
    home = tmp_path / "home"
    ok(run_aishell(["create-view", "orders_items", query(tmp_path / "lines.csv")], home=home))
    want = f"array({ITEM_TYPE})"
    for statement in ("DESCRIBE orders_items", "SHOW COLUMNS FROM orders_items"):
        out = ok(run_aishell(["query", "--format", "csv", statement], home=home))
        rows = list(csv.reader(io.StringIO(out)))
        types = {r[0]: r[1] for r in rows[1:]}
        assert types == {"order_id": "integer", "items": want}, out
    out = ok(run_aishell(["query", "--format", "csv", "SELECT DISTINCT typeof(items) FROM orders_items"], home=home))
    assert list(csv.reader(io.StringIO(out)))[1:] == [[want]]
