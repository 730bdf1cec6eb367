"""Client-side parameter binding: qmark (``?``) and pyformat (``%s``, ``%(name)s``) markers
become SQL literals. Markers inside string literals, quoted identifiers and comments are left
alone."""

import datetime
import decimal
import math
import uuid


def _scan(sql, percent_in_quotes=False):
    """Yields (kind, start, end) for each marker outside quotes and comments: kind is "?",
    "%s", "%(name)s" (the whole marker text) or "%%". With `percent_in_quotes`, the % markers
    count everywhere (pyformat's rule, as psycopg applies it: '100%%' is '100%')."""
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in ("'", '"') and not percent_in_quotes:
            j = i + 1
            while j < n:
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:  # doubled quote
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
        elif c in ("'", '"'):
            i += 1  # percent_in_quotes: a quote only matters for "?", which is not looked for
        elif c == "-" and sql.startswith("--", i) and not percent_in_quotes:
            j = sql.find("\n", i)
            i = n if j < 0 else j + 1
        elif c == "/" and sql.startswith("/*", i) and not percent_in_quotes:
            j = sql.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c == "?" and not percent_in_quotes:
            yield "?", i, i + 1
            i += 1
        elif c == "%" and i + 1 < n:
            if sql[i + 1] == "s":
                yield "%s", i, i + 2
                i += 2
            elif sql[i + 1] == "%":
                yield "%%", i, i + 2
                i += 2
            elif sql[i + 1] == "(":
                j = sql.find(")s", i + 2)
                if j < 0:
                    i += 1
                    continue
                yield sql[i : j + 2], i, j + 2
                i = j + 2
            else:
                i += 1
        else:
            i += 1


def literal(value):
    """The SQL literal of a Python value."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        if -(2**63) <= value < 2**63:
            return str(value)
        return "CAST('%d' AS DECIMAL(38, 0))" % value
    if isinstance(value, float):
        if math.isnan(value):
            return "CAST('NaN' AS DOUBLE)"
        if math.isinf(value):
            return "CAST('%sInfinity' AS DOUBLE)" % ("-" if value < 0 else "")
        return "CAST(%r AS DOUBLE)" % value
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise ValueError("a decimal parameter must be finite, not %s" % value)
        sign, digits, exponent = value.as_tuple()
        scale = max(0, -exponent)
        precision = max(len(digits) + max(0, exponent), scale, 1)
        return "CAST('%s' AS DECIMAL(%d, %d))" % (format(value, "f"), min(38, precision), scale)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "from_hex('%s')" % bytes(value).hex()
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            utc = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
            return "TIMESTAMP '%s+00:00'" % utc.isoformat(sep=" ")
        return "TIMESTAMP '%s'" % value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return "DATE '%s'" % value.isoformat()
    if isinstance(value, datetime.time):
        return "TIME '%s'" % value.replace(tzinfo=None).isoformat()
    if isinstance(value, uuid.UUID):
        return "CAST('%s' AS UUID)" % value
    if isinstance(value, (list, tuple)):
        return "ARRAY[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = ", ".join(literal(k) for k in value)
        values = ", ".join(literal(v) for v in value.values())
        return "MAP(ARRAY[%s], ARRAY[%s])" % (keys, values)
    raise TypeError("a parameter of type %s has no SQL literal" % type(value).__name__)


def bind(sql, parameters):
    """`sql` with its markers replaced by the literals of `parameters` (a sequence for ``?`` or
    ``%s``, a mapping for ``%(name)s``). Raises ValueError when they do not match."""
    if parameters is None:
        return sql
    markers = list(_scan(sql))
    out, last = [], 0
    if isinstance(parameters, dict):
        markers = list(_scan(sql, percent_in_quotes=True))
        for kind, start, end in markers:
            if kind == "%%":
                out.append(sql[last:start] + "%")
            elif kind.startswith("%("):
                name = kind[2:-2]
                if name not in parameters:
                    raise KeyError("no parameter named %r (at character %d)" % (name, start + 1))
                out.append(sql[last:start] + literal(parameters[name]))
            else:
                raise ValueError(
                    "positional marker %s at character %d with named parameters" % (kind, start + 1)
                )
            last = end
        out.append(sql[last:])
        return "".join(out)
    parameters = list(parameters)
    qmarks = [m for m in markers if m[0] == "?"]
    style = "?" if qmarks or not any(m[0] == "%s" for m in markers) else "%s"
    if style == "%s":
        markers = list(_scan(sql, percent_in_quotes=True))
    used = 0
    for kind, start, end in markers:
        if kind == style:
            if used >= len(parameters):
                raise ValueError(
                    "the statement has more %s markers than the %d parameters given"
                    % (style, len(parameters))
                )
            out.append(sql[last:start] + literal(parameters[used]))
            used += 1
        elif kind == "%%" and style == "%s":
            out.append(sql[last:start] + "%")
        elif kind.startswith("%(") and style == "%s":
            raise ValueError("named marker %s at character %d with a sequence" % (kind, start + 1))
        else:
            continue
        last = end
    out.append(sql[last:])
    if used != len(parameters):
        raise ValueError(
            "the statement has %d %s markers but %d parameters were given"
            % (used, style, len(parameters))
        )
    return "".join(out)
