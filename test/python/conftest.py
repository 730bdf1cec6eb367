# The aishell Python package as `make build` builds it: build/python/aishell (the extension
# module beside copies of python/aishell/*.py). test_pip_install.py checks `pip install ./python`.
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("AISHELL_BUILD_DIR", os.path.join(ROOT, "build"))
sys.path.insert(0, os.path.join(BUILD, "python"))


@pytest.fixture
def home(tmp_path):
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def con(home):
    import aishell

    c = aishell.connect(home=str(home))
    yield c
    c.close()
