"""A stale /dev/shm/mongoc-<pid> file, left by a killed process whose pid this one reuses, is
removed before the MongoDB driver's load-time constructor sees it (connectors/mongodb/
driver_preinit.h): no driver warning on stderr, and the driver's own file is gone at exit."""
import os
import subprocess

import pytest

from aishell_cli import aishell_binary


def stale_counters_path(pid):
    return f"/dev/shm/mongoc-{pid}"


@pytest.mark.skipif(not os.path.isdir("/dev/shm"), reason="no /dev/shm on this system")
def test_stale_driver_counters_file_is_not_reported(tmp_path):
    def leave_a_stale_file():
        # Runs in the child after fork, before exec: exec keeps the pid, as a reused pid would.
        path = stale_counters_path(os.getpid())
        with open(path, "wb") as f:
            f.write(b"\0" * 64)

    env = dict(os.environ, AISHELL_HOME=str(tmp_path / "home"), NO_COLOR="1")
    env.pop("MONGOC_DISABLE_SHM", None)
    p = subprocess.Popen([aishell_binary(), "query", "SELECT 40 + 2 AS answer"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=leave_a_stale_file)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    assert "42" in out
    assert "mongoc" not in err and "counters" not in err, err
    assert not os.path.exists(stale_counters_path(p.pid))

