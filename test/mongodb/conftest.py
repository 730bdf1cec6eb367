"""Fixtures of the MongoDB suite: the FerretDB server of scripts/services/ferretdb.sh
(AISHELL_TEST_MONGODB_URL), a fresh database per test, pymongo as the independent client that
loads documents and computes expected answers, and an `aishell` home connected to the database."""
import os
import urllib.parse

import pytest

from aishell_cli import parse_json_rows, run_aishell

URL = os.environ.get("AISHELL_TEST_MONGODB_URL", "")


def url_for(database, url=URL):
    """The server URL with `database` as the default database (authSource kept)."""
    parsed = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parsed.scheme, parsed.netloc, "/" + database, parsed.query, ""))


@pytest.fixture
def mongo():
    if not URL:
        if os.environ.get("CI") == "true":
            pytest.fail("AISHELL_TEST_MONGODB_URL is unset in CI (scripts/services/ferretdb.sh start)")
        pytest.skip("AISHELL_TEST_MONGODB_URL is unset (run scripts/services/ferretdb.sh start)")
    import pymongo
    client = pymongo.MongoClient(URL, serverSelectionTimeoutMS=5000)
    yield client
    client.close()


@pytest.fixture
def db(mongo, request):
    """A fresh database named after the test (xdist workers never share one)."""
    import hashlib
    name = "t_" + request.node.originalname[:30] + "_" + hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:8]
    mongo.drop_database(name)
    yield mongo[name]
    mongo.drop_database(name)


class Shell:
    def __init__(self, home, database):
        self.home = home
        self.database = database

    def url(self):
        return url_for(self.database)

    def run(self, *args, stdin=None, timeout=120):
        return run_aishell(list(args), home=self.home, stdin=stdin, timeout=timeout)

    def connect(self, *properties, name="m", url=None):
        args = ["connect", url or self.url(), "--name", name, "--replace"]
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
def shell(db, tmp_path):
    return Shell(tmp_path / "home", db.name)
