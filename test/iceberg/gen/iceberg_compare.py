"""Comparing aishell's JSON rows with an oracle's Arrow table, value by value.

aishell prints dates, timestamps and decimals as JSON strings or numbers; the oracle gives
Python objects. Both sides are brought to one canonical form per Arrow type: numbers compare
with a relative tolerance for floating point, timestamps as UTC datetimes, bytes as hex (or
base64) text, UUIDs as their canonical text.
"""
import base64
import datetime
import decimal
import json
import math
import uuid

import pyarrow as pa


def _canon(value, typ):
    if value is None:
        return None
    if pa.types.is_boolean(typ):
        if isinstance(value, str):
            return value.lower() in ("true", "t", "1")
        return bool(value)
    if pa.types.is_integer(typ):
        return int(value)
    if pa.types.is_floating(typ):
        return float(value)
    if pa.types.is_decimal(typ):
        return decimal.Decimal(str(value)).normalize()
    if pa.types.is_date(typ):
        return value.isoformat() if isinstance(value, datetime.date) else str(value)[:10]
    if pa.types.is_timestamp(typ):
        if isinstance(value, str):
            value = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return value
    if pa.types.is_time(typ):
        return value if isinstance(value, datetime.time) else datetime.time.fromisoformat(str(value))
    if isinstance(typ, pa.UuidType) or (hasattr(pa, "uuid") and typ == pa.uuid()):
        if isinstance(value, (bytes, bytearray)):
            return str(uuid.UUID(bytes=bytes(value)))
        return str(uuid.UUID(str(value)))
    if pa.types.is_binary(typ) or pa.types.is_fixed_size_binary(typ) or pa.types.is_large_binary(typ):
        if isinstance(value, (bytes, bytearray)):
            return bytes(value).hex()
        text = str(value)
        if text.startswith("\\x"):
            return text[2:].lower()
        try:
            return base64.b64decode(text, validate=True).hex()
        except Exception:
            return text.encode("latin-1", "replace").hex()
    return str(value) if not isinstance(value, (dict, list)) else json.dumps(value, sort_keys=True)


def _equal(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return a == b or math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9) or (math.isnan(a) and math.isnan(b))
    return a == b


def canonical_rows(rows, schema):
    """rows: lists of values in schema's column order -> canonical tuples."""
    out = []
    for r in rows:
        if len(r) != len(schema):
            raise AssertionError(f"row has {len(r)} values, expected {len(schema)} ({schema.names}): {r}")
        out.append(tuple(_canon(v, f.type) for v, f in zip(r, schema)))
    return out


def _sort_key(row):
    return tuple((v is None, str(v)) for v in row)


def assert_same_rows(actual_rows, expected_table, what=""):
    """actual_rows: lists of values (aishell JSON), in expected_table's column order.
    Compares as multisets (sorted)."""
    schema = expected_table.schema
    exp = sorted(canonical_rows([list(r.values()) for r in expected_table.to_pylist()], schema), key=_sort_key)
    act = sorted(canonical_rows(actual_rows, schema), key=_sort_key)
    assert len(act) == len(exp), f"{what}: {len(act)} rows, expected {len(exp)}"
    for i, (a, e) in enumerate(zip(act, exp)):
        for name, x, y in zip(schema.names, a, e):
            assert _equal(x, y), f"{what}: row {i} column {name}: got {x!r}, expected {y!r}\n got {a}\nwant {e}"
