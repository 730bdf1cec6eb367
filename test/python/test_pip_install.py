"""`pip install ./python` (scikit-build-core + pybind11, the project's own CMake build) into a
virtual environment, then the installed package runs a query. The build directory sits beside
build/ (build-python/) so that ccache serves the engine's objects from `make build`, and the venv
is cached outside the clone."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_pip_install_builds_and_imports(tmp_path):
    venv = os.path.join(os.path.expanduser("~"), ".cache", "aishell-python-venv")
    py = os.path.join(venv, "bin", "python")
    if not os.path.exists(py):
        subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", venv], check=True)
    env = dict(os.environ)
    env.setdefault("CCACHE_DIR", os.path.join(os.path.expanduser("~"), ".cache", "aishell-ccache"))
    env.setdefault("CCACHE_BASEDIR", ROOT)
    env.setdefault("CCACHE_NOHASHDIR", "1")
    env["CMAKE_BUILD_PARALLEL_LEVEL"] = "2"
    # The compiler of `make build` by the same name: ccache keys on it (c++ and g++ miss).
    build = os.environ.get("AISHELL_BUILD_DIR", os.path.join(ROOT, "build"))
    with open(os.path.join(build, "CMakeCache.txt")) as f:
        for line in f:
            if line.startswith("CMAKE_CXX_COMPILER:"):
                env["CXX"] = line.split("=", 1)[1].strip()
    r = subprocess.run(
        [py, "-m", "pip", "install", "-q", "--no-build-isolation", "--no-deps",
         "--disable-pip-version-check", "--force-reinstall",
         "-C", f"build-dir={os.path.join(ROOT, 'build-python')}", os.path.join(ROOT, "python")],
        env=env, capture_output=True, text=True, timeout=3600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    home = tmp_path / "home"
    home.mkdir()
    script = (
        "import aishell, os, sys\n"
        "assert os.path.dirname(aishell.__file__).startswith(sys.prefix), aishell.__file__\n"
        f"con = aishell.connect(home={str(home)!r})\n"
        "print(con.sql('SELECT 40 + 2 AS answer').fetchall())\n"
        "print(con.sql('SELECT ARRAY[1, 2] AS a').arrow().schema)\n")
    r = subprocess.run([py, "-c", script], capture_output=True, text=True, cwd=str(tmp_path),
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert "[(42,)]" in r.stdout
    assert "a: list<" in r.stdout
