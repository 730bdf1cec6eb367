"""`aishell export last --format markdown|html|pdf`: reports for people. The PDF is checked by
rendering its pages with pdftoppm and reading their text with pdftotext (poppler-utils), also
when written through a shell redirection as seed 002 writes it (`> customer-profile.pdf`).
Run: python3 -m pytest test/shell/test_export_reports.py
"""
import os
import shutil
import subprocess

import pytest

from aishell_cli import aishell_binary, run_aishell

pytestmark = pytest.mark.skipif(
    os.environ.get("CI") != "true" and not shutil.which("pdftotext"),
    reason="poppler-utils is not installed (scripts/install-deps.sh test)")


@pytest.fixture
def home(tmp_path):
    lake = tmp_path / "lake"
    lake.mkdir()
    lines = ["id,name,amount,note"]
    for i in range(1, 151):
        lines.append(f"{i},customer {i:03d},{i * 1.1:.2f},note for row {i} that is long enough to wrap "
                     f"somewhere in a narrow report column | pipes <and> tags & more")
    (lake / "sales.csv").write_text("\n".join(lines) + "\n")
    h = tmp_path / "home"
    assert run_aishell(["connect", f"file://{lake}", "--name", "lake"], h).returncode == 0
    r = run_aishell(["query", "SELECT id, name, amount, note FROM lake.sales ORDER BY id"], h)
    assert r.returncode == 0, r.stderr
    return h


def pdf_text(path):
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_pdf_through_redirection(home, tmp_path):
    out = tmp_path / "customer-profile.pdf"
    env = dict(os.environ, AISHELL_HOME=str(home))
    with open(out, "wb") as f:  # `aishell export last --format pdf > customer-profile.pdf`
        r = subprocess.run([aishell_binary(), "export", "last", "--format", "pdf"], stdout=f,
                           stderr=subprocess.PIPE, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(out), str(tmp_path / "page")], check=True)
    pages = sorted(p for p in os.listdir(tmp_path) if p.startswith("page") and p.endswith(".png"))
    assert len(pages) >= 3, pages  # 150 wrapped rows need several A4 pages
    text = pdf_text(out)
    assert "aishell report" in text and "SELECT id, name, amount, note FROM lake.sales ORDER BY id" in text
    assert text.count("name") >= len(pages)  # the header on every page
    assert "customer 001" in text and "customer 150" in text
    assert "Results: 150 rows" in text and f"Page {len(pages)}" in text
    assert "165.0" in text  # 150 * 1.1, right-aligned numbers as tables show them


def test_pdf_with_output(home, tmp_path):
    r = run_aishell(["export", "last", "--format", "pdf", "--output", str(tmp_path / "r.pdf")], home)
    assert r.returncode == 0 and "Exported 150 rows" in r.stderr
    assert "customer 077" in pdf_text(tmp_path / "r.pdf")


def test_markdown_and_html(home):
    md = run_aishell(["export", "last", "--format", "markdown"], home)
    assert md.returncode == 0, md.stderr
    assert "| id | name | amount | note |\n| ---: | --- | ---: | --- |\n" in md.stdout
    assert "| 1 | customer 001 | 1.1 | note for row 1" in md.stdout and "\\| pipes" in md.stdout
    assert "150 rows" in md.stdout
    html = run_aishell(["export", "last", "--format", "html"], home)
    assert html.stdout.startswith("<!DOCTYPE html>")
    assert "<th>amount</th>" in html.stdout and '<td class="n">165.0</td>' in html.stdout
    assert "&lt;and&gt; tags &amp; more" in html.stdout and "<and>" not in html.stdout


def test_bad_flags(home, tmp_path):
    r = run_aishell(["export", "last", "--format", "pdff"], home)
    assert r.returncode == 2 and "did you mean pdf?" in r.stderr
    r = run_aishell(["export", "first", "--format", "pdf"], home)
    assert r.returncode == 2 and "export takes 'last' or a background job id" in r.stderr
    r = run_aishell(["export", "last", "--format", "pdf", "--output", str(tmp_path / "no" / "dir.pdf")], home)
    assert r.returncode == 1 and "cannot write" in r.stderr
    empty = tmp_path / "empty"
    r = run_aishell(["export", "last", "--format", "pdf", "--output", str(tmp_path / "x.pdf")], empty)
    assert r.returncode == 1 and "no last result" in r.stderr
