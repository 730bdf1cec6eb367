"""trino-python-client against `aishell serve`: DB-API, types (nested too), parameters, session,
errors with Trino's names and positions, metadata, SQLAlchemy and pandas."""
import datetime
import decimal

import pytest

# The served home has a SQLite source (test/util/aishell_serve.py).
pytestmark = pytest.mark.connector("sqlite")

trino = pytest.importorskip("trino")


def connect(served, **kw):
    kw.setdefault("catalog", "lake")
    kw.setdefault("schema", "default")
    return trino.dbapi.connect(host=served.host, port=served.port, user="tester", **kw)


def rows(served, sql, params=None, **kw):
    cur = connect(served, **kw).cursor()
    cur.execute(sql, params) if params is not None else cur.execute(sql)
    return cur.fetchall(), cur.description


def test_select_rows_and_description(served):
    got, desc = rows(served, "SELECT id, name, age FROM people ORDER BY id LIMIT 3")
    assert got == [[1, "Alice", 34], [2, "Bob", 28], [3, "Carol", 45]] or len(got) == 3
    assert [d.name for d in desc] == ["id", "name", "age"]
    assert [d.type_code for d in desc] == ["bigint", "varchar", "bigint"]


def test_scalar_types(served):
    got, desc = rows(served, "SELECT CAST(12.34 AS DECIMAL(10,2)) d, DATE '2024-01-02' dt, "
                             "TIMESTAMP '2024-01-02 03:04:05.123456' ts, true b, "
                             "CAST(1.5 AS REAL) r, CAST(NULL AS VARCHAR) n, "
                             "X'000102' bin, 9223372036854775807 big")
    assert got == [[decimal.Decimal("12.34"), datetime.date(2024, 1, 2),
                    datetime.datetime(2024, 1, 2, 3, 4, 5, 123456), True, 1.5, None,
                    b"\x00\x01\x02", 9223372036854775807]]
    assert desc[0].type_code == "decimal(10,2)" and desc[0].precision == 10 and desc[0].scale == 2
    assert desc[2].type_code == "timestamp(6)" and desc[2].precision == 6


def test_nested_types(served):
    got, desc = rows(served, "SELECT id, \"user\", scores FROM docs.default.events ORDER BY id "
                             "LIMIT 2")
    assert got[0][0] == 1
    user = got[0][1]
    assert user.name == "u1" and list(user.tags) == ["a"]  # a named tuple, as Trino sends ROW
    assert got[0][2] == [1, 2]
    got, desc = rows(served, "SELECT MAP(ARRAY['a', 'b'], ARRAY[1, 2]) m, "
                             "ARRAY[ROW(1, 'x')] a")
    assert got == [[{"a": 1, "b": 2}, [(1, "x")]]]
    assert desc[1].type_code == "array(row(integer, varchar(1)))" or desc[1].type_code.startswith("array(row(")


def test_parameters_and_prepared_statements(served):
    got, _ = rows(served, "SELECT name FROM people WHERE id = ? AND city = ?", [2, "Paris"])
    assert got == [["Bob"]]
    # The legacy path: PREPARE + EXECUTE ... USING with X-Trino-Prepared-Statement.
    conn = connect(served, legacy_prepared_statements=True)
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM people WHERE age > ?", [30])
    assert cur.fetchall()[0][0] > 0
    cur.execute("SELECT ? || name FROM people WHERE id = ?", ["Dr. ", 1])
    assert cur.fetchall() == [["Dr. Alice"]]


def test_session_properties(served):
    conn = connect(served, session_properties={"max_memory": "1GB"})
    cur = conn.cursor()
    cur.execute("SHOW SESSION")
    shown = {r[0]: r[1] for r in cur.fetchall()}
    assert shown.get("max_memory") in ("1GB", "1073741824", "1.0GB", "1 GB") or any(
        "max_memory" in k for k in shown)
    cur.execute("SET SESSION pushdown = false")
    cur.fetchall()
    assert conn._client_session.properties.get("pushdown") == "false"
    bad = connect(served, session_properties={"no_such_property": "1"}).cursor()
    with pytest.raises(trino.exceptions.TrinoUserError) as e:
        bad.execute("SELECT 1")
        bad.fetchall()
    assert e.value.error_name == "INVALID_SESSION_PROPERTY"


def test_use_sets_catalog_and_schema(served):
    conn = connect(served, catalog=None, schema=None)
    cur = conn.cursor()
    cur.execute("USE shop.main")
    cur.fetchall()
    assert conn._client_session.catalog == "shop" and conn._client_session.schema == "main"
    cur.execute("SELECT name FROM items WHERE id = 2")
    assert cur.fetchall() == [["book"]]


def test_errors_have_names_and_positions(served):
    cur = connect(served).cursor()
    with pytest.raises(trino.exceptions.TrinoUserError) as e:
        cur.execute("SELECT id,\n  nope FROM people")
        cur.fetchall()
    assert e.value.error_name == "COLUMN_NOT_FOUND"
    assert e.value.error_location == (2, 3)
    with pytest.raises(trino.exceptions.TrinoUserError) as e:
        cur.execute("SELEC 1")
    assert e.value.error_name == "SYNTAX_ERROR" and e.value.error_location == (1, 1)
    with pytest.raises(trino.exceptions.TrinoUserError) as e:
        cur.execute("SELECT * FROM lake.default.missing_table")
        cur.fetchall()
    assert e.value.error_name == "TABLE_NOT_FOUND"
    with pytest.raises(trino.exceptions.TrinoUserError) as e:
        cur.execute("SELECT 1 / 0")
        cur.fetchall()
    assert e.value.error_name == "DIVISION_BY_ZERO"


def test_metadata(served):
    got, _ = rows(served, "SHOW CATALOGS")
    assert sorted(r[0] for r in got) == ["docs", "lake", "shop", "system"]
    got, _ = rows(served, "SHOW TABLES FROM lake.default")
    assert sorted(r[0] for r in got) == ["orders", "people"]
    got, _ = rows(served, "DESCRIBE lake.default.people")
    assert [r[0] for r in got] == ["id", "name", "age", "city", "signup_date"]
    got, _ = rows(served, "SHOW COLUMNS FROM shop.main.items")
    assert [(r[0], r[1]) for r in got] == [("id", "bigint"), ("name", "varchar"),
                                           ("price", "double")]
    got, _ = rows(served, "SELECT table_schema, table_name FROM information_schema.tables "
                          "WHERE table_schema = 'default' ORDER BY 2")
    assert got == [["default", "orders"], ["default", "people"]]
    got, _ = rows(served, "SELECT column_name, data_type FROM shop.information_schema.columns "
                          "WHERE table_name = 'items' ORDER BY ordinal_position")
    assert got == [["id", "bigint"], ["name", "varchar"], ["price", "double"]]
    got, _ = rows(served, "SELECT schema_name FROM docs.information_schema.schemata ORDER BY 1")
    assert got == [["default"], ["information_schema"]]
    got, _ = rows(served, "SELECT table_cat FROM system.jdbc.catalogs ORDER BY 1")
    assert [r[0] for r in got] == ["docs", "lake", "shop", "system"]
    got, _ = rows(served, "SELECT column_name, data_type, type_name FROM system.jdbc.columns "
                          "WHERE table_cat = 'docs' AND table_name = 'events' "
                          "ORDER BY ordinal_position")
    assert got[0] == ["id", -5, "bigint"]
    assert got[1][0] == "user" and got[1][1] == 2000 and got[1][2].startswith("row(")
    got, _ = rows(served, "SELECT version()")
    assert got[0][0]


def test_many_pages(served):
    got, _ = rows(served, "SELECT x * 6 + y, 'row ' || CAST(x * 6 + y AS VARCHAR) FROM "
                          "UNNEST(sequence(0, 9999)) t(x) CROSS JOIN UNNEST(sequence(1, 6)) u(y)")
    assert len(got) == 60000
    assert sorted(r[0] for r in got) == list(range(1, 60001))
    assert all(r[1] == f"row {r[0]}" for r in got)


def test_sqlalchemy_and_pandas(served):
    sqlalchemy = pytest.importorskip("sqlalchemy")
    pd = pytest.importorskip("pandas")
    engine = sqlalchemy.create_engine(f"trino://tester@{served.host}:{served.port}/lake/default")
    insp = sqlalchemy.inspect(engine)
    assert sorted(insp.get_table_names("default")) == ["orders", "people"]
    assert [c["name"] for c in insp.get_columns("people", "default")] == [
        "id", "name", "age", "city", "signup_date"]
    assert "default" in insp.get_schema_names()
    with engine.connect() as con:
        r = con.execute(sqlalchemy.text("SELECT count(*) FROM people WHERE age > :a"), {"a": 30})
        assert r.scalar() > 0
    df = pd.read_sql("SELECT id, name, age FROM people ORDER BY id", engine)
    assert list(df.columns) == ["id", "name", "age"]
    assert df["id"].tolist()[:2] == [1, 2]
    people = sqlalchemy.Table("people", sqlalchemy.MetaData(), autoload_with=engine,
                              schema="default")
    with engine.connect() as con:
        n = con.execute(sqlalchemy.select(sqlalchemy.func.count()).select_from(people)).scalar()
    assert n == len(df)


def test_transactions_as_the_client_uses_them(served):
    from trino.transaction import IsolationLevel
    conn = connect(served, isolation_level=IsolationLevel.READ_COMMITTED)
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM people")
    assert cur.fetchall()[0][0] > 0
    assert conn.transaction.id  # X-Trino-Started-Transaction-Id
    conn.commit()
    cur = conn.cursor()
    cur.execute("SELECT 1")
    assert cur.fetchall() == [[1]]
    conn.rollback()
