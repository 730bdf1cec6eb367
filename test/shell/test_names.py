"""Bracketed source names (seed 002's `[users-db].users`): the source's default schema when the
schema is left out, a table in exactly one other schema, and an error listing every match when
several schemas hold the name. Files need no server; the PostgreSQL part needs
scripts/services/postgres.sh (skips outside CI without it, fails with CI=true).
Run: python3 -m pytest test/shell/test_names.py
"""
import os
import subprocess
import uuid

import pytest

from aishell_cli import parse_json_rows, run_aishell

PG_URL = os.environ.get("AISHELL_TEST_PG_URL", "")


def need_pg():
    if not PG_URL:
        if os.environ.get("CI") == "true":
            raise RuntimeError("AISHELL_TEST_PG_URL is not set in CI: run scripts/services/postgres.sh start")
        pytest.skip("AISHELL_TEST_PG_URL is not set (scripts/services/postgres.sh start)")


def psql(sql):
    binary = os.path.join(os.environ.get("AISHELL_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"), "psql")
    subprocess.run([binary, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", PG_URL, "-c", sql],
                   capture_output=True, text=True, timeout=60, check=True)


def rows(home, sql):
    r = run_aishell(["query", sql, "--format", "json"], home)
    assert r.returncode == 0, r.stderr + r.stdout
    return parse_json_rows(r.stdout)


@pytest.fixture
def files_home(tmp_path):
    root = tmp_path / "files"
    for folder in ("a", "b"):
        (root / folder).mkdir(parents=True)
        (root / folder / "dup.csv").write_text("id\n1\n2\n")
    (root / "users.csv").write_text("id,name\n1,ann\n2,bob\n")
    (root / "b" / "only_b.csv").write_text("id\n7\n")
    home = tmp_path / "home"
    r = run_aishell(["connect", "file://" + str(root), "--name", "files-db"], home)
    assert r.returncode == 0, r.stderr
    return home


def test_bracket_name_uses_default_schema(files_home):
    assert rows(files_home, "SELECT name FROM [files-db].users ORDER BY id") == [["ann"], ["bob"]]
    assert rows(files_home, 'SELECT count(*) FROM [files-db].default.users') == [[2]]
    assert rows(files_home, 'SELECT count(*) FROM "files-db".default.users') == [[2]]


def test_bracket_name_found_in_one_other_schema(files_home):
    assert rows(files_home, "SELECT id FROM [files-db].only_b") == [[7]]


def test_bracket_name_in_several_schemas_lists_them(files_home):
    r = run_aishell(["query", "SELECT * FROM [files-db].dup"], files_home)
    assert r.returncode == 1
    assert "ambiguous" in r.stderr
    assert '"files-db".a.dup' in r.stderr and '"files-db".b.dup' in r.stderr
    assert "column 15" in r.stderr  # where in the SQL


def test_bracket_name_unknown_source(files_home):
    r = run_aishell(["query", "SELECT * FROM [file-db].users"], files_home)
    assert r.returncode == 1
    assert "no source named 'file-db'" in r.stderr and "did you mean 'files-db'" in r.stderr


def test_bracket_names_in_a_view_and_explain(files_home):
    r = run_aishell(["create-view", "v", "SELECT u.name FROM [files-db].users u JOIN [files-db].only_b o ON true"],
                    files_home)
    assert r.returncode == 0, r.stderr
    assert rows(files_home, "SELECT count(*) FROM v") == [[2]]
    r = run_aishell(["explain", "SELECT * FROM [files-db].users"], files_home)
    assert r.returncode == 0, r.stderr
    assert "users" in r.stdout


def test_postgres_bracket_names(tmp_path):
    need_pg()
    tag = "wf1n_" + uuid.uuid4().hex[:8]
    psql(f"CREATE SCHEMA {tag}_a; CREATE SCHEMA {tag}_b; "
         f"CREATE TABLE public.{tag}_users (id int, email text); INSERT INTO public.{tag}_users VALUES (1, 'a@x');"
         f"CREATE TABLE {tag}_a.{tag}_dup (id int); CREATE TABLE {tag}_b.{tag}_dup (id int);"
         f"CREATE TABLE {tag}_b.{tag}_solo (id int); INSERT INTO {tag}_b.{tag}_solo VALUES (5);")
    try:
        home = tmp_path / "home"
        r = run_aishell(["connect", PG_URL, "--name", "users-db"], home)
        assert r.returncode == 0, r.stderr
        for name in (f"[users-db].{tag}_users", f"[users-db].public.{tag}_users", f'"users-db".public.{tag}_users'):
            assert rows(home, f"SELECT id, email FROM {name}") == [[1, "a@x"]], name
        assert rows(home, f"SELECT id FROM [users-db].{tag}_solo") == [[5]]
        r = run_aishell(["query", f"SELECT * FROM [users-db].{tag}_dup"], home)
        assert r.returncode == 1
        assert f'"users-db".{tag}_a.{tag}_dup' in r.stderr and f'"users-db".{tag}_b.{tag}_dup' in r.stderr
    finally:
        psql(f"DROP SCHEMA {tag}_a CASCADE; DROP SCHEMA {tag}_b CASCADE; DROP TABLE public.{tag}_users")
