"""DuckDB (pip) with its extension packages loaded from site-packages, as a test oracle.

The extensions come from pip packages duckdb-extension-<name> (no download at run time).
postgres must be loaded from a file named postgres_scanner.duckdb_extension (its entry point is
postgres_scanner_duckdb_cpp_init), so it is copied to a cache directory first.
"""
import glob
import os
import shutil

import duckdb


def extension_path(name):
    import importlib.util
    spec = importlib.util.find_spec(f"duckdb_extension_{name}")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"pip package duckdb-extension-{name} is not installed (scripts/install-deps.sh test)")
    base = list(spec.submodule_search_locations)[0]
    found = glob.glob(os.path.join(base, "extensions", f"v{duckdb.__version__}", "*.duckdb_extension"))
    if not found:
        raise RuntimeError(f"duckdb-extension-{name} has no extension for duckdb {duckdb.__version__} under {base}")
    path = found[0]
    if name == "postgres":
        cache = os.path.join(os.path.expanduser("~"), ".cache", "aishell-duckdb-ext", f"v{duckdb.__version__}")
        os.makedirs(cache, exist_ok=True)
        target = os.path.join(cache, "postgres_scanner.duckdb_extension")
        if not os.path.exists(target) or os.path.getsize(target) != os.path.getsize(path):
            tmp = f"{target}.{os.getpid()}.tmp"
            shutil.copyfile(path, tmp)
            os.replace(tmp, target)
        path = target
    return path


def connect(*extensions):
    """A DuckDB connection with the named extensions loaded (iceberg implies avro)."""
    con = duckdb.connect(config={"allow_unsigned_extensions": "true", "autoinstall_known_extensions": "false"})
    wanted = []
    for e in extensions:
        if e == "iceberg":
            wanted.append("avro")
        wanted.append(e)
    for e in dict.fromkeys(wanted):
        con.execute(f"LOAD '{extension_path(e)}'")
    return con


def fetch_arrow(con, sql):
    res = con.execute(sql).arrow()
    return res.read_all() if hasattr(res, "read_all") else res
