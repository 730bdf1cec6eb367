"""The shell as seed 002 shows it, without servers: the interactive shell takes English and
help/exit/quit without the dot, box tables print DOUBLE readably (CSV keeps every digit) with
numbers right-aligned and --max-width wrapping, unknown commands and options suggest the nearest.
Run: python3 -m pytest test/shell/test_shell.py
"""
import pytest

from aishell_cli import run_aishell


@pytest.fixture
def home(tmp_path):
    lake = tmp_path / "lake"
    lake.mkdir()
    (lake / "orders.csv").write_text("id,region,amount\n1,West,10.5\n2,East,20.25\n3,West,5\n")
    h = tmp_path / "home"
    r = run_aishell(["connect", f"file://{lake}", "--name", "lake"], h)
    assert r.returncode == 0, r.stderr
    return h


def test_interactive_english_help_and_quit(home):
    r = run_aishell([], home, stdin="help\ntotal amount by region\nSELECT 41 + 1 AS answer;\nquit\nSELECT 2;\n")
    assert r.returncode == 0, r.stderr
    assert ".tables" in r.stdout and "question in English" in r.stdout  # help
    assert "│ West   │       15.5 │" in r.stdout and "│ East   │      20.25 │" in r.stdout
    assert "│     42 │" in r.stdout
    assert "Results: 1 row" in r.stdout
    assert "│ 2 │" not in r.stdout  # after quit nothing runs
    assert "AI Query Translator" in r.stderr  # the panel, on stderr when stdout is no terminal


@pytest.mark.parametrize("word", ["exit", "QUIT", "exit;", ".exit"])
def test_exit_words(home, word):
    r = run_aishell([], home, stdin=f"{word}\nSELECT 7;\n")
    assert r.returncode == 0 and "7" not in r.stdout, r.stdout


def test_interactive_english_that_cannot_be_placed(home):
    r = run_aishell([], home, stdin="show me the zebras by stripes\nSELECT 5 AS five;\n")
    assert r.returncode == 1  # the refusal counts as a failure, and the shell goes on
    assert "│    5 │" in r.stdout


def test_unknown_meta_command_suggests(home):
    r = run_aishell([], home, stdin=".hlp\n")
    assert "unknown command .hlp; did you mean .help?" in r.stderr


def test_double_readable_in_tables_exact_in_csv(home):
    sql = "SELECT CAST(30618765.36999964 AS DOUBLE) AS revenue, 0.1e0 + 0.2e0 AS x, 'West' AS region"
    r = run_aishell(["query", sql], home)
    assert r.returncode == 0, r.stderr
    assert "│ 30618765.37 │ 0.3 │ West   │" in r.stdout
    r = run_aishell(["query", sql, "--format", "csv"], home)
    assert r.stdout == "revenue,x,region\n30618765.36999964,0.30000000000000004,West\n"
    r = run_aishell(["export", "last", "--format", "json"], home)
    assert "30618765.36999964" in r.stdout


def test_max_width_wraps(home):
    sql = "SELECT 12345 AS n, 'a long description that does not fit in a narrow table' AS description"
    r = run_aishell(["query", sql, "--max-width", "40"], home)
    assert r.returncode == 0, r.stderr
    table = [line for line in r.stdout.splitlines() if line.startswith(("┌", "│", "├", "└"))]
    assert all(len(line) <= 40 for line in table), table
    assert "│ 12345 │ a long description that does │" in r.stdout
    assert "│       │ not fit in a narrow table    │" in r.stdout
    for bad in ("5", "wide", ""):
        r = run_aishell(["query", sql, "--max-width", bad], home)
        assert r.returncode == 2 and "--max-width needs a number of columns" in r.stderr


def test_unknown_commands_and_options_suggest(home):
    r = run_aishell(["conections"], home)
    assert r.returncode == 2 and "did you mean 'connections'?" in r.stderr
    r = run_aishell(["query", "SELECT 1", "--max-widht", "50"], home)
    assert r.returncode == 2 and "did you mean --max-width?" in r.stderr


def test_help_mentions_what_works(home):
    r = run_aishell(["--help"], home)
    assert r.returncode == 0
    for word in ("connect", "connections", "query", "explain", "export", "create-view", "config",
                 "search", "cache", "sync", "stream", "jobs", "serve", "monitor"):
        assert f"\n  {word} " in r.stdout
    r = run_aishell(["connect", "--help"], home)
    assert "--replace" in r.stdout and "elasticsearch://" in r.stdout
