"""DB-API 2.0 (PEP 249): cursors, parameters (qmark and pyformat), description, fetchmany,
rowcount, close, and the exception classes carrying the engine's message."""
import datetime
import decimal

import pytest

import aishell
from aishell_cli import run_aishell


def test_module_globals():
    assert aishell.apilevel == "2.0"
    assert aishell.paramstyle == "qmark"
    assert aishell.threadsafety == 1
    for name in ["Warning", "Error", "InterfaceError", "DatabaseError", "DataError",
                 "OperationalError", "IntegrityError", "InternalError", "ProgrammingError",
                 "NotSupportedError"]:
        assert issubclass(getattr(aishell, name), Exception)
    assert issubclass(aishell.ProgrammingError, aishell.DatabaseError)
    assert issubclass(aishell.DatabaseError, aishell.Error)


def test_cursor_description_and_fetches(con):
    cur = con.cursor()
    assert cur.description is None
    cur.execute("SELECT i AS n, CAST(i AS DECIMAL(10, 3)) AS d, 'v' || CAST(i AS VARCHAR) AS s "
                "FROM unnest(sequence(0, 9)) t(i) ORDER BY i")
    names = [d[0] for d in cur.description]
    assert names == ["n", "d", "s"]
    assert cur.description[1][1] == "DECIMAL(10,3)" or cur.description[1][1].startswith("DECIMAL")
    assert cur.description[1][4:6] == (10, 3)
    assert cur.description[0][1] == aishell.NUMBER
    assert cur.description[2][1] == aishell.STRING
    assert cur.description[2][1] != aishell.NUMBER
    assert cur.rowcount == -1  # not known before the rows were read
    assert cur.fetchone() == (0, decimal.Decimal("0.000"), "v0")
    cur.arraysize = 3
    assert [r[0] for r in cur.fetchmany()] == [1, 2, 3]
    assert [r[0] for r in cur.fetchmany(2)] == [4, 5]
    assert [r[0] for r in cur.fetchall()] == [6, 7, 8, 9]
    assert cur.fetchone() is None
    assert cur.fetchall() == []
    assert cur.rowcount == 10
    cur.close()
    with pytest.raises(aishell.InterfaceError):
        cur.execute("SELECT 1")


def test_iteration_and_context_managers(home):
    with aishell.connect(home=str(home)) as con:
        with con.cursor() as cur:
            cur.execute("SELECT i FROM unnest(sequence(0, 3)) t(i) ORDER BY i")
            assert [r[0] for r in cur] == [0, 1, 2, 3]
        assert con.execute("SELECT 5").fetchone() == (5,)
    with pytest.raises(aishell.InterfaceError):
        con.cursor()


def test_qmark_parameters(con):
    cur = con.cursor()
    cur.execute("SELECT ? AS a, ? AS b, ? AS c, ? AS d, ? AS e, ? AS f, '?' AS literal",
                [1, "it's", None, 2.5, decimal.Decimal("-12.340"), True])
    assert cur.fetchone() == (1, "it's", None, 2.5, decimal.Decimal("-12.340"), True, "?")
    cur.execute("SELECT ? AS d, ? AS ts, ? AS arr",
                [datetime.date(2024, 1, 31), datetime.datetime(2024, 1, 31, 8, 30, 0, 250000),
                 [1, 2, 3]])
    assert cur.fetchone() == (datetime.date(2024, 1, 31),
                              datetime.datetime(2024, 1, 31, 8, 30, 0, 250000), [1, 2, 3])
    # A marker inside a string, a quoted name or a comment is not a parameter.
    cur.execute('SELECT \'a?b\' AS "c?", ? AS v -- what?\n', ["x"])
    assert cur.fetchone() == ("a?b", "x")


def test_pyformat_parameters(con):
    cur = con.cursor()
    cur.execute("SELECT %(name)s AS name, %(n)s + 1 AS n, '100%%' AS pct", {"name": "o'k", "n": 41})
    assert cur.fetchone() == ("o'k", 42, "100%")
    cur.execute("SELECT %s AS a, %s AS b", ("x", 7))
    assert cur.fetchone() == ("x", 7)


def test_parameters_filter_rows(con):
    rows = con.sql("SELECT i FROM unnest(sequence(0, 99)) t(i) WHERE i BETWEEN ? AND ? ORDER BY i",
                   [10, 12]).fetchall()
    assert rows == [(10,), (11,), (12,)]


def test_parameter_count_mismatch_is_a_programming_error(con):
    cur = con.cursor()
    with pytest.raises(aishell.ProgrammingError, match="2 parameters"):
        cur.execute("SELECT ?", [1, 2])
    with pytest.raises(aishell.ProgrammingError, match="no parameter named 'b'"):
        cur.execute("SELECT %(a)s, %(b)s", {"a": 1})
    with pytest.raises(aishell.ProgrammingError, match="no SQL literal"):
        cur.execute("SELECT ?", [object()])


def test_errors_carry_the_engine_message_and_position(con):
    cur = con.cursor()
    with pytest.raises(aishell.ProgrammingError) as e:
        cur.execute("SELECT no_such_column FROM unnest(sequence(0, 2)) t(i)")
    assert "no_such_column" in str(e.value)
    assert e.value.kind == "Binder error"
    assert e.value.position == 7
    with pytest.raises(aishell.ProgrammingError) as e:
        cur.execute("SELEC 1")
    assert e.value.kind == "Syntax error"
    with pytest.raises(aishell.ProgrammingError, match="nosuchcatalog"):
        cur.execute("SELECT * FROM nosuchcatalog.s.t")
    with pytest.raises(aishell.DataError) as e:
        cur.execute("SELECT CAST('abc' AS INTEGER)")
        cur.fetchall()
    assert "abc" in str(e.value)
    # The connection is still usable.
    assert cur.execute("SELECT 1").fetchone() == (1,)


def test_execution_error_while_fetching(con):
    cur = con.cursor()
    with pytest.raises(aishell.DatabaseError) as e:
        cur.execute("SELECT 1 / (i - 5000) FROM unnest(sequence(0, 9999)) t(i)")
        cur.fetchall()
    assert str(e.value)


def test_insert_rowcount_and_executemany(home, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "t.csv").write_text("id,name\n1,a\n")
    r = run_aishell(["connect", f"file://{data}", "--name", "lake"], home)
    assert r.returncode == 0, r.stderr
    con = aishell.connect(home=str(home))
    cur = con.cursor()
    cur.execute("INSERT INTO lake.t VALUES (?, ?), (?, ?)", [2, "b", 3, "c'd"])
    assert cur.description is None
    assert cur.rowcount == 2
    cur.executemany("INSERT INTO lake.t VALUES (%s, %s)", [(4, "x"), (5, None)])
    assert cur.rowcount == 2
    assert con.sql("SELECT id, name FROM lake.t ORDER BY id").fetchall() == [
        (1, "a"), (2, "b"), (3, "c'd"), (4, "x"), (5, None)]


def test_commit_and_rollback(con):
    con.commit()
    with pytest.raises(aishell.NotSupportedError):
        con.rollback()
