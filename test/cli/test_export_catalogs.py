"""`aishell export-catalogs --to trino`: files, secrets as ${ENV:...} references (or written with
--include-secrets, never printed), notes, and usage errors. The live check against Trino is in
test/trino/."""
import json
import os
import stat

from aishell_cli import run_aishell

PASSWORD = "Pg-s3cret-9731"


def _home(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "connections.json").write_text(json.dumps([
        {"name": "users-db", "type": "postgres",
         "url": f"postgres://app:{PASSWORD}@db.internal:5433/crm?sslmode=require", "properties": {}},
        {"name": "local", "type": "sqlite", "url": f"sqlite://{tmp_path}/x.db", "properties": {}},
    ]))
    (home / "views.json").write_text(json.dumps([
        {"name": "big_users", "sql": "SELECT id, name FROM [users-db].users WHERE id > 100"}]))
    return home


def test_export_writes_catalogs_views_and_notes(tmp_path):
    home = _home(tmp_path)
    out = tmp_path / "trino"
    r = run_aishell(["export-catalogs", "--to", "trino", str(out)], home)
    assert r.returncode == 0, r.stderr
    assert PASSWORD not in r.stdout + r.stderr
    assert "AISHELL_USERS_DB_PASSWORD" in r.stdout
    props = (out / "etc" / "catalog" / "users_db.properties").read_text()
    assert props.splitlines() == [
        "connector.name=postgresql",
        "connection-url=jdbc:postgresql://db.internal:5433/crm?sslmode=require",
        "connection-user=app",
        "connection-password=${ENV:AISHELL_USERS_DB_PASSWORD}",
    ]
    assert stat.S_IMODE(os.stat(out / "etc" / "catalog" / "users_db.properties").st_mode) == 0o600
    views = (out / "views.sql").read_text()
    assert "CREATE OR REPLACE VIEW aishell_views.default.big_users AS\n" \
           "SELECT id, name FROM users_db.public.users WHERE id > 100;" in views
    notes = (out / "NOTES.md").read_text()
    assert "local: a sqlite source has no Trino connector" in notes
    assert "users-db: is catalog users_db in Trino" in notes
    assert not (out / "etc" / "catalog" / "local.properties").exists()
    for path in out.rglob("*"):
        if path.is_file():
            assert PASSWORD not in path.read_text()


def test_include_secrets_writes_them_but_never_prints_them(tmp_path):
    home = _home(tmp_path)
    out = tmp_path / "trino"
    r = run_aishell(["export-catalogs", "--to", "trino", str(out), "--include-secrets"], home)
    assert r.returncode == 0, r.stderr
    assert PASSWORD not in r.stdout + r.stderr
    assert f"connection-password={PASSWORD}\n" in (out / "etc" / "catalog" / "users_db.properties").read_text()


def test_usage_errors(tmp_path):
    home = _home(tmp_path)
    r = run_aishell(["export-catalogs", "--to", "spark", str(tmp_path / "o")], home)
    assert r.returncode == 2 and "--to trino" in r.stderr
    r = run_aishell(["export-catalogs", "--to", "trino"], home)
    assert r.returncode == 2 and "output directory" in r.stderr
