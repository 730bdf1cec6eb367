"""`aishell config` against the settings registry: unknown names and bad values are refused."""


def ok(proc):
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    return proc


def fails(proc, code=None):
    assert proc.returncode != 0, f"expected a failure, got exit 0\nstdout:\n{proc.stdout}"
    if code is not None:
        assert proc.returncode == code, f"exit {proc.returncode}, expected {code}\nstderr:\n{proc.stderr}"
    return proc


def test_config_set_refuses_an_unknown_name_with_the_nearest_one(cli):
    proc = fails(cli("config", "set", "federation.max_memroy", "1GB"), code=1)
    assert "unknown setting 'federation.max_memroy'" in proc.stderr
    assert "did you mean 'federation.max_memory'" in proc.stderr
    # Nothing was stored.
    fails(cli("config", "get", "federation.max_memroy"))


def test_config_set_refuses_a_bad_value_naming_setting_and_value(cli):
    for key, value, expected in [
        ("federation.threads", "lots", "expected a number from 0 to 1024"),
        ("federation.pushdown", "maybe", "expected true or false"),
        ("federation.max_memory", "4XB", "invalid size unit"),
        ("federation.timeout", "soon", "expected a duration"),
        ("display.max_rows", "-3", "expected a whole number of at least 0"),
    ]:
        proc = fails(cli("config", "set", key, value), code=1)
        assert key in proc.stderr and f"'{value}'" in proc.stderr, proc.stderr
        assert expected in proc.stderr, proc.stderr
        fails(cli("config", "get", key))


def test_config_list_prints_the_registry_with_docs_and_values(cli):
    ok(cli("config", "set", "federation.batch_size", "7"))
    out = ok(cli("config", "list")).stdout
    assert "federation.max_memory = 4GB" in out
    assert "memory limit per query" in out
    assert "federation.lookup_batch_size = 7" in out  # stored under an alias
    assert "display.max_rows = 1000" in out
    timeout = out[out.index("federation.timeout"):].splitlines()[1]
    assert "read by the engine" in timeout and "federation.max_query_time" in timeout
    memory = out[out.index("federation.max_memory"):].splitlines()[1]
    assert "(not yet used)" not in memory
