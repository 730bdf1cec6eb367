"""Helpers for the `aishell serve` tests (test/server) and its benchmark: a home with a CSV
folder, a Parquet folder with nested types and a SQLite database, and a server started on a free
loopback port."""
import os
import shutil
import sqlite3
import subprocess

from aishell_cli import ROOT, aishell_binary, run_aishell


def make_home(tmp):
    home = tmp / "home"
    home.mkdir()
    files = tmp / "files"
    files.mkdir()
    for name in ("people.csv", "orders.csv"):
        shutil.copy(f"{ROOT}/test/data/{name}", files / name)
    nested = tmp / "nested"
    nested.mkdir()
    import pyarrow as pa
    import pyarrow.parquet as pq
    pq.write_table(pa.table({
        "id": pa.array(range(1, 6), pa.int64()),
        "user": pa.array([{"name": f"u{i}", "tags": ["a", "b"][: i % 3]} for i in range(1, 6)],
                         pa.struct([("name", pa.string()), ("tags", pa.list_(pa.string()))])),
        "scores": pa.array([[i, i * 2] for i in range(1, 6)], pa.list_(pa.int32())),
        "ok": pa.array([i % 2 == 0 for i in range(1, 6)]),
    }), nested / "events.parquet")
    db = tmp / "shop.db"
    con = sqlite3.connect(db)
    con.executescript(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, price REAL);"
        "INSERT INTO items VALUES (1, 'pen', 1.5), (2, 'book', 12.25), (3, 'lamp', NULL);")
    con.commit()
    con.close()
    for url, name in ((f"file://{files}", "lake"), (f"file://{nested}", "docs"),
                      (f"sqlite://{db}", "shop")):
        r = run_aishell(["connect", url, "--name", name], home=home)
        assert r.returncode == 0, r.stderr
    return home


class Server:
    def __init__(self, home, args=(), env=None):
        e = dict(os.environ)
        e["AISHELL_HOME"] = str(home)
        e.update(env or {})
        self.home = home
        self.proc = subprocess.Popen([aishell_binary(), "serve", "--port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env=e)
        line = self.proc.stdout.readline()
        if "listening on" not in line:
            err = self.proc.stderr.read() if self.proc.poll() is not None else ""
            raise RuntimeError(f"aishell serve did not start: {line!r} {err}")
        self.url = line.split("listening on ")[1].split()[0]
        self.scheme, rest = self.url.split("://")
        self.host, port = rest.split(":")
        self.port = int(port)

    def stop(self):
        self.proc.terminate()
        try:
            _, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err
