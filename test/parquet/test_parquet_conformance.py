"""Apache parquet-testing conformance: every file under data/ reads with the values pyarrow reads,
or fails with a clear `unsupported:` error; every file under bad_data/ reads or fails cleanly
(an error naming the file, no crash, no hang)."""
import base64
import datetime
import decimal
import json
import math
import os
import re
import struct
import subprocess
import uuid

import pytest

from aishell_cli import aishell_binary
from parquet_fixtures import fixture_files, fixtures_dir

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

TIMEOUT = 60


def run_query(sql, home):
    env = dict(os.environ, AISHELL_HOME=str(home), NO_COLOR="1")
    p = subprocess.run([aishell_binary(), "query", sql, "--format", "jsonl"], capture_output=True, env=env,
                       timeout=TIMEOUT)
    out = p.stdout.decode("utf-8", errors="surrogateescape")
    err = p.stderr.decode("utf-8", errors="replace")
    return p.returncode, out, err


def sql_string(s):
    return "'" + s.replace("'", "''") + "'"


def norm_ours(v):
    if isinstance(v, str) and v in ("NaN", "Infinity", "-Infinity"):
        return float(v.replace("Infinity", "inf"))
    return v


def float32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def close_float(a, b):
    if isinstance(a, str):
        a = norm_ours(a)
    a = float(a)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b or abs(a - b) <= 1e-12 * max(abs(a), abs(b))


def parse_ts(s):
    s = s.replace("Z", "+00:00")
    return datetime.datetime.fromisoformat(s)


def is_map(theirs):
    return isinstance(theirs, list) and all(isinstance(x, tuple) and len(x) == 2 for x in theirs) and theirs != []


def map_key(k):
    if isinstance(k, str):
        return k
    if isinstance(k, bytes):
        return k.decode("utf-8", errors="replace")
    return json.dumps(k) if not isinstance(k, (datetime.date, decimal.Decimal)) else str(k)


def nested_equal(ours, theirs):
    """Nested columns in aishell's JSON output: ARRAY as a list, MAP and ROW as objects (map keys as
    their text)."""
    if theirs is None or ours is None:
        return theirs is None and ours is None
    if is_map(theirs) or (theirs == [] and isinstance(ours, dict)):
        if not isinstance(ours, dict) or len(ours) != len(theirs):
            return False
        return all(map_key(k) in ours and nested_equal(ours[map_key(k)], v) for k, v in theirs)
    if isinstance(theirs, list):
        return isinstance(ours, list) and len(ours) == len(theirs) and all(
            nested_equal(a, b) for a, b in zip(ours, theirs))
    if isinstance(theirs, dict):
        return isinstance(ours, dict) and list(ours.keys()) == list(theirs.keys()) and all(
            nested_equal(ours[k], theirs[k]) for k in theirs)
    if isinstance(ours, str) and isinstance(theirs, datetime.datetime):
        ours = ours.replace(" UTC", "+00:00")
    return equal(ours, theirs)


def equal(ours, theirs):
    """Whether our JSON value equals pyarrow's Python value."""
    if theirs is UNCHECKED:
        return True
    if isinstance(theirs, (list, dict)):
        return nested_equal(ours, theirs)
    if theirs is None or ours is None:
        return theirs is None and ours is None
    if isinstance(theirs, Micros):
        if not isinstance(ours, str):
            return False
        micros, utc = timestamp_micros(ours)
        return micros == theirs.micros and utc == theirs.utc
    if isinstance(theirs, bool):
        return ours is theirs
    if isinstance(theirs, int):
        return isinstance(ours, (int, decimal.Decimal)) and not isinstance(ours, bool) and int(ours) == theirs
    if isinstance(theirs, float):
        if not isinstance(ours, (int, decimal.Decimal, str, float)):
            return False
        # REAL (Parquet FLOAT) prints its shortest float32 text: compare at float32 precision.
        if isinstance(ours, (decimal.Decimal, int)) and float32(float(ours)) == float32(theirs) and \
                float32(theirs) == theirs:
            return True
        return close_float(ours, theirs)
    if isinstance(theirs, decimal.Decimal):
        return isinstance(ours, (int, decimal.Decimal)) and decimal.Decimal(ours) == theirs
    if isinstance(theirs, datetime.datetime):
        if not isinstance(ours, str):
            return False
        try:
            mine = parse_ts(ours)
        except ValueError:
            return False
        if (mine.tzinfo is None) != (theirs.tzinfo is None):
            return False
        return mine == theirs
    if isinstance(theirs, datetime.date):
        return ours == theirs.isoformat()
    if isinstance(theirs, datetime.time):
        want = theirs.isoformat()
        if "." in want:
            want = want.rstrip("0").rstrip(".")
        return ours == want
    if isinstance(theirs, uuid.UUID):
        return ours == str(theirs)
    if isinstance(theirs, bytes):
        # BYTE_ARRAY without a string annotation reads as VARBINARY: base64 in JSON output.
        return isinstance(ours, str) and base64.b64decode(ours) == theirs
    if isinstance(theirs, str):
        return ours == theirs
    return False


UNCHECKED = object()


class Micros:
    """A pyarrow timestamp as microseconds since the epoch (Python's datetime stops at year 9999)."""

    def __init__(self, micros, utc):
        self.micros, self.utc = micros, utc

    def __repr__(self):
        return f"Micros({self.micros}, utc={self.utc})"


def days_from_civil(y, m, d):
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


TS_RE = re.compile(r"^(-?\d+)-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(Z|[+-]00(?::?00)?)?$")


def timestamp_micros(text):
    m = TS_RE.match(text)
    if not m:
        return None, None
    y, mo, d, h, mi, sec = (int(g) for g in m.groups()[:6])
    frac = int((m.group(7) or "").ljust(6, "0"))
    micros = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) * 1000000) + frac
    return micros, m.group(8) is not None


def oracle(path):
    """pyarrow's columns and rows; INT96 read at microsecond precision (ns overflows); timestamps
    as Micros."""
    table = pq.read_table(path, coerce_int96_timestamp_unit="us")
    columns = []
    for field, column in zip(table.schema, table.columns):
        if pa.types.is_timestamp(field.type):
            us = column.cast(pa.timestamp("us", tz=field.type.tz), safe=False).cast(pa.int64())
            columns.append([None if v is None else Micros(v, field.type.tz is not None) for v in us.to_pylist()])
        else:
            try:
                columns.append(column.to_pylist())
            except OverflowError:
                # Nested timestamps beyond Python's datetime range: the values cannot be checked.
                columns.append([UNCHECKED] * len(column))
    rows = [list(r) for r in zip(*columns)] if columns else []
    return table.column_names, rows


@pytest.mark.parametrize("name", fixture_files("data"))
def test_data_file(name, tmp_path):
    path = os.path.join(fixtures_dir("data"), name)
    # Two worker threads read the row groups in parallel, and the rows still come in file order
    # (preserve_insertion_order), so they compare one by one with pyarrow's.
    rc, out, err = run_query(f"SET SESSION threads = 2; SELECT * FROM read_parquet({sql_string(path)})",
                             tmp_path)
    if rc != 0:
        assert "unsupported:" in err, f"{name}: failed without 'unsupported:': {err}"
        assert name in err, f"{name}: the error does not name the file: {err}"
        assert "Internal" not in err
        return
    try:
        names, rows = oracle(path)
    except pa.ArrowInvalid as e:
        # pyarrow itself rejects the file (e.g. incorrect_map_schema.parquet): reading it is fine.
        print(f"{name}: pyarrow cannot read it ({e}); aishell does")
        return
    ours = [json.loads(line, parse_float=decimal.Decimal) for line in out.splitlines() if line.strip()]
    assert len(ours) == len(rows), f"{name}: {len(ours)} rows, pyarrow reads {len(rows)}"
    for i, (mine, theirs) in enumerate(zip(ours, rows)):
        values = list(mine.values())
        assert list(mine.keys()) == names or len(values) == len(names), f"{name}: columns {list(mine.keys())}"
        for c, (a, b) in enumerate(zip(values, theirs)):
            assert equal(a, b), f"{name}: row {i} column {names[c]}: aishell {a!r}, pyarrow {b!r}"


@pytest.mark.parametrize("name", fixture_files("bad_data"))
def test_bad_data_file(name, tmp_path):
    path = os.path.join(fixtures_dir("bad_data"), name)
    rc, out, err = run_query(f"SELECT * FROM read_parquet({sql_string(path)})", tmp_path)
    # Never a crash (signals give negative return codes) nor an internal error.
    assert rc in (0, 1), f"{name}: exit code {rc}: {err}"
    if rc != 0:
        assert name in err, f"{name}: the error does not name the file: {err}"
        assert "Internal" not in err and "internal" not in err, err


def test_projection_of_flat_columns_from_a_file_with_nested_columns(tmp_path):
    path = os.path.join(fixtures_dir("data"), "nullable.impala.parquet")
    # Only the projected leaves are read: the flat column 'id' alone.
    rc, out, err = run_query(f"SELECT id FROM read_parquet({sql_string(path)}) ORDER BY id", tmp_path)
    assert rc == 0, err
    ours = [json.loads(line)["id"] for line in out.splitlines() if line.strip()]
    assert ours == sorted(pq.read_table(path, columns=["id"]).column("id").to_pylist())
    rc, out, err = run_query(f"SELECT * FROM read_parquet({sql_string(path)})", tmp_path)
    assert rc == 0, err
