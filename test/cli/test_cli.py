"""End-to-end tests of the `aishell` command line (run as a process with a temp AISHELL_HOME)."""
import csv
import io
import json
import re

import pytest

from aishell_cli import parse_json_rows


def ok(proc):
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc


def fails(proc, code=None):
    assert proc.returncode != 0, f"expected a failure, got exit 0\nstdout:\n{proc.stdout}"
    if code is not None:
        assert proc.returncode == code, f"exit {proc.returncode}, expected {code}\nstderr:\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
    assert proc.returncode < 128, f"aishell crashed (exit {proc.returncode}): {proc.stderr}"
    return proc


def error_lines(proc):
    return [line for line in proc.stderr.splitlines() if line.strip()]


def json_rows(proc):
    return parse_json_rows(ok(proc).stdout)


# --- sources ---------------------------------------------------------------------------------


def test_connect_file_source_and_query(cli, csv_dir):
    proc = ok(cli("connect", f"file://{csv_dir}", "--name", "files"))
    assert "files" in proc.stdout
    rows = json_rows(cli("query", "--format", "json", "SELECT count(*) AS n FROM files.people"))
    assert rows == [[6]]
    rows = json_rows(cli("query", "--format", "json",
                         "SELECT name FROM files.people WHERE city = 'Paris' ORDER BY id"))
    assert rows == [["Bob"], ["Frank"]]


def test_unknown_source_in_a_two_part_name(cli, csv_dir, sqlite_db):
    ok(cli("connect", f"sqlite://{sqlite_db}", "--name", "shop"))
    ok(cli("connect", f"file://{csv_dir}", "--name", "files"))
    for name in ("[orders-db].orders", '"orders-db".orders'):
        proc = fails(cli("query", f"SELECT * FROM {name}"))
        assert "no source named 'orders-db' (connected sources: files, shop)" in proc.stderr
    proc = fails(cli("query", "SELECT * FROM [shopp].customers"))
    assert "did you mean 'shop'?" in proc.stderr
    # One source: a two-part name is that source's schema.table, as before.
    assert json_rows(cli("query", "--format", "json", "SELECT count(*) FROM shop.main.customers")) == [[4]]


def test_connect_sqlite_source_and_join_with_files(cli, csv_dir, sqlite_db):
    ok(cli("connect", f"sqlite://{sqlite_db}", "--name", "shop"))
    ok(cli("connect", f"file://{csv_dir}", "--name", "files"))
    rows = json_rows(cli("query", "--format", "json",
                         "SELECT region, count(*) AS n FROM shop.customers GROUP BY region ORDER BY region NULLS LAST"))
    assert rows == [["Asia", 1], ["Europe", 2], [None, 1]]
    # A federated join: SQLite customers x CSV people on id.
    rows = json_rows(cli("query", "--format", "json",
                         "SELECT c.name, p.name FROM shop.customers c JOIN files.people p ON c.id = p.id ORDER BY c.id"))
    assert rows == [["Ann", "Alice"], ["Ben", "Bob"], ["Cid", "Carol"], ["Dee", "Dave"]]
    rows = json_rows(cli("query", "--format", "json",
                         "SELECT c.name, sum(p.total) AS spent FROM shop.customers c "
                         "LEFT JOIN shop.purchases p ON p.customer_id = c.id GROUP BY c.name ORDER BY c.name"))
    assert [r[0] for r in rows] == ["Ann", "Ben", "Cid", "Dee"]
    assert [r[1] for r in rows] == [25.5, None, 7.25, None]


def test_sqlite_schema_property(cli, sqlite_db):
    # The demo registers SQLite as a stand-in for PostgreSQL with schema "public".
    ok(cli("connect", f"sqlite://{sqlite_db}", "--name", "postgresql", "--property", "schema=public"))
    rows = json_rows(cli("query", "--format", "json",
                         "SELECT count(*) AS n, sum(score) AS s FROM postgresql.public.customers"))
    assert rows == [[4, 12.5]]


def test_file_source_subfolder_is_schema(cli, tmp_path, csv_dir):
    # warehouse/demo/x.csv is table demo.x of a file catalog rooted at warehouse/.
    demo = tmp_path / "warehouse" / "demo"
    demo.mkdir(parents=True)
    (demo / "items.csv").write_text("id,label\n1,a\n2,b\n3,c\n")
    ok(cli("connect", f"file://{tmp_path / 'warehouse'}", "--name", "iceberg"))
    rows = json_rows(cli("query", "--format", "json", "SELECT max(label) AS m, count(*) AS n FROM iceberg.demo.items"))
    assert rows == [["c", 3]]


def test_connections_lists_sources(cli, csv_dir, sqlite_db):
    ok(cli("connect", f"file://{csv_dir}", "--name", "files"))
    ok(cli("connect", f"sqlite://{sqlite_db}", "--name", "shop"))
    out = ok(cli("connections")).stdout
    assert "files" in out and "shop" in out
    assert "sqlite" in out


def test_password_never_shown(cli):
    secret = "s3cr3tPassw0rd"
    proc = fails(cli("connect", f"postgres://alice:{secret}@127.0.0.1:1/db", "--name", "pg"))
    assert secret not in proc.stdout and secret not in proc.stderr
    assert len(error_lines(proc)) >= 1
    # Nothing is saved when the source cannot be reached, and nothing leaks later.
    out = ok(cli("connections"))
    assert secret not in out.stdout and secret not in out.stderr
    assert "pg" not in out.stdout.split()


def test_password_of_a_mistyped_url_never_shown(cli):
    # "mongodb:/" (one slash) is no URL: it is read as a file path, and the path in the error
    # must not show the password.
    secret = "Sekr3tPw99"
    proc = fails(cli("connect", f"mongodb:/db?user:{secret}@127.0.0.1:1", "--name", "m"))
    assert secret not in proc.stdout and secret not in proc.stderr, proc.stderr
    assert "***" in proc.stderr


def test_password_masked_for_saved_source(cli, csv_dir):
    secret = "hunter2secret"
    ok(cli("connect", f"file://{csv_dir}", "--name", "files", "--property", f"password={secret}"))
    out = ok(cli("connections"))
    assert secret not in out.stdout and secret not in out.stderr
    assert "files" in out.stdout


def test_disconnect(cli, csv_dir):
    ok(cli("connect", f"file://{csv_dir}", "--name", "files"))
    ok(cli("disconnect", "files"))
    proc = fails(cli("query", "SELECT * FROM files.people"))
    assert "files" in proc.stderr


# --- output formats --------------------------------------------------------------------------

QUERY = ("SELECT id, name, age FROM read_csv('{dir}/people.csv') WHERE id <= 3 ORDER BY id")


def test_format_table(cli, csv_dir):
    out = ok(cli("query", QUERY.format(dir=csv_dir))).stdout
    assert "Alice" in out and "Carol" in out
    assert re.search(r"Results: 3 rows", out), out
    assert "Execution time:" in out


def test_format_csv(cli, csv_dir):
    out = ok(cli("query", "--format", "csv", QUERY.format(dir=csv_dir))).stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["id", "name", "age"]
    assert rows[1:] == [["1", "Alice", "34"], ["2", "Bob", "28"], ["3", "Carol", ""]]


def test_format_json(cli, csv_dir):
    out = ok(cli("query", "--format", "json", QUERY.format(dir=csv_dir))).stdout
    doc = json.loads(out)
    assert doc == [{"id": 1, "name": "Alice", "age": 34}, {"id": 2, "name": "Bob", "age": 28},
                   {"id": 3, "name": "Carol", "age": None}]


def test_format_jsonl(cli, csv_dir):
    out = ok(cli("query", "--format", "jsonl", QUERY.format(dir=csv_dir))).stdout
    lines = [json.loads(l) for l in out.splitlines() if l.strip()]
    assert [l["name"] for l in lines] == ["Alice", "Bob", "Carol"]
    assert lines[2]["age"] is None


def test_output_file(cli, csv_dir, tmp_path):
    target = tmp_path / "out.csv"
    ok(cli("query", "--format", "csv", "--output", str(target), QUERY.format(dir=csv_dir)))
    rows = list(csv.reader(open(target)))
    assert rows[0] == ["id", "name", "age"] and len(rows) == 4


def test_empty_result_formats(cli, csv_dir):
    sql = f"SELECT id FROM read_csv('{csv_dir}/people.csv') WHERE id > 100"
    assert json.loads(ok(cli("query", "--format", "json", sql)).stdout) == []
    assert ok(cli("query", "--format", "jsonl", sql)).stdout.strip() == ""
    assert ok(cli("query", "--format", "csv", sql)).stdout.strip() == "id"


def test_export_last(cli, csv_dir, tmp_path):
    ok(cli("query", QUERY.format(dir=csv_dir)))
    out = ok(cli("export", "last", "--format", "csv")).stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows == [["id", "name", "age"], ["1", "Alice", "34"], ["2", "Bob", "28"], ["3", "Carol", ""]]
    out = ok(cli("export", "last", "--format", "json")).stdout
    assert [r["name"] for r in json.loads(out)] == ["Alice", "Bob", "Carol"]
    target = tmp_path / "last.jsonl"
    ok(cli("export", "last", "--format", "jsonl", "--output", str(target)))
    assert len([l for l in open(target) if l.strip()]) == 3


def test_export_without_previous_query_fails(cli):
    proc = fails(cli("export", "last", "--format", "csv"))
    assert len(error_lines(proc)) >= 1


def test_multiple_statements(cli):
    out = ok(cli("query", "--format", "jsonl", "SELECT 1 AS a; SELECT 2 AS b")).stdout
    lines = [json.loads(l) for l in out.splitlines() if l.strip()]
    assert lines == [{"a": 1}, {"b": 2}]


RUN_TIME = re.compile(r"^Run Time \(s\): real (\d+\.\d{3}) user (\d+\.\d{3}) sys (\d+\.\d{3})$")


def test_shell_timer_prints_each_statements_run_time(cli, csv_dir):
    """`.timer on|off` (DuckDB's shell) and `\\timing` (psql's toggle): one Run Time line after each
    statement's result, also after an error; a bad argument is an error that names the command."""
    script = (".format csv\n.timer on\n"
              f"SELECT count(*) AS n FROM read_csv('{csv_dir}/people.csv');\n"
              ".timer off\nSELECT 2 AS two;\n\\timing\nSELECT 3 AS three;\nSELECT nope;\n"
              ".timer maybe\n")
    proc = cli(stdin=script)
    assert proc.returncode == 1  # SELECT nope failed; the script went on
    lines = proc.stdout.splitlines()
    timed = [i for i, line in enumerate(lines) if line.startswith("Run Time")]
    assert len(timed) == 3, proc.stdout
    for i in timed:
        real, user, sys = (float(x) for x in RUN_TIME.match(lines[i]).groups())
        assert 0 <= real < 60 and user >= 0 and sys >= 0
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert rows[0] == ["n"] and int(rows[1][0]) > 0 and lines[2].startswith("Run Time")
    assert lines[3:6] == ["two", "2", "Timing is on."]
    assert lines[6:8] == ["three", "3"] and timed[1] == 8 and timed[2] == 9
    assert "column 'nope' not found" in proc.stderr
    assert "Error: .timer needs on or off" in proc.stderr


# --- explain, views, config ------------------------------------------------------------------


def test_explain(cli, csv_dir):
    out = ok(cli("explain", f"SELECT city, count(*) FROM read_csv('{csv_dir}/people.csv') GROUP BY city")).stdout
    assert out.strip()
    assert re.search(r"(?i)aggregate|group", out), out
    out = ok(cli("explain", "--analyze", f"SELECT count(*) FROM read_csv('{csv_dir}/people.csv')")).stdout
    assert out.strip()


def test_create_view_from_stdin_persists(cli, csv_dir):
    sql = f"SELECT name, age FROM read_csv('{csv_dir}/people.csv') WHERE age >= 40\n"
    ok(cli("create-view", "seniors", stdin=sql))
    # A new process sees the view.
    rows = json_rows(cli("query", "--format", "json", "SELECT name FROM seniors ORDER BY age"))
    assert rows == [["Dave"], ["Frank"]]
    assert "seniors" in ok(cli("views")).stdout
    ok(cli("drop-view", "seniors"))
    proc = fails(cli("query", "SELECT * FROM seniors"))
    assert "seniors" in proc.stderr


def test_config_set_get(cli):
    ok(cli("config", "set", "federation.max_memory", "1GB"))
    assert ok(cli("config", "get", "federation.max_memory")).stdout.strip() == "1GB"
    ok(cli("config", "set", "display.max_rows", "5"))
    assert "display.max_rows" in ok(cli("config", "list")).stdout
    proc = fails(cli("config", "get", "no.such.key"))
    assert "no.such.key" in proc.stderr


# --- errors: exit codes and one-line messages ------------------------------------------------


def test_syntax_error_has_line_column_and_caret(cli):
    proc = fails(cli("query", "SELECT id,, name FROM t"), code=1)
    err = proc.stderr
    assert re.search(r"line 1, column 11", err), err
    assert "SELECT id,, name FROM t" in err
    caret_lines = [l for l in err.splitlines() if l.strip() == "^"]
    assert caret_lines, err
    # The caret sits under the offending comma.
    source_line = next(l for l in err.splitlines() if "SELECT id,, name" in l)
    caret = next(l for l in err.splitlines() if l.strip() == "^")
    assert source_line[caret.index("^")] == ","


@pytest.mark.parametrize("sql,at,message", [
    # (the SQL, the text the caret must point at, the message)
    ("SELECT 1, TINYINT '300'", "TINYINT '300'", "TINYINT literal '300' is out of range"),
    ("SELECT 1, CAST(1e40 AS DECIMAL(38,0))", "CAST(1e40", "cannot cast 1e+40 to DECIMAL(38,0)"),
    ("SELECT 1, json_parse('{')", "json_parse(", "json_parse: not valid JSON: '{'"),
    ("SELECT 1, JSON '{'", "JSON '{'", "invalid JSON literal '{'"),
    ("SELECT 1, UUID 'abc'", "UUID 'abc'", "invalid UUID literal 'abc'"),
    ("SELECT x, x * x FROM (VALUES (CAST('10000000000000000000' AS DECIMAL(20,0)))) AS t (x)", "x * x",
     "result does not fit in DECIMAL(38,0)"),
    ("SELECT 1, sum(x) FROM (VALUES (DECIMAL '99999999999999999999999999999999999999'), (1)) AS t (x)", "sum(x)",
     "sum overflow: result does not fit in DECIMAL(38,0)"),
])
def test_type_errors_have_line_column_and_caret(cli, sql, at, message):
    """Bad input for the types of issue 16, caught at bind time (literals) or at run time (casts,
    functions, arithmetic): each error names the problem and points at the expression."""
    err = fails(cli("query", sql), code=1).stderr
    assert message in err, err
    m = re.search(r"line 1, column (\d+)", err)
    assert m, err
    assert sql[int(m.group(1)) - 1:].startswith(at), (at, err)
    caret = next(l for l in err.splitlines() if l.strip() == "^")
    source_line = next(l for l in err.splitlines() if sql in l)
    assert source_line[caret.index("^"):].startswith(at), err


def test_unknown_table_suggests(cli, csv_dir):
    ok(cli("connect", f"file://{csv_dir}", "--name", "files"))
    proc = fails(cli("query", "SELECT * FROM files.peple"), code=1)
    assert "peple" in proc.stderr
    assert "people" in proc.stderr
    assert proc.stderr.startswith("Error")


def test_unknown_column_suggests(cli, csv_dir):
    proc = fails(cli("query", f"SELECT nme FROM read_csv('{csv_dir}/people.csv')"), code=1)
    assert "nme" in proc.stderr and "name" in proc.stderr


def test_missing_file(cli, tmp_path):
    missing = tmp_path / "nope.csv"
    proc = fails(cli("query", f"SELECT * FROM read_csv('{missing}')"), code=1)
    assert "nope.csv" in proc.stderr
    assert len(error_lines(proc)) <= 3


def test_malformed_csv(cli, csv_dir):
    proc = fails(cli("query", f"SELECT * FROM read_csv('{csv_dir}/malformed.csv')"), code=1)
    assert "malformed.csv" in proc.stderr
    assert len(error_lines(proc)) <= 3


def test_division_by_zero(cli):
    proc = fails(cli("query", "SELECT 1 / 0"), code=1)
    assert re.search(r"(?i)division by zero", proc.stderr)


def test_unknown_command(cli):
    proc = fails(cli("qurey", "SELECT 1"), code=2)
    assert "qurey" in proc.stderr
    assert "query" in proc.stderr


def test_unknown_option(cli):
    proc = fails(cli("query", "--frmat", "json", "SELECT 1"), code=2)
    assert "--frmat" in proc.stderr


def test_unknown_format(cli):
    proc = fails(cli("query", "--format", "xml", "SELECT 1"), code=2)
    assert "xml" in proc.stderr


def test_help_and_success_exit_codes(cli):
    out = ok(cli("--help")).stdout
    for command in ("connect", "query", "export", "create-view", "config"):
        assert command in out
    assert json_rows(cli("query", "--format", "json", "SELECT 40 + 2 AS answer")) == [[42]]


def test_drop_table_sqlite_and_refused_on_files(cli, csv_dir, sqlite_db):
    import sqlite3
    ok(cli("connect", f"sqlite://{sqlite_db}", "--name", "shop"))
    ok(cli("connect", f"file://{csv_dir}", "--name", "files"))
    ok(cli("query", "CREATE TABLE shop.scratch AS SELECT 1 AS x"))
    ok(cli("query", "DROP TABLE shop.scratch"))
    con = sqlite3.connect(sqlite_db)
    assert con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'scratch'").fetchone() == (0,)
    con.close()
    proc = fails(cli("query", "DROP TABLE shop.scratch"))
    assert "scratch" in proc.stderr and "not found" in proc.stderr
    ok(cli("query", "DROP TABLE IF EXISTS shop.scratch"))
    # Local files are never deleted by SQL: the error says so and the file stays.
    before = sorted(p.name for p in csv_dir.iterdir())
    proc = fails(cli("query", "DROP TABLE files.people"))
    assert "people" in proc.stderr and "drop" in proc.stderr.lower(), proc.stderr
    assert sorted(p.name for p in csv_dir.iterdir()) == before


def test_federation_timeout_cancels_a_long_query(cli):
    """federation.timeout (also federation.max_query_time, SET SESSION timeout) cancels a query that
    runs longer, with a message naming the setting; a bad duration is refused."""
    heavy = ("SELECT count(*) FROM unnest(sequence(1, 10000)) a(x) CROSS JOIN unnest(sequence(1, 10000)) b(y) "
             "CROSS JOIN unnest(sequence(1, 10000)) c(z) WHERE x + y + z = 7")
    proc = fails(cli("query", "SET SESSION timeout = '1s'; " + heavy))
    assert "federation.timeout (1s)" in proc.stderr and "cancelled" in proc.stderr, proc.stderr
    ok(cli("config", "set", "federation.max_query_time", "1500ms"))
    proc = fails(cli("query", heavy))
    assert "federation.timeout (1500ms)" in proc.stderr, proc.stderr
    proc = fails(cli("config", "set", "federation.timeout", "soon"))
    assert "federation.timeout" in proc.stderr and "duration" in proc.stderr, proc.stderr
    ok(cli("config", "set", "federation.timeout", "none"))
    assert json_rows(cli("query", "--format", "json", "SELECT count(*) FROM unnest(sequence(1, 100)) a(x)")) == [[100]]


def test_listings_skip_an_unreachable_source_with_a_warning(cli, csv_dir, tmp_path):
    """SHOW TABLES and SHOW SCHEMAS over every source list the reachable ones and name the one that
    failed (without its password), instead of failing as a whole."""
    ok(cli("connect", f"file://{csv_dir}", "--name", "files"))
    home = next(p for p in tmp_path.rglob("connections.json")).parent
    saved = json.loads((home / "connections.json").read_text())
    saved.append({"name": "dead", "type": "postgres", "properties": {},
                  "url": "postgres://u:dead-secret-pw@127.0.0.1:1/x?connect_timeout=2"})
    (home / "connections.json").write_text(json.dumps(saved))
    for sql, column, expected in (("SHOW TABLES", "Table", "files.people"), ("SHOW SCHEMAS", "Schema", "files.")):
        proc = ok(cli("query", "--format", "json", sql))
        rows = [row[0] for row in json_rows(proc)]
        assert any(r.startswith(expected) for r in rows), rows
        assert "Warning: source 'dead' could not be listed" in proc.stderr, proc.stderr
        assert "dead-secret-pw" not in proc.stdout + proc.stderr
        assert "Warning" not in proc.stdout  # the JSON stays JSON
