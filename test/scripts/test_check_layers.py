"""scripts/check-layers.sh: passes on a tree whose includes go down, fails on each kind of breach."""

import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check-layers.sh"
ORDER = ("common → storage → functions → expr → catalog → formats → connectors → sql → planner → "
         "exec → engine → nl → workflows → server → shell")


def make_tree(tmp_path, files, order=ORDER):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "architecture.md").write_text(
        f"# x\n\nLayer order (lowest first): `{order}`.\n")
    for layer in ORDER.split(" → "):
        (tmp_path / "src" / layer).mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        p = tmp_path / path
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return tmp_path


def run(tree):
    return subprocess.run(["bash", str(SCRIPT)], env={"AISHELL_LAYERS_ROOT": str(tree), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True)


def test_the_repository_passes():
    r = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_includes_that_go_down_pass(tmp_path):
    tree = make_tree(tmp_path, {
        "src/planner/a.cpp": '#include "catalog/connector.h"\n#include "planner/b.h"\n',
        "src/connectors/redis/r.cpp": '#include "connectors/redis/r.h"\n#include "connectors/remote_sql/d.h"\n',
        "src/connectors/register_connectors.cpp": '#include "connectors/redis/r.h"\n',
        "src/exec/x_test.cpp": '#include "engine/engine.h"\n#include "exec/testing/t.h"\n',
    })
    r = run(tree)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("path,text,expect", [
    ("src/catalog/connector.h", '#include "planner/expression.h"\n', "layer 'planner' is above 'catalog'"),
    ("src/planner/optimizer/fold.cpp", '#include "exec/expression_executor.h"\n', "layer 'exec' is above 'planner'"),
    ("src/storage/local.cpp", '#include "formats/mapped_file.h"\n', "layer 'formats' is above 'storage'"),
    ("src/connectors/iceberg/c.cpp", '#include "connectors/postgres/pg.h"\n', "reaches into connector 'postgres'"),
    ("src/exec/op.cpp", '#include "exec/testing/memory_table.h"\n', "test helper"),
    ("src/exec/op_test.cpp", '#include "shell/cli.h"\n', "layer 'shell' is above 'exec'"),
])
def test_each_breach_fails_and_is_named(tmp_path, path, text, expect):
    r = run(make_tree(tmp_path, {path: text}))
    assert r.returncode != 0
    assert f"{path}:1:" in r.stdout
    assert expect in r.stdout


def test_an_unknown_folder_and_a_stale_document_fail(tmp_path):
    tree = make_tree(tmp_path, {"src/extra/x.h": "\n"}, order="common → storage")
    r = run(tree)
    assert r.returncode != 0
    assert "src/extra is not in the layer order" in r.stderr
    assert "docs/architecture.md says the layer order is" in r.stderr
