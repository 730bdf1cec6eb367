"""`aishell sync install-service`: the systemd user unit that runs `aishell sync daemon` for one
aishell home. systemd-analyze verify accepts it (when systemd-analyze is installed; in CI it must
be); it names this binary and home (quoted, % escaped); an existing different unit is kept unless
--replace; bad input. Run: python3 -m pytest test/workflows/test_sync_service.py
"""
import os
import shutil
import subprocess

import pytest

from aishell_cli import aishell_binary, run_aishell


def run_with(args, home, env):
    os.makedirs(str(home), exist_ok=True)
    env = dict(env, AISHELL_HOME=str(home), NO_COLOR="1")
    return subprocess.run([aishell_binary()] + args, capture_output=True, text=True, env=env,
                          timeout=120)


def verify(path):
    if not shutil.which("systemd-analyze"):
        if os.environ.get("CI") == "true":
            pytest.fail("systemd-analyze is missing in CI (Debian's systemd package)")
        pytest.skip("systemd-analyze is not installed")
    r = subprocess.run(["systemd-analyze", "verify", str(path)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert "aishell-sync.service" not in r.stderr, r.stderr  # no warning about the unit itself


def test_unit_is_valid_and_names_this_home(tmp_path):
    home = tmp_path / "my 100% home"
    unit = tmp_path / "units" / "aishell-sync.service"
    r = run_aishell(["sync", "install-service", "--output", str(unit)], home)
    assert r.returncode == 0, r.stderr
    assert f"Wrote {unit}" in r.stdout and "systemctl --user enable --now aishell-sync.service" in r.stdout
    text = unit.read_text()
    assert f'Environment="AISHELL_HOME={str(home).replace("%", "%%")}"' in text
    assert f'ExecStart="{os.path.realpath(aishell_binary())}" sync daemon' in text
    assert "Restart=on-failure" in text and "WantedBy=default.target" in text
    verify(unit)
    # Again: the same unit is left as it is.
    r = run_aishell(["sync", "install-service", "--output", str(unit)], home)
    assert r.returncode == 0 and "is up to date" in r.stdout, r.stderr


def test_default_place_and_replace(tmp_path):
    env_home = tmp_path / "config"
    env = dict(os.environ, XDG_CONFIG_HOME=str(env_home))
    unit = env_home / "systemd" / "user" / "aishell-sync.service"
    r = run_with(["sync", "install-service"], tmp_path / "a", env)
    assert r.returncode == 0, r.stderr
    assert unit.exists() and str(tmp_path / "a") in unit.read_text()
    # Another home's unit is not replaced silently.
    r = run_with(["sync", "install-service"], tmp_path / "b", env)
    assert r.returncode == 1 and "exists and differs" in r.stderr and "--replace" in r.stderr
    assert str(tmp_path / "a") in unit.read_text()
    r = run_with(["sync", "install-service", "--replace"], tmp_path / "b", env)
    assert r.returncode == 0 and str(tmp_path / "b") in unit.read_text()


def test_print_and_bad_input(tmp_path):
    r = run_aishell(["sync", "install-service", "--output", "-"], tmp_path / "h")
    assert r.returncode == 0 and r.stdout.startswith("# Written by `aishell sync install-service`")
    r = run_aishell(["sync", "install-service", "extra"], tmp_path / "h")
    assert r.returncode == 2 and "takes no arguments, not 'extra'" in r.stderr
    r = run_aishell(["sync", "install-service", "--output", "/proc/nope/x.service"], tmp_path / "h")
    assert r.returncode == 1 and "/proc/nope/x.service" in r.stderr, r.stderr
