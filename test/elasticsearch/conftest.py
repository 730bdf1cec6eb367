"""Fixtures of the Elasticsearch suite: the servers of scripts/services/elasticsearch.sh
(AISHELL_TEST_ES_HTTP) and scripts/services/opensearch.sh (AISHELL_TEST_OS_HTTP, the second
target: every test that takes `es` runs against both), plain HTTP (urllib) as the independent
client that creates indices, loads documents and checks what was written, and an `aishell` home
connected to the server."""
import base64
import hashlib
import json
import os
import ssl
import urllib.error
import urllib.request

import pytest

from aishell_cli import parse_json_rows, run_aishell

HTTP = os.environ.get("AISHELL_TEST_ES_HTTP", "")
URL = os.environ.get("AISHELL_TEST_ES_URL", "")
SERVERS = {
    "elasticsearch": ("AISHELL_TEST_ES_HTTP", "AISHELL_TEST_ES_URL", "scripts/services/elasticsearch.sh"),
    "opensearch": ("AISHELL_TEST_OS_HTTP", "AISHELL_TEST_OS_URL", "scripts/services/opensearch.sh"),
}


class Es:
    """A tiny independent client: JSON in, JSON out."""

    def __init__(self, base, kind="elasticsearch", url=""):
        self.base = base
        self.kind = kind  # elasticsearch or opensearch
        self.url = url    # the aishell connection URL
        # Elasticsearch runs with HTTPS and file-realm users (scripts/services/elasticsearch.sh).
        self.auth = {}
        self.context = None
        if base.startswith("https://"):
            user = os.environ.get("AISHELL_TEST_ES_USER", "")
            password = os.environ.get("AISHELL_TEST_ES_PASSWORD", "")
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            self.auth = {"Authorization": "Basic " + token}
            self.context = ssl.create_default_context(cafile=os.environ.get("AISHELL_TEST_ES_CA"))

    def raw(self, method, path, data=None, content_type=None):
        """(status, body bytes) of one request, whatever the status."""
        headers = dict(self.auth)
        if content_type:
            headers["Content-Type"] = content_type
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60, context=self.context) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def call(self, method, path, body=None, ndjson=False):
        data = None
        content_type = None
        if body is not None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            content_type = "application/x-ndjson" if ndjson else "application/json"
        status, text = self.raw(method, path, data, content_type)
        if status >= 300:
            if method == "DELETE" and status == 404:
                return {}
            raise AssertionError(f"{method} {path}: {status} {text.decode()[:500]}")
        return json.loads(text) if text else {}

    def create(self, index, mappings, settings=None):
        self.call("DELETE", "/" + index)
        body = {"mappings": mappings}
        if settings:
            body["settings"] = settings
        self.call("PUT", "/" + index, body)

    def load(self, index, docs):
        lines = []
        for i, d in enumerate(docs):
            d = dict(d)
            doc_id = d.pop("_id", str(i))
            lines.append(json.dumps({"index": {"_index": index, "_id": doc_id}}))
            lines.append(json.dumps(d))
        r = self.call("POST", "/_bulk?refresh=true", "\n".join(lines) + "\n", ndjson=True)
        assert not r["errors"], r


@pytest.fixture(params=sorted(SERVERS))
def es(request):
    http_env, url_env, script = SERVERS[request.param]
    if not os.environ.get(http_env):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{http_env} is unset in CI ({script} start)")
        pytest.skip(f"{http_env} is unset (run {script} start)")
    return Es(os.environ[http_env], request.param, os.environ[url_env])


@pytest.fixture
def es_only():
    """Elasticsearch alone (tests of what only it has, or of aishell's side of a failure)."""
    if not HTTP:
        if os.environ.get("CI") == "true":
            pytest.fail("AISHELL_TEST_ES_HTTP is unset in CI (scripts/services/elasticsearch.sh start)")
        pytest.skip("AISHELL_TEST_ES_HTTP is unset (run scripts/services/elasticsearch.sh start)")
    return Es(HTTP, "elasticsearch", URL)


@pytest.fixture
def index(es, request):
    """A fresh index name per test (xdist workers never share one); deleted afterwards."""
    name = "t_" + request.node.originalname[:30].lower() + "_" + hashlib.sha1(
        request.node.nodeid.encode()).hexdigest()[:8]
    # expand_wildcards=all: also the hidden indices that CREATE OR REPLACE writes behind an alias.
    es.call("DELETE", "/" + name + "*?expand_wildcards=all")
    yield name
    es.call("DELETE", "/" + name + "*?expand_wildcards=all")


class Shell:
    def __init__(self, home, url):
        self.home = home
        self.url = url

    def run(self, *args, stdin=None, timeout=120):
        return run_aishell(list(args), home=self.home, stdin=stdin, timeout=timeout)

    def connect(self, *properties, name="es", url=None):
        args = ["connect", url or self.url, "--name", name, "--replace"]
        for p in properties:
            args += ["--property", p]
        r = self.run(*args)
        assert r.returncode == 0, r.stderr
        return r

    def rows(self, sql, pushdown=True):
        if not pushdown:
            sql = "SET SESSION pushdown = false; " + sql
        r = self.run("query", "--format", "json", sql)
        assert r.returncode == 0, r.stderr
        return [list(row.values()) if hasattr(row, "values") else row for row in parse_json_rows(r.stdout)]

    def explain(self, sql):
        r = self.run("explain", sql)
        assert r.returncode == 0, r.stderr
        return r.stdout


@pytest.fixture
def shell_class():
    """The Shell class, for a test that needs a second home (tests must not import conftest by
    name: with several suites collected at once, that finds another suite's conftest)."""
    return Shell


@pytest.fixture
def shell(es, tmp_path):
    return Shell(tmp_path / "home", es.url)
