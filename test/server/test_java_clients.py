"""The trino CLI (executable jar) and the Trino JDBC driver (from JdbcSmoke.java) against
`aishell serve`. The jars come from Maven Central via scripts/install-deps.sh test (cached in
~/.cache/aishell-jars); Java 25 runs them."""
import glob
import os
import subprocess

import pytest

# The served home has a SQLite source (test/util/aishell_serve.py).
pytestmark = pytest.mark.connector("sqlite")

HERE = os.path.dirname(os.path.abspath(__file__))
JARS = os.path.join(os.path.expanduser("~"), ".cache", "aishell-jars")
CLI_JAR = os.path.join(JARS, "trino-cli-476-executable.jar")
JDBC_JAR = os.path.join(JARS, "trino-jdbc-476.jar")


def java_home():
    explicit = os.environ.get("AISHELL_TRINO_JAVA_HOME")
    if explicit and os.path.exists(os.path.join(explicit, "bin", "java")):
        return explicit
    for pattern in ("/usr/lib/jvm/temurin-2[4-9]*", "/usr/lib/jvm/*-2[4-9]-*"):
        found = sorted(glob.glob(pattern))
        if found:
            return found[0]
    return None


def need(path):
    if java_home() is None or not os.path.exists(path):
        if os.environ.get("CI") == "true":
            pytest.fail(f"missing {path} or Java 25 (scripts/install-deps.sh test installs them)")
        pytest.skip(f"missing {path} or Java 25")


def cli(served, *args, stdin=None):
    need(CLI_JAR)
    java = os.path.join(java_home(), "bin", "java")
    return subprocess.run([java, "-jar", CLI_JAR, "--server", served.url, "--user", "tester",
                           *args], input=stdin, capture_output=True, text=True, timeout=120)


def test_trino_cli_execute(served):
    r = cli(served, "--catalog", "lake", "--schema", "default", "--output-format", "CSV",
            "--execute", "SELECT id, name FROM people ORDER BY id LIMIT 2")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ['"1","Alice"', '"2","Bob"']


def test_trino_cli_metadata_and_session(served):
    r = cli(served, "--output-format", "TSV", "--execute",
            "SHOW CATALOGS; SHOW TABLES FROM lake.default; DESCRIBE shop.main.items")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    for expected in ("docs", "lake", "shop", "system", "orders", "people"):
        assert expected in lines
    assert any(line.startswith("price\tdouble") for line in lines)
    r = cli(served, "--catalog", "lake", "--schema", "default", "--output-format", "TSV",
            stdin="SET SESSION pushdown = false;\nSHOW SESSION LIKE 'pushdown';\n"
                  "USE shop.main;\nSELECT count(*) FROM items;\n")
    assert r.returncode == 0, r.stderr
    assert "3" in r.stdout.splitlines()


def test_trino_cli_error_position(served):
    r = cli(served, "--execute", "SELECT 1 FROM lake.default.people WHERE nope = 1")
    assert r.returncode != 0
    assert "column 'nope' not found" in r.stderr
    assert "line 1:" in r.stderr.lower() or "LINE 1" in r.stderr or "1:" in r.stderr


def test_jdbc_driver(served, tmp_path):
    need(JDBC_JAR)
    bin_dir = os.path.join(java_home(), "bin")
    r = subprocess.run([os.path.join(bin_dir, "javac"), "-d", str(tmp_path),
                        os.path.join(HERE, "JdbcSmoke.java")], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    url = f"jdbc:trino://{served.host}:{served.port}/lake/default"
    r = subprocess.run([os.path.join(bin_dir, "java"), "-cp", f"{tmp_path}:{JDBC_JAR}", "JdbcSmoke",
                        url], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = [line.split("\t") for line in r.stdout.splitlines()]
    by = lambda label: [line[1:] for line in lines if line[0] == label]
    assert by("types") == [["bigint", "varchar"]]
    assert by("row")[:2] == [["1", "Alice", "34"], ["2", "Bob", "28"]]
    assert by("nested")[0][1:] == ["12.50", "2024-01-02"]
    assert by("prepared") == [["Bob"]]
    assert by("prepared-meta") == [["name", "varchar"]]
    assert sorted(c[0] for c in by("catalog")) == ["docs", "lake", "shop", "system"]
    assert ["information_schema", "shop"] in by("schema") and ["main", "shop"] in by("schema")
    assert ["lake", "default", "people", "TABLE"] in by("table")
    assert by("column") == [["id", "-5", "bigint"], ["name", "12", "varchar"],
                            ["price", "8", "double"]]
    assert "column 'nope' not found" in by("error")[0][0]
