# Makes test/aishell_cli.py and test/util/*.py (duckdb_ext) importable from every test folder.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "util"))

import pytest

# Suites of one connector: not run when the build left that connector out (CMake's
# AISHELL_WITH_<NAME>=OFF writes the build's connectors to $AISHELL_BUILD_DIR/connectors.txt).
# A test elsewhere that needs a connector says so with @pytest.mark.connector("sqlite").
_CONNECTOR_SUITES = {"postgres": "postgres", "redis": "redis", "iceberg": "iceberg",
                     "mongodb": "mongodb", "elasticsearch": "elasticsearch"}


def _built_connectors():
    build = os.environ.get("AISHELL_BUILD_DIR") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "build")
    try:
        with open(os.path.join(build, "connectors.txt")) as f:
            return {line.strip() for line in f if line.strip()}
    except OSError:
        return None  # an older build: every connector


def pytest_configure(config):
    config.addinivalue_line("markers", "connector(name): needs that connector in the build")


def pytest_collection_modifyitems(config, items):
    built = _built_connectors()
    if built is None:
        return
    test_root = os.path.dirname(os.path.abspath(__file__))
    for item in items:
        needed = {m.args[0] for m in item.iter_markers("connector")}
        rel = os.path.relpath(str(item.fspath), test_root).split(os.sep)
        if rel and rel[0] in _CONNECTOR_SUITES:
            needed.add(_CONNECTOR_SUITES[rel[0]])
        if "iceberg" in os.path.basename(str(item.fspath)):
            needed.add("iceberg")
        missing = sorted(needed - built)
        if missing:
            item.add_marker(pytest.mark.skip(
                reason=f"this build has no {', '.join(missing)} connector (AISHELL_WITH_*=OFF)"))
