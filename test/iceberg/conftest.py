"""Fixtures for the Iceberg tests: warehouses written by independent writers (pyiceberg, Spark),
cached outside the clone by a content hash of their generators (test/iceberg/gen/)."""
import importlib.util
import os
import subprocess
import sys

import pytest

GEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen")
sys.path.insert(0, GEN)

import iceberg_cache  # noqa: E402

SPARK_JAR = os.path.join(os.path.expanduser("~"), ".cache", "aishell-jars",
                         "iceberg-spark-runtime-3.5_2.12-1.8.0.jar")


def missing(reason):
    """Skips on a developer machine; fails under CI=true (CI must have every writer)."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true: {reason}")
    pytest.skip(reason)


def _version(module):
    return importlib.import_module(module).__version__


import importlib  # noqa: E402


@pytest.fixture(scope="session")
def pyiceberg_warehouse():
    """Directory with catalog.db, warehouse/, expected/ and tables.json (gen_pyiceberg_tables.py)."""
    for m in ("pyiceberg", "pyarrow", "pyiceberg_core"):
        if importlib.util.find_spec(m) is None:
            missing(f"python package {m} is not installed (scripts/install-deps.sh test)")
    script = os.path.join(GEN, "gen_pyiceberg_tables.py")

    def generate(out):
        proc = subprocess.run([sys.executable, script, out], capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(f"gen_pyiceberg_tables.py failed:\n{proc.stderr[-4000:]}")

    return iceberg_cache.cached_warehouse("pyiceberg", [script], generate,
                                          extra=f"pyiceberg {_version('pyiceberg')} pyarrow {_version('pyarrow')}")


@pytest.fixture(scope="session")
def spark_warehouse():
    """Directory with warehouse/demo/<table>, expected/ and tables.json (gen_spark_tables.py)."""
    if importlib.util.find_spec("pyspark") is None:
        missing("python package pyspark is not installed (scripts/install-deps.sh test)")
    if not os.path.exists(SPARK_JAR):
        missing(f"{SPARK_JAR} is missing (scripts/install-deps.sh test fetches it)")
    script = os.path.join(GEN, "gen_spark_tables.py")

    def generate(out):
        proc = subprocess.run([sys.executable, script, out, "--jar", SPARK_JAR], capture_output=True, text=True,
                              timeout=1200)
        if proc.returncode != 0:
            raise RuntimeError(f"gen_spark_tables.py failed:\n{proc.stderr[-4000:]}")

    return iceberg_cache.cached_warehouse("spark", [script], generate,
                                          extra=f"pyspark {_version('pyspark')} {os.path.basename(SPARK_JAR)}")
