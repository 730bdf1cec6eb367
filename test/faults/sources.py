"""The live sources of scripts/with-services.sh as seen by the fault and injection tests.

Each Source puts a FaultProxy (test/util/fault_proxy.py) in front of its server, connects an
`aishell` home to the proxy under the catalog name `flaky`, loads a few rows through the server's
own client, and reads tables back through that client (never through aishell), so a test can
check what a failed or hostile query really did to the server.
"""
import hashlib
import json
import os
import subprocess
import urllib.parse
import uuid

import pytest

from aishell_cli import aishell_binary, parse_json_rows
from fault_proxy import FaultProxy

CATALOG = "flaky"
# The services each source needs, as scripts/services/*.sh names them, with their variables.
NEEDS = {
    "postgres": (["AISHELL_TEST_PG_URL"], "postgres"),
    "redis": (["AISHELL_TEST_REDIS_URL"], "redis"),
    "mongodb": (["AISHELL_TEST_MONGODB_URL"], "ferretdb"),
    "elasticsearch": (["AISHELL_TEST_ES_URL", "AISHELL_TEST_ES_HTTP"], "elasticsearch"),
    "s3": (["AISHELL_TEST_S3_ENDPOINT", "AISHELL_TEST_S3_SECRET_KEY"], "minio"),
    "iceberg-rest": (["AISHELL_TEST_ICEBERG_REST_URL", "AISHELL_TEST_S3_ENDPOINT"], "iceberg-rest"),
}


def need(kind):
    names, service = NEEDS[kind]
    missing = [n for n in names if not os.environ.get(n)]
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{', '.join(missing)} not set (CI=true): start scripts/services/{service}.sh")
        pytest.skip(f"{', '.join(missing)} not set: run scripts/services/{service}.sh start")


def hostport(url):
    netloc = urllib.parse.urlsplit(url).netloc.rsplit("@", 1)[-1]
    host, port = netloc.rsplit(":", 1)
    return host, int(port)


def with_port(url, port):
    """`url` with its port replaced by `port` (user, password and query kept)."""
    parts = urllib.parse.urlsplit(url)
    userinfo, _, hp = parts.netloc.rpartition("@")
    host = hp.rsplit(":", 1)[0]
    netloc = (userinfo + "@" if userinfo else "") + f"{host}:{port}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class Source:
    kind = ""
    label = ""          # how aishell's errors name the source kind
    writes = True
    transactional = True  # a failed write can be undone on the server even when it is gone
    secrets = ()

    def __init__(self, tmp_path, uid):
        self.tmp_path = tmp_path
        self.uid = uid
        self.home = tmp_path / "home"
        self.env = {}
        self.proxy = None

    # aishell -------------------------------------------------------------------------------
    def aishell(self, *args, timeout=60):
        env = dict(os.environ, AISHELL_HOME=str(self.home), NO_COLOR="1", **self.env)
        env.pop("COLUMNS", None)
        os.makedirs(self.home, exist_ok=True)
        r = subprocess.run([aishell_binary()] + list(args), capture_output=True, text=True, env=env,
                           timeout=timeout)
        for secret in self.secrets:
            assert secret not in r.stdout + r.stderr, "a secret in aishell's output"
        return r

    def query(self, sql, timeout=60):
        return self.aishell("query", "--format", "json", sql, timeout=timeout)

    def rows(self, sql):
        r = self.query(sql)
        assert r.returncode == 0, r.stderr
        return parse_json_rows(r.stdout)

    def start(self, load=True):
        self.proxy = FaultProxy(*self.server()).start()
        if load:
            self.setup()
        else:
            self.setup_empty()
        self.connect()
        r = self.aishell("config", "set", "federation.timeout", "20s")
        assert r.returncode == 0, r.stderr
        return self

    def stop(self):
        if self.proxy:
            self.proxy.stop()
        try:
            self.cleanup()
        except Exception:  # noqa: BLE001 - cleanup of a test resource
            pass

    # per source ------------------------------------------------------------------------------
    def server(self):
        raise NotImplementedError

    def setup(self):
        pass

    def setup_empty(self):
        pass

    def cleanup(self):
        pass

    def connect(self):
        raise NotImplementedError

    def table(self, name="t"):
        raise NotImplementedError

    def base_rows(self):
        """(id, v) rows of table t as loaded."""
        return [(i, f"value {i}") for i in range(1, 201)]

    def read_back(self, name):
        """Sorted (id, v) pairs of table `name`, read with the server's own client."""
        raise NotImplementedError

    def keys_touched(self):
        """Every key/row/document id in the test's space, from the server's own client."""
        raise NotImplementedError


# PostgreSQL ------------------------------------------------------------------------------------
class Postgres(Source):
    kind = "postgres"
    label = "postgres"

    def __init__(self, tmp_path, uid):
        super().__init__(tmp_path, uid)
        self.url = os.environ["AISHELL_TEST_PG_URL"]
        self.secrets = (urllib.parse.urlsplit(self.url).password,)
        self.schema = f"faults_{uid}"

    def server(self):
        return hostport(self.url)

    def psql(self, sql):
        r = subprocess.run(["psql", self.url, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                           capture_output=True, text=True, timeout=30, env=dict(os.environ, PGSSLMODE="disable"))
        assert r.returncode == 0, r.stderr
        return r.stdout

    def setup(self):
        self.psql(f"CREATE SCHEMA {self.schema}; "
                  f"CREATE TABLE {self.schema}.t (id int PRIMARY KEY, v text); "
                  f"INSERT INTO {self.schema}.t SELECT g, 'value ' || g FROM generate_series(1, 200) g; "
                  f"CREATE TABLE {self.schema}.w (id int PRIMARY KEY, v text); "
                  f"INSERT INTO {self.schema}.w VALUES (1, 'value 1')")

    def setup_empty(self):
        self.psql(f"CREATE SCHEMA {self.schema}")

    def cleanup(self):
        self.psql(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")

    def connect(self):
        r = self.aishell("connect", with_port(self.url, self.proxy.port), "--name", CATALOG)
        assert r.returncode == 0, r.stderr

    def table(self, name="t"):
        return f"{CATALOG}.{self.schema}.{name}"

    def read_back(self, name):
        exists = self.psql(f"SELECT to_regclass('{self.schema}.{name}') IS NOT NULL").strip() == "t"
        if not exists:
            return None
        out = self.psql(f"SELECT json_agg(json_build_array(id, v) ORDER BY id) FROM {self.schema}.{name}").strip()
        return [tuple(r) for r in json.loads(out or "null") or []]

    def keys_touched(self):
        out = self.psql(f"SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables "
                        f"WHERE table_schema = '{self.schema}'").strip()
        return {name: self.read_back(name) for name in out.split(",") if name}


# Redis -----------------------------------------------------------------------------------------
class Redis(Source):
    kind = "redis"
    label = "redis"

    def __init__(self, tmp_path, uid):
        super().__init__(tmp_path, uid)
        self.url = os.environ["AISHELL_TEST_REDIS_URL"]
        self.password = urllib.parse.unquote(urllib.parse.urlsplit(self.url).password or "")
        self.secrets = (self.password,)
        # Databases 40-63 are this suite's (the Redis suites use 4-32): one per test, by its id.
        self.db = 40 + int(hashlib.sha1(uid.encode()).hexdigest(), 16) % 24
        self.prefix = f"f{uid}"

    def server(self):
        return hostport(self.url)

    def cli(self, *args):
        host, port = self.server()
        r = subprocess.run(["redis-cli", "--no-auth-warning", "-h", host, "-p", str(port), "-n", str(self.db)]
                           + list(args), capture_output=True, text=True, timeout=30,
                           env=dict(os.environ, REDISCLI_AUTH=self.password))
        assert r.returncode == 0, r.stderr
        return r.stdout

    def client(self):
        import redis
        host, port = self.server()
        return redis.Redis(host=host, port=port, db=self.db, password=self.password)

    def setup(self):
        c = self.client()
        with c.pipeline() as p:
            for i, v in self.base_rows():
                p.hset(f"{self.prefix}:t:{i}", mapping={"v": v})
            p.hset(f"{self.prefix}:w:1", mapping={"v": "value 1"})
            p.execute()

    def cleanup(self):
        c = self.client()
        for k in c.scan_iter(match=f"{self.prefix}:*", count=1000):
            c.delete(k)

    def connect(self):
        props = []
        for name in ("t", "w", "n"):
            props += ["--property", f"table.{name}={self.prefix}:{name}:{{id}}",
                      "--property", f"column.{name}.id=bigint", "--property", f"column.{name}.v=varchar"]
        r = self.aishell("connect", with_port(self.url.rsplit("/", 1)[0] + f"/{self.db}", self.proxy.port),
                         "--name", CATALOG, *props)
        assert r.returncode == 0, r.stderr

    def table(self, name="t"):
        return f"{CATALOG}.default.{name}"

    def read_back(self, name):
        c = self.client()
        got = []
        for k in c.scan_iter(match=f"{self.prefix}:{name}:*", count=1000):
            h = c.hgetall(k)
            got.append((int(k.decode().rsplit(":", 1)[1]), h.get(b"v", b"").decode()))
        return sorted(got) if got else None

    def keys_touched(self):
        return sorted(k.decode() for k in self.client().scan_iter(match=f"{self.prefix}:*", count=1000))


# MongoDB (FerretDB) ------------------------------------------------------------------------------
class Mongo(Source):
    """One shared database, a collection prefix per test: FerretDB is slow to create databases."""
    kind = "mongodb"
    label = "mongodb"
    transactional = False
    database = "aishell_faults"

    def __init__(self, tmp_path, uid):
        super().__init__(tmp_path, uid)
        self.url = os.environ["AISHELL_TEST_MONGODB_URL"]
        self.secrets = (urllib.parse.unquote(urllib.parse.urlsplit(self.url).password or ""),)
        self.prefix = f"f{uid}_"

    def server(self):
        return hostport(self.url)

    def client(self):
        import pymongo
        return pymongo.MongoClient(self.url, serverSelectionTimeoutMS=5000)[self.database]

    def coll(self, name):
        return self.client()[self.prefix + name]

    def setup(self):
        self.coll("t").insert_many([{"_id": i, "id": i, "v": v} for i, v in self.base_rows()])
        self.coll("w").insert_one({"_id": 1, "id": 1, "v": "value 1"})

    def cleanup(self):
        db = self.client()
        for name in db.list_collection_names():
            if name.startswith(self.prefix):
                db.drop_collection(name)

    def connect(self):
        parts = urllib.parse.urlsplit(with_port(self.url, self.proxy.port))
        url = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/" + self.database, parts.query, ""))
        r = self.aishell("connect", url, "--name", CATALOG)
        assert r.returncode == 0, r.stderr

    def table(self, name="t"):
        return f"{CATALOG}.{self.database}.{self.prefix}{name}"

    def read_back(self, name):
        if self.prefix + name not in self.client().list_collection_names():
            return None
        return sorted((d["id"], d.get("v")) for d in self.coll(name).find({}, {"_id": 0}))

    def keys_touched(self):
        db = self.client()
        return {n[len(self.prefix):]: sorted(str(d["_id"]) for d in db[n].find({}, {"_id": 1}))
                for n in db.list_collection_names() if n.startswith(self.prefix)}


# Elasticsearch ---------------------------------------------------------------------------------
class Elastic(Source):
    kind = "elasticsearch"
    label = "elasticsearch"
    transactional = False

    def __init__(self, tmp_path, uid):
        super().__init__(tmp_path, uid)
        self.url = os.environ["AISHELL_TEST_ES_URL"]
        self.http = os.environ["AISHELL_TEST_ES_HTTP"]
        self.secrets = (os.environ.get("AISHELL_TEST_ES_PASSWORD", "x-none"),)
        self.prefix = f"faults_{uid}"

    def server(self):
        return hostport(self.http)

    def call(self, method, path, body=None, ndjson=False):
        import base64
        import ssl
        import urllib.error
        import urllib.request
        headers = {}
        user = os.environ.get("AISHELL_TEST_ES_USER")
        if user:
            token = base64.b64encode(f"{user}:{os.environ['AISHELL_TEST_ES_PASSWORD']}".encode()).decode()
            headers["Authorization"] = "Basic " + token
        data = None
        if body is not None:
            data = (body if isinstance(body, str) else json.dumps(body)).encode()
            headers["Content-Type"] = "application/x-ndjson" if ndjson else "application/json"
        ctx = ssl.create_default_context(cafile=os.environ.get("AISHELL_TEST_ES_CA")) \
            if self.http.startswith("https") else None
        req = urllib.request.Request(self.http + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30, context=ctx) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def setup(self):
        mappings = {"properties": {"id": {"type": "long"}, "v": {"type": "keyword"}}}
        for name in ("t", "w"):
            self.call("PUT", f"/{self.prefix}_{name}", {"mappings": mappings})
        rows = self.base_rows()
        lines = []
        for i, v in rows:
            lines += [json.dumps({"index": {"_index": f"{self.prefix}_t", "_id": str(i)}}),
                      json.dumps({"id": i, "v": v})]
        lines += [json.dumps({"index": {"_index": f"{self.prefix}_w", "_id": "1"}}),
                  json.dumps({"id": 1, "v": "value 1"})]
        status, out = self.call("POST", "/_bulk?refresh=true", "\n".join(lines) + "\n", ndjson=True)
        assert status == 200 and not out.get("errors"), out

    def cleanup(self):
        self.call("DELETE", f"/{self.prefix}_*?expand_wildcards=all")

    def connect(self):
        r = self.aishell("connect", with_port(self.url, self.proxy.port), "--name", CATALOG)
        assert r.returncode == 0, r.stderr

    def table(self, name="t"):
        return f"{CATALOG}.{self.prefix}_{name}"

    def read_back(self, name):
        self.call("POST", f"/{self.prefix}_{name}/_refresh")
        status, out = self.call("POST", f"/{self.prefix}_{name}/_search", {"size": 1000})
        if status == 404:
            return None
        assert status == 200, out
        return sorted((h["_source"].get("id"), h["_source"].get("v")) for h in out["hits"]["hits"])

    def keys_touched(self):
        status, out = self.call("GET", f"/_cat/indices/{self.prefix}_*?format=json&expand_wildcards=all")
        names = sorted(i["index"][len(self.prefix) + 1:] for i in out) if status == 200 else []
        return {n: self.read_back(n) for n in names}


# S3 (MinIO) through read_parquet('s3://...') -----------------------------------------------------
class S3Files(Source):
    kind = "s3"
    label = "s3"
    writes = False

    def __init__(self, tmp_path, uid):
        super().__init__(tmp_path, uid)
        self.endpoint = os.environ["AISHELL_TEST_S3_ENDPOINT"]
        self.bucket = os.environ.get("AISHELL_TEST_S3_BUCKET", "openlakes")
        self.secrets = (os.environ["AISHELL_TEST_S3_SECRET_KEY"],)
        self.key = f"aishell-faults/{uid}/t.parquet"

    def server(self):
        return hostport(self.endpoint)

    def client(self):
        import boto3
        from botocore.config import Config
        return boto3.client("s3", endpoint_url=self.endpoint,
                            aws_access_key_id=os.environ["AISHELL_TEST_S3_ACCESS_KEY"],
                            aws_secret_access_key=os.environ["AISHELL_TEST_S3_SECRET_KEY"],
                            region_name=os.environ.get("AISHELL_TEST_S3_REGION", "us-east-1"),
                            config=Config(s3={"addressing_style": "path"}))

    def setup(self):
        import io
        import pyarrow as pa
        import pyarrow.parquet as pq
        rows = self.base_rows()
        buf = io.BytesIO()
        pq.write_table(pa.table({"id": [r[0] for r in rows], "v": [r[1] for r in rows]}), buf)
        self.client().put_object(Bucket=self.bucket, Key=self.key, Body=buf.getvalue())

    def cleanup(self):
        self.client().delete_object(Bucket=self.bucket, Key=self.key)

    def connect(self):
        self.env = {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{self.proxy.port}",
                    "AWS_ACCESS_KEY_ID": os.environ["AISHELL_TEST_S3_ACCESS_KEY"],
                    "AWS_SECRET_ACCESS_KEY": os.environ["AISHELL_TEST_S3_SECRET_KEY"],
                    "AWS_REGION": os.environ.get("AISHELL_TEST_S3_REGION", "us-east-1")}

    def table(self, name="t"):
        return f"read_parquet('s3://{self.bucket}/{self.key}')"


# Iceberg through the REST catalog (data files in MinIO) ------------------------------------------
class IcebergRest(Source):
    """The proxy stands in front of the REST catalog; `s3_proxy` also puts one in front of MinIO."""
    kind = "iceberg-rest"
    label = "iceberg"

    def __init__(self, tmp_path, uid):
        super().__init__(tmp_path, uid)
        self.rest = os.environ["AISHELL_TEST_ICEBERG_REST_URL"]
        self.warehouse = os.environ.get("AISHELL_TEST_ICEBERG_REST_WAREHOUSE", "s3://openlakes/warehouse")
        self.endpoint = os.environ["AISHELL_TEST_S3_ENDPOINT"]
        self.secrets = (os.environ["AISHELL_TEST_S3_SECRET_KEY"],)
        self.ns = f"faults_{uid}"

    def server(self):
        return hostport(self.rest)

    def catalog(self):
        from pyiceberg.catalog.rest import RestCatalog
        return RestCatalog("rest", uri=self.rest, warehouse=self.warehouse, **{
            "s3.endpoint": self.endpoint, "s3.access-key-id": os.environ["AISHELL_TEST_S3_ACCESS_KEY"],
            "s3.secret-access-key": os.environ["AISHELL_TEST_S3_SECRET_KEY"],
            "s3.region": os.environ.get("AISHELL_TEST_S3_REGION", "us-east-1"), "s3.path-style-access": "true"})

    def setup(self):
        import pyarrow as pa
        rows = self.base_rows()
        cat = self.catalog()
        cat.create_namespace(self.ns)
        for name, part in (("t", rows), ("w", rows[:1])):
            data = pa.table({"id": pa.array([r[0] for r in part], pa.int64()), "v": [r[1] for r in part]})
            cat.create_table(f"{self.ns}.{name}", schema=data.schema).append(data)

    def cleanup(self):
        cat = self.catalog()
        for ident in cat.list_tables(self.ns):
            cat.purge_table(ident) if hasattr(cat, "purge_table") else cat.drop_table(ident)
        cat.drop_namespace(self.ns)

    def connect(self):
        r = self.aishell("connect", with_port(self.rest, self.proxy.port), "--type", "iceberg", "--name", CATALOG,
                         "--property", f"warehouse={self.warehouse}",
                         "--property", f"s3.endpoint={self.endpoint}", "--property", "s3.path-style-access=true",
                         "--property", f"s3.access-key-id={os.environ['AISHELL_TEST_S3_ACCESS_KEY']}",
                         "--property", f"s3.secret-access-key={os.environ['AISHELL_TEST_S3_SECRET_KEY']}")
        assert r.returncode == 0, r.stderr

    def table(self, name="t"):
        return f"{CATALOG}.{self.ns}.{name}"

    def read_back(self, name):
        from pyiceberg.exceptions import NoSuchTableError
        try:
            t = self.catalog().load_table(f"{self.ns}.{name}")
        except NoSuchTableError:
            return None
        # The data files directly (pyarrow), not t.scan(): pyiceberg refuses Parquet files
        # without field ids, which aishell's writer leaves out (noted in the fault report).
        import pyarrow.parquet as pq
        from pyarrow import fs
        s3 = fs.S3FileSystem(endpoint_override=self.endpoint, scheme="http",
                             access_key=os.environ["AISHELL_TEST_S3_ACCESS_KEY"],
                             secret_key=os.environ["AISHELL_TEST_S3_SECRET_KEY"],
                             region=os.environ.get("AISHELL_TEST_S3_REGION", "us-east-1"))
        got = []
        for task in t.scan().plan_files():
            path = task.file.file_path.split("://", 1)[1]
            got += pq.read_table(path, filesystem=s3, columns=["id", "v"]).to_pylist()
        return sorted((r["id"], r["v"]) for r in got)

    def keys_touched(self):
        cat = self.catalog()
        return {ident[-1]: self.read_back(ident[-1]) for ident in cat.list_tables(self.ns)}


SOURCES = {s.kind: s for s in (Postgres, Redis, Mongo, Elastic, S3Files, IcebergRest)}


def open_source(kind, tmp_path, nodeid, load=True):
    """The source `kind`, connected through a running proxy; with load=False its tables t and w
    are not created (PostgreSQL still gets its schema)."""
    need(kind)
    uid = hashlib.sha1((nodeid + uuid.uuid4().hex).encode()).hexdigest()[:10]
    return SOURCES[kind](tmp_path, uid).start(load)
