"""aishell from Python: federated SQL over the sources registered with ``aishell connect``.

    import aishell
    con = aishell.connect()                  # $AISHELL_HOME (default ~/.aishell)
    rel = con.sql("SELECT * FROM pg.public.users")
    rel.df(); rel.arrow(); rel.fetchall()

    cur = con.cursor()                       # DB-API 2.0 (PEP 249)
    cur.execute("SELECT * FROM t WHERE id = ?", [42])
    cur.fetchone()
"""

import datetime as _datetime
import os as _os
import time as _time

# The MongoDB driver the extension links initializes itself when loaded, and by default keeps
# counters in a /dev/shm/mongoc-<pid> file that a killed process leaves behind (a later process
# with the same pid then warns on stderr). Loaded from Python, it can be told not to, first.
_os.environ.setdefault("MONGOC_DISABLE_SHM", "1")

from . import _aishell  # noqa: E402
from ._params import bind as _bind
from ._params import literal  # noqa: F401  (public: the SQL literal of a Python value)

__all__ = [
    "connect", "Connection", "Cursor", "Relation",
    "apilevel", "threadsafety", "paramstyle",
    "Warning", "Error", "InterfaceError", "DatabaseError", "DataError", "OperationalError",
    "IntegrityError", "InternalError", "ProgrammingError", "NotSupportedError",
    "STRING", "BINARY", "NUMBER", "DATETIME", "ROWID",
    "Date", "Time", "Timestamp", "DateFromTicks", "TimeFromTicks", "TimestampFromTicks", "Binary",
]

__version__ = "0.1.0"
apilevel = "2.0"
threadsafety = 1  # threads may share the module, not connections
paramstyle = "qmark"  # also pyformat: %s with a sequence, %(name)s with a mapping


# --- Exceptions (PEP 249) --------------------------------------------------------------------
class Warning(Exception):  # noqa: A001 (the name PEP 249 prescribes)
    pass


class Error(Exception):
    """An aishell error: str(e) is the engine's message; `kind` names its class (e.g.
    "Binder error") and `position` is its 0-based offset into the SQL, or None."""

    def __init__(self, message, kind=None, position=None):
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.position = position


class InterfaceError(Error):
    pass


class DatabaseError(Error):
    pass


class DataError(DatabaseError):
    pass


class OperationalError(DatabaseError):
    pass


class IntegrityError(DatabaseError):
    pass


class InternalError(DatabaseError):
    pass


class ProgrammingError(DatabaseError):
    pass


class NotSupportedError(DatabaseError):
    pass


_ERROR_CLASSES = {
    "Syntax error": ProgrammingError,
    "Binder error": ProgrammingError,
    "Catalog error": ProgrammingError,
    "Source error": OperationalError,
    "IO error": OperationalError,
    "Conversion error": DataError,
    "Execution error": DataError,
    "Out of memory": OperationalError,
    "Unsupported": NotSupportedError,
    "Interrupted": OperationalError,
    "Internal error": InternalError,
}


def _translate(error):
    message, kind, position = (list(error.args) + [None, None, -1])[:3]
    cls = _ERROR_CLASSES.get(kind, DatabaseError)
    return cls(message, kind, None if position is None or position < 0 else position)


class _Translated:
    """Turns the engine's errors into the DB-API classes above."""

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        if isinstance(value, _aishell.EngineError):
            raise _translate(value) from None
        return False


# --- Types (PEP 249) -------------------------------------------------------------------------
class _TypeObject:
    """Compares equal to the type names (Cursor.description's type_code) of its group."""

    def __init__(self, *prefixes):
        self.prefixes = prefixes

    def __eq__(self, other):
        if isinstance(other, str):
            return any(other.upper().startswith(p) for p in self.prefixes)
        return NotImplemented

    def __hash__(self):
        return hash(self.prefixes)


STRING = _TypeObject("VARCHAR", "JSON", "UUID")
BINARY = _TypeObject("VARBINARY")
NUMBER = _TypeObject("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "REAL", "DOUBLE", "DECIMAL",
                     "BOOLEAN")
DATETIME = _TypeObject("DATE", "TIME", "TIMESTAMP", "INTERVAL")
ROWID = _TypeObject()

Date = _datetime.date
Time = _datetime.time
Timestamp = _datetime.datetime
Binary = bytes


def DateFromTicks(ticks):
    return Date(*_time.localtime(ticks)[:3])


def TimeFromTicks(ticks):
    return Time(*_time.localtime(ticks)[3:6])


def TimestampFromTicks(ticks):
    return Timestamp(*_time.localtime(ticks)[:6])


# --- Results ---------------------------------------------------------------------------------
def _pyarrow():
    import pyarrow

    return pyarrow


def _import_batch(capsules):
    schema_capsule, array_capsule = capsules
    return _pyarrow().RecordBatch._import_from_c_capsule(schema_capsule, array_capsule)


def _rows_of(batch):
    columns = [c.to_pylist(maps_as_pydicts="lossy") for c in batch.columns]
    return list(zip(*columns)) if columns else [()] * batch.num_rows


class _Rows:
    """Reads one statement's result: batches through Arrow, rows converted lazily."""

    def __init__(self, result):
        self.result = result
        self.pending = []  # rows of the current batch not yet returned
        self.pending_at = 0
        self.fetched = 0

    def next_batch(self):
        with _Translated():
            capsules = self.result.next_batch()
        return None if capsules is None else _import_batch(capsules)

    def fetch(self, n=None):
        out = []
        while n is None or len(out) < n:
            if self.pending_at < len(self.pending):
                take = len(self.pending) - self.pending_at
                if n is not None:
                    take = min(take, n - len(out))
                out.extend(self.pending[self.pending_at : self.pending_at + take])
                self.pending_at += take
                continue
            if not self.result.has_rows:
                break
            batch = self.next_batch()
            if batch is None:
                break
            self.pending, self.pending_at = _rows_of(batch), 0
        self.fetched += len(out)
        return out

    def schema(self):
        with _Translated():
            return _pyarrow().Schema._import_from_c_capsule(self.result.schema_capsule())

    def table(self):
        """The rows not yet fetched as a pyarrow Table (the columns' buffers are shared)."""
        pa = _pyarrow()
        batches = []
        if self.pending_at < len(self.pending):
            rest = self.pending[self.pending_at :]
            self.pending, self.pending_at = [], 0
            columns = list(zip(*rest))
            batches.append(pa.RecordBatch.from_arrays(
                [pa.array(list(c), type=f.type) for c, f in zip(columns, self.schema())],
                schema=self.schema()))
        while self.result.has_rows:
            batch = self.next_batch()
            if batch is None:
                break
            batches.append(batch)
        schema = batches[0].schema if batches else self.schema()
        return pa.Table.from_batches(batches, schema=schema)


def _to_pandas(table, exact_decimals):
    if not exact_decimals:
        pa = _pyarrow()
        fields = [pa.field(f.name, pa.float64()) if pa.types.is_decimal(f.type) else f
                  for f in table.schema]
        table = table.cast(pa.schema(fields))
    return table.to_pandas(maps_as_pydicts="lossy")


class Relation:
    """The result of ``Connection.sql``. Its rows are read once, by the fetch methods or by
    ``arrow()`` / ``df()``; after that, those methods run the query again."""

    def __init__(self, connection, sql):
        self._connection = connection
        self._sql = sql
        self._rows = None
        self._started = False
        self._run()

    def _run(self):
        self._rows = _Rows(self._connection._query(self._sql))
        self._started = False

    def _fresh(self):
        if self._started:
            self._run()
        self._started = True
        return self._rows

    @property
    def columns(self):
        return list(self._rows.result.names)

    @property
    def types(self):
        return list(self._rows.result.type_names)

    @property
    def message(self):
        """What a statement without rows reported (e.g. "CREATE VIEW")."""
        return self._rows.result.message

    @property
    def warnings(self):
        return list(self._rows.result.warnings)

    def arrow(self):
        """The whole result as a pyarrow Table (zero-copy from the engine's vectors)."""
        return self._fresh().table()

    def fetch_arrow_table(self):
        return self.arrow()

    def record_batch_reader(self):
        """The result as a pyarrow RecordBatchReader over the Arrow C stream interface (its
        errors arrive as OSError with the engine's message)."""
        rows = self._fresh()
        with _Translated():
            capsule = rows.result.stream_capsule()
        return _pyarrow().RecordBatchReader._import_from_c_capsule(capsule)

    def __arrow_c_stream__(self, requested_schema=None):
        rows = self._fresh()
        with _Translated():
            return rows.result.stream_capsule()

    def df(self, exact_decimals=True):
        """The whole result as a pandas DataFrame (MAP values become dicts). DECIMAL columns hold
        Python Decimal objects; ``exact_decimals=False`` makes them float64 (much faster for
        large results, as DuckDB's .df() does)."""
        return _to_pandas(self.arrow(), exact_decimals)

    to_df = df

    def pl(self):
        import polars

        return polars.from_arrow(self.arrow())

    def fetchone(self):
        self._started = True
        rows = self._rows.fetch(1)
        return rows[0] if rows else None

    def fetchmany(self, size=1):
        self._started = True
        return self._rows.fetch(size)

    def fetchall(self):
        if self._started and self._rows.result.consumed:
            self._run()
        self._started = True
        return self._rows.fetch()

    def __iter__(self):
        while True:
            row = self.fetchone()
            if row is None:
                return
            yield row

    def show(self, max_rows=20):
        print(self.arrow().slice(0, max_rows).to_pandas().to_string())

    def __repr__(self):
        return "<aishell.Relation %s>" % ", ".join(
            "%s %s" % (n, t) for n, t in zip(self.columns, self.types))


class Cursor:
    """A DB-API 2.0 cursor."""

    def __init__(self, connection):
        self.connection = connection
        self.arraysize = 1
        self._rows = None
        self._rowcount = -1
        self._closed = False

    @property
    def description(self):
        if self._rows is None or not self._rows.result.has_rows:
            return None
        result = self._rows.result
        out = []
        for name, type_name in zip(result.names, result.type_names):
            precision = scale = None
            if type_name.startswith("DECIMAL(") and type_name.endswith(")"):
                p, _, s = type_name[8:-1].partition(",")
                precision, scale = int(p), int(s or 0)
            out.append((name, type_name, None, None, precision, scale, None))
        return out

    @property
    def rowcount(self):
        """Rows of the last statement: for a query, once all were fetched (-1 before); for
        INSERT, the rows it inserted."""
        if self._rows is not None and self._rows.result.consumed and self._rowcount < 0:
            return self._rows.result.row_count
        return self._rowcount

    @property
    def rownumber(self):
        return None if self._rows is None else self._rows.fetched

    def _check(self):
        if self._closed:
            raise InterfaceError("the cursor is closed")
        self.connection._check()

    def execute(self, operation, parameters=None):
        self._check()
        if self._rows is not None:
            self._rows.result.close()
        try:
            sql = _bind(operation, parameters)
        except (ValueError, KeyError, TypeError) as e:
            raise ProgrammingError(str(e)) from None
        self._rows = _Rows(self.connection._query(sql))
        self._rowcount = -1
        result = self._rows.result
        if not result.has_rows:
            self._rowcount = _affected(result.message)
        return self

    def executemany(self, operation, seq_of_parameters):
        total = 0
        counted = False
        for parameters in seq_of_parameters:
            self.execute(operation, parameters)
            if self._rowcount >= 0:
                total += self._rowcount
                counted = True
        self._rowcount = total if counted else -1
        return self

    def _rows_or_fail(self):
        self._check()
        if self._rows is None:
            raise ProgrammingError("no statement was executed")
        return self._rows

    def fetchone(self):
        rows = self._rows_or_fail().fetch(1)
        return rows[0] if rows else None

    def fetchmany(self, size=None):
        return self._rows_or_fail().fetch(self.arraysize if size is None else size)

    def fetchall(self):
        return self._rows_or_fail().fetch()

    def fetch_arrow_table(self):
        return self._rows_or_fail().table()

    def fetchdf(self, exact_decimals=True):
        return _to_pandas(self.fetch_arrow_table(), exact_decimals)

    def __iter__(self):
        while True:
            row = self.fetchone()
            if row is None:
                return
            yield row

    def close(self):
        if self._rows is not None:
            self._rows.result.close()
        self._rows = None
        self._closed = True

    def setinputsizes(self, sizes):
        pass

    def setoutputsize(self, size, column=None):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _affected(message):
    """The row count in a statement's message ("INSERT 3", "3 rows inserted"), else -1."""
    for word in message.replace(",", " ").split():
        if word.isdigit():
            return int(word)
    return -1


class Connection:
    """One engine session over the sources saved in `home` (see ``connect``)."""

    def __init__(self, home=None, load_home=True):
        with _Translated():
            self._engine = _aishell.Engine(home, load_home)
        self._closed = False

    def _check(self):
        if self._closed:
            raise InterfaceError("the connection is closed")

    def _query(self, sql):
        self._check()
        with _Translated():
            return self._engine.query(sql)

    @property
    def home(self):
        return self._engine.home

    def catalogs(self):
        """The names of the saved sources (``aishell connect``)."""
        return list(self._engine.catalogs())

    def sql(self, query, params=None):
        """Runs a statement and returns its Relation (parameters as for Cursor.execute)."""
        try:
            sql = _bind(query, params)
        except (ValueError, KeyError, TypeError) as e:
            raise ProgrammingError(str(e)) from None
        return Relation(self, sql)

    query = sql

    def execute(self, operation, parameters=None):
        """Shortcut: a new cursor that executed `operation`."""
        return self.cursor().execute(operation, parameters)

    def set(self, name, value):
        """A session setting, as SET SESSION name = value."""
        with _Translated():
            self._engine.set(name, str(value))

    def cursor(self):
        self._check()
        return Cursor(self)

    def interrupt(self):
        self._engine.cancel()

    def commit(self):
        self._check()

    def rollback(self):
        raise NotSupportedError("aishell has no transactions to roll back")

    def close(self):
        self._closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def connect(home=None, *, sources=True):
    """A connection over the sources, views and settings saved in `home` (default
    $AISHELL_HOME, else ~/.aishell). ``sources=False`` starts empty (files and table functions
    only; nothing is saved)."""
    return Connection(home, sources)
