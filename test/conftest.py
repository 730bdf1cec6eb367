# Makes test/aishell_cli.py and test/util/*.py (duckdb_ext) importable from every test folder.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "util"))
