"""Redis over TLS (rediss://) through the `aishell` command line, against the TLS port of
scripts/services/redis.sh (AISHELL_TEST_REDISS_URL, CA in AISHELL_TEST_REDIS_TLS_CA). Skipped when
unset, failed when CI=true. Databases 35-36 (see test_redis_cli.py for the others)."""
import os
import subprocess
import urllib.parse

import pytest

from aishell_cli import parse_json_rows, run_aishell

URL = os.environ.get("AISHELL_TEST_REDIS_URL", "")
TLS_URL = os.environ.get("AISHELL_TEST_REDISS_URL", "")
CA = os.environ.get("AISHELL_TEST_REDIS_TLS_CA", "")


@pytest.fixture
def tls_db(request):
    if not (URL and TLS_URL and CA):
        if os.environ.get("CI") == "true":
            pytest.fail("AISHELL_TEST_REDISS_URL / AISHELL_TEST_REDIS_TLS_CA are unset in CI "
                        "(scripts/services/redis.sh start)")
        pytest.skip("AISHELL_TEST_REDISS_URL is unset (run scripts/services/redis.sh start)")
    db = request.param
    plain = urllib.parse.urlparse(URL)
    password = urllib.parse.unquote(plain.password or "")

    def cli(*args):
        env = dict(os.environ, REDISCLI_AUTH=password)
        out = subprocess.run(["redis-cli", "--no-auth-warning", "-h", plain.hostname, "-p", str(plain.port),
                              "-n", str(db)] + list(args), capture_output=True, text=True, env=env, timeout=30)
        assert out.returncode == 0, out.stderr
        return out.stdout

    cli("FLUSHDB")
    for i in range(1, 251):
        cli("HSET", f"session:s{i:03d}", "user_id", str(i % 7), "device", ["web", "ios", "android"][i % 3])
    cli("EXPIRE", "session:s001", "1800")
    yield {"tls_url": TLS_URL.rsplit("/", 1)[0] + f"/{db}", "plain_url": URL.rsplit("/", 1)[0] + f"/{db}",
           "password": password, "cli": cli}
    cli("FLUSHDB")


@pytest.fixture
def aishell(tmp_path):
    home = tmp_path / "home"

    def run(*args):
        return run_aishell(list(args), home=home)

    return run


QUERY = ("SELECT device, count(*), sum(user_id), count(_ttl) FROM {c}.default.sessions "
         "GROUP BY device ORDER BY device")
TABLE = "table.sessions=session:{session_id}"


def assert_hidden(r, password):
    assert password not in r.stdout + r.stderr


@pytest.mark.parametrize("tls_db", [35], indirect=True)
def test_query_over_tls_equals_plain(tls_db, aishell):
    r = aishell("connect", tls_db["tls_url"], "--name", "secure", "--property", TABLE,
                "--property", f"tls.ca-file={CA}")
    assert r.returncode == 0, r.stderr
    assert_hidden(r, tls_db["password"])
    r = aishell("connect", tls_db["plain_url"], "--name", "plain", "--property", TABLE)
    assert r.returncode == 0, r.stderr
    secure = aishell("query", QUERY.format(c="secure"), "--format", "json")
    assert secure.returncode == 0, secure.stderr
    plain = aishell("query", QUERY.format(c="plain"), "--format", "json")
    assert plain.returncode == 0, plain.stderr
    rows = parse_json_rows(secure.stdout)
    assert rows == parse_json_rows(plain.stdout)
    assert sum(row[1] for row in rows) == 250
    assert sum(row[3] for row in rows) == 1
    # Key lookups over TLS, and EXPLAIN keeps the password out.
    r = aishell("query", "SELECT session_id, device FROM secure.default.sessions "
                "WHERE session_id IN ('s001', 's002') ORDER BY 1", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert parse_json_rows(r.stdout) == [["s001", "ios"], ["s002", "android"]]
    r = aishell("explain", "SELECT device FROM secure.default.sessions")
    assert r.returncode == 0, r.stderr
    assert_hidden(r, tls_db["password"])


@pytest.mark.parametrize("tls_db", [36], indirect=True)
def test_certificate_errors_verify_false_and_redaction(tls_db, aishell, tmp_path):
    password = tls_db["password"]
    # A CA that did not sign the server's certificate.
    wrong_ca = tmp_path / "wrong-ca.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=not the test CA", "-keyout", str(tmp_path / "wrong-ca.key"),
                    "-out", str(wrong_ca)], check=True, capture_output=True)
    for props in (["--property", f"tls.ca-file={wrong_ca}"], []):  # the wrong CA; the system store
        r = aishell("connect", tls_db["tls_url"], "--name", "secure", "--property", TABLE, *props)
        assert r.returncode != 0
        out = r.stdout + r.stderr
        assert "redis source 'secure'" in out, out
        assert "TLS handshake with 127.0.0.1:" in out, out
        assert "certificate is not trusted" in out, out
        assert "tls.ca-file" in out, out
        assert password not in out
    # A CA file that does not exist.
    r = aishell("connect", tls_db["tls_url"], "--name", "secure", "--property", f"tls.ca-file={tmp_path}/none.pem")
    assert r.returncode != 0
    assert "redis source 'secure': cannot load the CA certificates of tls.ca-file" in r.stderr, r.stderr
    assert password not in r.stdout + r.stderr
    # tls.verify=false: no check, the query works.
    r = aishell("connect", tls_db["tls_url"], "--name", "secure", "--property", TABLE,
                "--property", "tls.verify=false")
    assert r.returncode == 0, r.stderr
    r = aishell("query", "SELECT count(*) FROM secure.default.sessions", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert parse_json_rows(r.stdout) == [[250]]
    # Host name check: the certificate is for 127.0.0.1 and localhost.
    parsed = urllib.parse.urlparse(tls_db["tls_url"])
    local = tls_db["tls_url"].replace("127.0.0.1", "localhost")
    r = aishell("connect", local, "--name", "byname", "--property", TABLE, "--property", f"tls.ca-file={CA}")
    assert r.returncode == 0, r.stderr
    # A wrong password over TLS.
    bad = f"rediss://:not-the-pass-77@{parsed.hostname}:{parsed.port}/36"
    r = aishell("connect", bad, "--name", "secure", "--property", f"tls.ca-file={CA}")
    assert r.returncode != 0
    assert "redis source 'secure': authentication failed" in r.stderr, r.stderr
    assert "not-the-pass-77" not in r.stdout + r.stderr
    # TLS to the plain port, and plain to the TLS port: clear errors, no hang, no password.
    plain_port = urllib.parse.urlparse(tls_db["plain_url"]).port
    r = aishell("connect", f"rediss://:{password}@127.0.0.1:{plain_port}/36", "--name", "mixed",
                "--property", f"tls.ca-file={CA}", "--property", "read_timeout=3")
    assert r.returncode != 0
    assert "redis source 'mixed': TLS handshake with" in r.stderr, r.stderr
    assert password not in r.stdout + r.stderr
    r = aishell("connect", f"redis://:{password}@127.0.0.1:{parsed.port}/36", "--name", "mixed",
                "--property", "read_timeout=3")
    assert r.returncode != 0
    assert "redis source 'mixed'" in r.stderr, r.stderr
    assert password not in r.stdout + r.stderr
    # tls.* on a redis:// URL is a mistake worth reporting.
    r = aishell("connect", tls_db["plain_url"], "--name", "p", "--property", f"tls.ca-file={CA}")
    assert r.returncode != 0
    assert "use a rediss:// URL" in r.stderr, r.stderr
