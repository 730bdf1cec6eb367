"""HTTP/JSON API source (src/connectors/http) against a small local HTTP server started here."""
import json
import os
import sqlite3
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from aishell_cli import parse_json_rows, run_aishell  # noqa: E402

pytestmark = [pytest.mark.connector("http"), pytest.mark.connector("sqlite")]

TOKEN = "s3cret-token-value"


class Api(BaseHTTPRequestHandler):
    calls = []
    fail_first = set()

    def log_message(self, *args):
        pass

    def do_GET(self):
        Api.calls.append(self.path)
        if self.headers.get("Authorization") != "Bearer " + TOKEN:
            self.send_response(401)
            self.end_headers()
            self.wfile.write(b'{"error": "unauthorized"}')
            return
        if self.path in Api.fail_first:
            Api.fail_first.discard(self.path)
            self.send_response(503)
            self.end_headers()
            return
        parts = self.path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "users" and parts[2] == "recommendations":
            uid = int(parts[1])
            body = {"items": [{"product_id": f"PROD-{uid}{k}", "score": 0.9 - k / 10, "rank": k + 1}
                              for k in range(2)]}
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps(body).encode())
            return
        self.send_response(404)
        self.end_headers()


@pytest.fixture
def api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Api.calls.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def ok(r):
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def connect(home, url, *extra):
    os.environ["ML_TOKEN"] = "Bearer " + TOKEN
    return run_aishell(["connect", url, "--type", "http", "--name", "ml", "--property",
                        "table.recommendations=GET /users/{user_id}/recommendations", "--property",
                        "path.recommendations=$.items", "--property", "sample.recommendations.user_id=1",
                        "--property", "header.Authorization=env:ML_TOKEN", "--property", "retries=2"] + list(extra),
                       home)


def test_endpoint_as_table_with_lookup_join(api, tmp_path):
    home = tmp_path / "home"
    ok(connect(home, api))
    db = sqlite3.connect(str(tmp_path / "users.db"))
    db.execute("CREATE TABLE users (id INTEGER, email TEXT)")
    db.executemany("INSERT INTO users VALUES (?, ?)", [(i, f"u{i}@example.com") for i in range(1, 6)])
    db.commit()
    ok(run_aishell(["connect", f"sqlite://{tmp_path / 'users.db'}", "--name", "users"], home))
    rows = parse_json_rows(ok(run_aishell(
        ["query", "SELECT user_id, product_id, score, rank FROM ml.default.recommendations WHERE user_id = 7 "
         "ORDER BY rank", "--format", "json"], home)))
    assert rows == [[7, "PROD-70", 0.9, 1], [7, "PROD-71", 0.8, 2]]
    Api.calls.clear()
    Api.fail_first.add("/users/3/recommendations")  # a 503 first: retried
    q = ("SELECT u.email, r.product_id FROM users.main.users u JOIN ml.default.recommendations r "
         "ON r.user_id = u.id WHERE u.id <= 3 ORDER BY u.email, r.product_id")
    rows = parse_json_rows(ok(run_aishell(["query", q, "--format", "json"], home)))
    assert len(rows) == 6 and rows[0] == ["u1@example.com", "PROD-10"]
    assert sorted(set(Api.calls)) == ["/users/1/recommendations", "/users/2/recommendations",
                                      "/users/3/recommendations"]
    plan = ok(run_aishell(["explain", q], home))
    assert "GET /users/{user_id}/recommendations" in plan
    assert TOKEN not in plan and TOKEN not in ok(run_aishell(["connections"], home))


def test_http_errors(api, tmp_path):
    home = tmp_path / "home"
    ok(connect(home, api))
    r = run_aishell(["query", "SELECT * FROM ml.default.recommendations"], home)
    assert r.returncode == 1 and "needs user_id = <value>" in r.stderr, r.stderr
    os.environ["ML_TOKEN"] = "Bearer wrong"
    r = run_aishell(["query", "SELECT * FROM ml.default.recommendations WHERE user_id = 2"], home)
    assert r.returncode == 1 and "HTTP 401" in r.stderr and "wrong" not in r.stderr, r.stderr
    os.environ["ML_TOKEN"] = "Bearer " + TOKEN
    r = run_aishell(["connect", api, "--type", "http", "--name", "bad", "--property", "table.x=POST /x"], home)
    assert r.returncode != 0 and "needs 'GET /path/{param}'" in r.stderr
    r = run_aishell(["connect", "http://127.0.0.1:9", "--type", "http", "--name", "down", "--property",
                     "table.t=GET /t/{id}", "--property", "sample.t.id=1", "--property", "retries=0",
                     "--property", "timeout=2"], home)
    ok(r)  # endpoints are read on first use
    r = run_aishell(["query", "SELECT * FROM down.default.t WHERE id = 1"], home)
    assert r.returncode == 1 and "GET /t/1 failed after 1 attempt(s)" in r.stderr, r.stderr
