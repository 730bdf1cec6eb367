"""nl.provider openai against a small fake OpenAI-compatible server started here: the request
(schema summary, question, no data rows, the key as a bearer token), the answer bound before it
runs, one retry with the error, timeouts, malformed replies, and the key never printed."""
import datetime
import http.server
import json
import os
import sys
import threading
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aishell_cli import run_aishell  # noqa: E402
import nl_data  # noqa: E402

pytestmark = pytest.mark.connector("sqlite")
KEY = "sk-test-secret-0123456789"


class FakeServer:
    """Answers each POST with the next of `replies` (a string of SQL, ("raw", body), or
    ("sleep", seconds)); keeps the requests."""

    def __init__(self):
        self.replies, self.requests = [], []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                server.requests.append({"headers": dict(self.headers), "body": json.loads(body)})
                reply = server.replies.pop(0) if server.replies else "SELECT 1"
                if isinstance(reply, tuple) and reply[0] == "sleep":
                    time.sleep(reply[1])
                    reply = "SELECT 1"
                if isinstance(reply, tuple) and reply[0] == "raw":
                    data = reply[1].encode()
                else:
                    data = json.dumps({"choices": [{"message": {"role": "assistant",
                                                                "content": reply}}]}).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except BrokenPipeError:
                    pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1/chat/completions"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nl-llm")
    sources = nl_data.generate_seed002(str(folder), datetime.date.today())
    home = folder / "home"
    for s in sources:
        assert run_aishell(["connect", f"sqlite://{folder}/{s}.db", "--name", s], home).returncode == 0
    server = FakeServer()
    for key, value in (("nl.provider", "openai"), ("nl.endpoint", server.url),
                       ("nl.model", "fake-model"), ("nl.timeout", "2s")):
        r = run_aishell(["config", "set", key, value], home)
        assert r.returncode == 0, r.stderr
    yield home, server
    server.httpd.shutdown()


def ask(home, question, *extra):
    os.environ["AISHELL_LLM_API_KEY"] = KEY
    try:
        return run_aishell(["query", "--format", "csv", *extra, question], home)
    finally:
        del os.environ["AISHELL_LLM_API_KEY"]


def test_request_and_answer(setup):
    home, server = setup
    server.requests.clear()
    server.replies = ["```sql\nSELECT count(*) AS n FROM mongodb.main.orders WHERE status = 'pending';\n```"]
    r = ask(home, "how many orders are waiting to ship?")
    assert r.returncode == 0, r.stderr
    want = run_aishell(["query", "--format", "csv",
                        "SELECT count(*) AS n FROM mongodb.main.orders WHERE status = 'pending'"], home)
    assert r.stdout == want.stdout
    assert "translated by http://127.0.0.1" in r.stderr and "schema only" in r.stderr
    assert "Execution Plan:" in r.stderr
    (req,) = server.requests
    assert req["headers"]["Authorization"] == f"Bearer {KEY}"
    body = req["body"]
    assert body["model"] == "fake-model"
    prompt = json.dumps(body["messages"])
    assert "how many orders are waiting to ship?" in prompt
    assert "mongodb.main.orders" in prompt and "status VARCHAR" in prompt
    assert "john@example.com" not in prompt and "delivered" not in prompt  # no data rows
    assert KEY not in r.stdout + r.stderr


def test_a_reply_that_does_not_bind_is_asked_again_once(setup):
    home, server = setup
    server.requests.clear()
    server.replies = ["SELECT count(*) FROM mongodb.main.order_table",
                      "SELECT count(*) FROM mongodb.main.orders"]
    r = ask(home, "how many orders")
    assert r.returncode == 0, r.stderr
    assert len(server.requests) == 2
    retry = json.dumps(server.requests[1]["body"]["messages"])
    assert "order_table" in retry and "failed" in retry
    assert "asked again" in r.stderr
    server.replies = ["SELECT nope FROM nowhere", "DROP TABLE mongodb.main.orders"]
    r = ask(home, "how many orders")
    assert r.returncode == 2
    assert "does not bind after a second try" in r.stderr and "not a query" in r.stderr
    assert "Nothing was run" in r.stderr
    assert run_aishell(["query", "SELECT count(*) FROM mongodb.main.orders"], home).returncode == 0


def test_timeout_and_malformed_replies(setup):
    home, server = setup
    server.replies = [("sleep", 4)]
    r = ask(home, "how many orders")
    assert r.returncode == 1
    assert "did not answer within 2s" in r.stderr and "nl.timeout" in r.stderr
    time.sleep(2.5)
    server.replies = [("raw", "this is not json")]
    r = ask(home, "how many orders")
    assert r.returncode == 1
    assert "other than a chat completion" in r.stderr
    server.replies = [("raw", json.dumps({"choices": []}))]
    r = ask(home, "how many orders")
    assert r.returncode == 1 and "choices[0].message.content" in r.stderr
    assert KEY not in r.stderr


def test_send_samples_only_when_on_and_never_a_secret(setup, tmp_path):
    # nl.send_samples true: the prompt holds a few distinct values of text columns (status words),
    # never a column whose name reads as a secret, never a URL's password, never the API key.
    import sqlite3
    home, server = setup
    vault = tmp_path / "vault.db"
    con = sqlite3.connect(str(vault))
    con.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, plan TEXT, api_token TEXT, "
                "backup_url TEXT)")
    con.execute("INSERT INTO accounts VALUES (1, 'premium', 'tok-live-777', "
                "'postgres://bob:hunter2pw@db.example.com/x')")
    con.commit()
    assert run_aishell(["connect", f"sqlite://{vault}", "--name", "vault"], home).returncode == 0
    try:
        server.requests.clear()
        server.replies = ["SELECT count(*) FROM mongodb.main.orders"]
        r = ask(home, "how many orders")
        assert r.returncode == 0, r.stderr
        prompt = json.dumps(server.requests[0]["body"]["messages"])
        assert "delivered" not in prompt and "premium" not in prompt  # off by default
        assert run_aishell(["config", "set", "nl.send_samples", "true"], home).returncode == 0
        server.requests.clear()
        server.replies = ["SELECT count(*) FROM mongodb.main.orders"]
        r = ask(home, "how many orders")
        assert r.returncode == 0, r.stderr
        assert "the prompt held sampled values" in r.stderr
        prompt = json.dumps(server.requests[0]["body"]["messages"])
        assert "delivered" in prompt and "premium" in prompt
        assert "tok-live-777" not in prompt and "hunter2pw" not in prompt
        assert "api_token VARCHAR" in prompt  # the column is described, its values are not
        assert KEY not in prompt and KEY not in r.stdout + r.stderr
    finally:
        run_aishell(["config", "set", "nl.send_samples", "false"], home)
        run_aishell(["disconnect", "vault"], home)
