"""DuckDB with the extensions that PyPI ships (duckdb-extension-<name> packages), for test oracles
and benchmark peers. No network: the extension files come from site-packages.

    from test.util.duckdb_ext import connect_with  # or: sys.path + import duckdb_ext
    con = connect_with("postgres", "iceberg")
"""
import glob
import os
import shutil
import tempfile
from urllib.parse import unquote, urlparse

import duckdb

# Extension name -> (pip package module, file name the loader expects). The postgres package
# ships postgres.duckdb_extension whose entry point is postgres_scanner's, so it is loaded under
# that name.
_EXTENSIONS = {
    "postgres": ("duckdb_extension_postgres", "postgres_scanner"),
    "postgres_scanner": ("duckdb_extension_postgres", "postgres_scanner"),
    "iceberg": ("duckdb_extension_iceberg", "iceberg"),
    "httpfs": ("duckdb_extension_httpfs", "httpfs"),
    "avro": ("duckdb_extension_avro", "avro"),
    "tpch": ("duckdb_extension_tpch", "tpch"),
}
_CACHE_DIR = os.path.join(tempfile.gettempdir(), f"aishell-duckdb-ext-{duckdb.__version__}")


def extension_path(name):
    """The local file of a DuckDB extension, or raise RuntimeError saying what to install."""
    module, load_name = _EXTENSIONS[name]
    try:
        mod = __import__(module)
    except ImportError as e:
        raise RuntimeError(
            f"DuckDB extension '{name}' is not installed: pip install "
            f"{module.replace('_', '-')}=={duckdb.__version__} (scripts/install-deps.sh test)") from e
    base = os.path.dirname(mod.__file__)
    files = glob.glob(os.path.join(base, "extensions", "*", "*.duckdb_extension"))
    if not files:
        raise RuntimeError(f"no extension file under {base}")
    src = files[0]
    if os.path.basename(src) == f"{load_name}.duckdb_extension":
        return src
    os.makedirs(_CACHE_DIR, exist_ok=True)
    dst = os.path.join(_CACHE_DIR, f"{load_name}.duckdb_extension")
    if not os.path.exists(dst) or os.path.getsize(dst) != os.path.getsize(src):
        tmp = dst + f".{os.getpid()}"
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    return dst


# Extensions another one needs loaded first (DuckDB would try to download them otherwise).
_DEPENDS = {"iceberg": ["avro"]}


def load(con, *names):
    done = set()

    def one(name):
        if name in done:
            return
        for dep in _DEPENDS.get(name, []):
            one(dep)
        con.execute(f"LOAD '{extension_path(name)}'")
        done.add(name)

    for name in names:
        one(name)
    return con


def connect_with(*names, database=":memory:"):
    """A DuckDB connection with the named extensions loaded (postgres, iceberg, httpfs, avro, tpch)."""
    con = duckdb.connect(database, config={"allow_unsigned_extensions": "true"})
    # Never try the network for extensions.
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    return load(con, *names)


def connect_or_skip(*names):
    """connect_with(*names) for tests: when an extension cannot be loaded, the test is skipped on
    a developer's machine and fails in CI (CI=true)."""
    try:
        return connect_with(*names)
    except RuntimeError as e:
        if os.environ.get("CI") == "true":
            raise
        import pytest
        pytest.skip(str(e))


def libpq_dsn(url, **extra):
    """postgres://u:p@h:port/db -> "host=h port=port dbname=db user=u password=p" (plus `extra`
    keywords, e.g. sslmode="require") for DuckDB's ATTACH ... (TYPE postgres)."""
    u = urlparse(url)
    parts = {"host": u.hostname, "port": u.port or 5432, "dbname": u.path.lstrip("/"),
             "user": unquote(u.username or ""), "password": unquote(u.password or ""), **extra}
    return " ".join(f"{k}={v}" for k, v in parts.items() if v != "")
