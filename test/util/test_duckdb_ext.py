"""The DuckDB oracles load their extensions from PyPI packages, without the network."""
import duckdb_ext


def test_postgres_and_iceberg_extensions_load():
    con = duckdb_ext.connect_with("postgres", "iceberg")
    loaded = {
        name
        for (name,) in con.execute(
            "SELECT extension_name FROM duckdb_extensions() WHERE loaded").fetchall()
    }
    assert {"postgres_scanner", "iceberg", "avro"} <= loaded
