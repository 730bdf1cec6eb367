"""Helpers shared by the CLI and differential tests: find and run the aishell binary,
and parse its JSON output."""
import decimal
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def aishell_binary():
    build = os.environ.get("AISHELL_BUILD_DIR", os.path.join(ROOT, "build"))
    return os.path.join(build, "aishell")


def run_aishell(args, home, stdin=None, timeout=120, cwd=None):
    """Runs `aishell args...` with AISHELL_HOME=home; returns CompletedProcess (text)."""
    os.makedirs(str(home), exist_ok=True)
    env = dict(os.environ)
    env["AISHELL_HOME"] = str(home)
    env["NO_COLOR"] = "1"
    env.pop("COLUMNS", None)  # tables are not cut to the caller's terminal: output is the same everywhere
    return subprocess.run([aishell_binary()] + list(args), input=stdin, capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=cwd)


def parse_json_rows(text):
    """Rows (lists of values, in column order) from `--format json` or `--format jsonl` output.

    Accepts a JSON array of objects, an object holding "rows"/"data" (objects or arrays, with
    optional "columns"), or one JSON object per line."""
    text = text.strip()
    if not text:
        return []

    class Pairs(list):
        """A JSON object as its (key, value) pairs: keeps duplicate column names."""

        def values(self):
            return [v for _, v in self]

        def __getitem__(self, key):
            if isinstance(key, str):
                for k, v in self:
                    if k == key:
                        return v
                raise KeyError(key)
            return list.__getitem__(self, key)

        def __contains__(self, key):
            return any(k == key for k, _ in self)

        def get(self, key, default=None):
            return self[key] if key in self else default

    def number(s):
        # More digits than a double holds (DECIMAL up to 38 digits): keep them exactly.
        digits = s.lstrip("-").replace(".", "").split("e")[0].split("E")[0].lstrip("0")
        return decimal.Decimal(s) if len(digits) > 15 else float(s)

    def loads(s):
        return json.loads(s, object_pairs_hook=Pairs, parse_float=number)

    def from_objects(items, columns=None):
        rows = []
        for item in items:
            if isinstance(item, Pairs):
                rows.append([item[c] for c in columns] if columns else list(item.values()))
            elif isinstance(item, list) and not isinstance(item, Pairs):
                rows.append(item)
            else:
                rows.append([item])
        return rows

    try:
        doc = loads(text)
    except json.JSONDecodeError:
        doc = None
    if doc is not None:
        if isinstance(doc, list) and not isinstance(doc, Pairs):
            return from_objects(doc)
        if isinstance(doc, Pairs):
            for key in ("rows", "data", "results"):
                if key in doc:
                    cols = doc.get("columns")
                    names = None
                    if cols and all(isinstance(c, str) for c in cols):
                        names = cols
                    elif cols and all(isinstance(c, Pairs) and "name" in c for c in cols):
                        names = [c["name"] for c in cols]
                    items = doc[key]
                    if names and items and isinstance(items[0], Pairs):
                        return from_objects(items, names)
                    return from_objects(items)
            return from_objects([doc])
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            rows.extend(from_objects([loads(line)]))
    return rows
