"""What the benchmarks share: the median of timed runs, CPU seconds from getrusage, the aishell CLI
and DuckDB as timed runs, result comparison, ratios and geometric means, the aishell-vs-DuckDB
ratio table, the standard options and the closing list of failures.

The bench/*.py scripts import it as `common` (python3 puts the script's folder, bench/, first on
sys.path). It is not a benchmark itself: scripts/run-bench.sh runs bench/run_bench.py and
bench/bench_*.py only.
"""
import csv
import io
import math
import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# --- timing ---

def timed(fn, runs):
    """Calls fn() `runs` times: (the median wall seconds of a call, the last call's result)."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def cpu_seconds(children):
    """CPU seconds (user + system) used so far by the finished child processes of this one (the
    aishell CLI processes: children=True) or by this process itself (in-process DuckDB: False)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def measured(fn, children):
    """Calls fn() once: (wall seconds, CPU seconds as cpu_seconds(children) counts them, result)."""
    start, cpu0 = time.perf_counter(), cpu_seconds(children)
    result = fn()
    return time.perf_counter() - start, cpu_seconds(children) - cpu0, result


# --- the engines ---

def run_aishell_process(binary, args, threads, home, env=None):
    """One `aishell --threads N <args>` process with AISHELL_HOME=home (on top of `env`, default the
    environment): (wall seconds, its CPU seconds, stdout). RuntimeError with its stderr (or exit
    status) when it fails."""
    env = dict(env if env is not None else os.environ, AISHELL_HOME=home)
    elapsed, cpu, proc = measured(
        lambda: subprocess.run([binary, "--threads", str(threads)] + list(args), capture_output=True, text=True,
                               env=env), children=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip() or f"exit {proc.returncode}")
    return elapsed, cpu, proc.stdout


def run_aishell(binary, sql, threads, home):
    """`aishell query --format csv <sql>`: (wall seconds, the rows as lists of strings)."""
    elapsed, _, out = run_aishell_process(binary, ["query", "--format", "csv", sql], threads, home)
    return elapsed, list(csv.reader(io.StringIO(out)))[1:]


def run_duckdb(con, sql):
    """The query in DuckDB (a python duckdb connection): (wall seconds, the rows)."""
    start = time.perf_counter()
    rows = con.execute(sql).fetchall()
    return time.perf_counter() - start, rows


def measure_query(con, binary, sql, runs, threads, home, skip=None):
    """Runs `sql` `runs` times in DuckDB, each followed by the aishell CLI. Returns (duckdb median
    seconds, duckdb rows, aishell median seconds or None, aishell rows, error). After aishell fails
    (error: the first line of its message), or when `skip` is given (error: skip), only DuckDB
    runs on."""
    duck_times, ai_times = [], []
    duck_rows = ai_rows = None
    error = skip
    for _ in range(runs):
        t, duck_rows = run_duckdb(con, sql)
        duck_times.append(t)
        if error is None:
            try:
                t, ai_rows = run_aishell(binary, sql, threads, home)
                ai_times.append(t)
            except RuntimeError as e:
                error = str(e).splitlines()[0]
    ai = None if error else statistics.median(ai_times)
    return statistics.median(duck_times), duck_rows, ai, ai_rows, error


class AishellSession:
    """One `aishell` shell process that reads statements from a pipe (script mode) with `.timer on`
    and `.format csv`: a warm session, like a DuckDB connection kept open, in which the sources keep
    their connections between queries. query(sql) returns the rows as csv lines (header dropped);
    cpu() is the process's CPU seconds so far. RuntimeError when a statement fails."""

    def __init__(self, binary, env, threads=None):
        import tempfile
        args = [binary] + (["--threads", str(threads)] if threads else [])
        self._err = tempfile.TemporaryFile(mode="w+")
        self._proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=self._err, text=True, env=env, bufsize=1)
        self._cpu = 0.0
        self._send(".format csv")
        self._send(".timer on")

    def _send(self, line):
        self._proc.stdin.write(line + "\n")
        self._proc.stdin.flush()

    def query(self, sql):
        start = self._err.tell()
        self._send(sql.rstrip().rstrip(";") + ";")
        lines = []
        while True:
            line = self._proc.stdout.readline()
            if not line:
                raise RuntimeError(f"aishell session ended: {self._error(start)}")
            if line.startswith("Run Time (s): "):
                f = line.split()
                self._cpu += float(f[6]) + float(f[8])  # real R user U sys S
                break
            lines.append(line.rstrip("\n"))
        error = self._error(start)
        if error:
            raise RuntimeError(f"aishell failed: {error}")
        return lines[1:]

    def _error(self, start):
        self._err.flush()
        self._err.seek(start)
        text = self._err.read()
        self._err.seek(0, os.SEEK_END)
        return "\n".join(l for l in text.splitlines() if l.startswith("Error")).strip()

    def cpu(self):
        return self._cpu

    def close(self):
        if self._proc.poll() is None:
            self._proc.stdin.close()
            self._proc.wait(timeout=60)
        self._err.close()


# --- results ---

def norm(v):
    """A value as both engines' rows can be compared: None (NULL or empty), a float, or text."""
    if v is None or v == "":
        return None
    if isinstance(v, (int, float)):
        return float(v)
    s = str(v)
    try:
        return float(s)
    except ValueError:
        return s


def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6)
    return a == b


def compare(duck_rows, ai_rows, ordered):
    """None when the rows agree (row by row if ordered, else as multisets), else what differs."""
    d = [[norm(v) for v in r] for r in duck_rows]
    a = [[norm(v) for v in r] for r in ai_rows]
    if not ordered:
        key = lambda r: [(x is None, str(type(x)), round(x, 4) if isinstance(x, float) else x) for x in r]  # noqa: E731
        d.sort(key=key)
        a.sort(key=key)
    if len(d) != len(a):
        return f"row count: duckdb {len(d)}, aishell {len(a)}"
    for i, (x, y) in enumerate(zip(d, a)):
        if len(x) != len(y) or not all(same(p, q) for p, q in zip(x, y)):
            return f"row {i + 1}: duckdb {x}, aishell {y}"
    return None


# --- ratios and reports ---

def ratio(a, b):
    """a / b, or infinity when b is not positive."""
    return a / b if b > 0 else float("inf")


def geomean(xs):
    """The geometric mean of the positive, finite values of xs (nan if there are none)."""
    xs = [x for x in xs if 0 < x < float("inf")]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def print_ratio_table(results, target, width=18):
    """After a blank line, a table of (name, aishell seconds or a label such as "ERROR", duckdb
    seconds) rows with the ratio aishell / duckdb, and the geometric mean of the ratios against
    `target` (e.g. "within 3x")."""
    rule = "-" * (width + 31)
    print()
    print(f"{'query':<{width}} {'aishell s':>10} {'duckdb s':>10} {'ratio':>8}")
    print(rule)
    ratios = []
    for name, ai, duck in results:
        if isinstance(ai, str):
            print(f"{name:<{width}} {ai:>10} {duck:10.3f} {'-':>8}")
            continue
        ratios.append(ratio(ai, duck))
        print(f"{name:<{width}} {ai:10.3f} {duck:10.3f} {ratios[-1]:7.2f}x")
    if ratios:
        print(rule)
        print(f"{'geometric mean':<{width}} {'':>10} {'':>10} {geomean(ratios):7.2f}x   (target: {target})")


def report_problems(problems):
    """Prints the problems (if any) to stderr under FAILED:; returns the exit status (1 if any)."""
    if not problems:
        return 0
    print("\nFAILED:", file=sys.stderr)
    for p in problems:
        print("  " + p, file=sys.stderr)
    return 1


# --- options ---

def add_standard_arguments(ap, scales, only=True):
    """--scale (default full), --runs (3), --threads (cores), --only (if `only`), --build-dir
    ($BUILD_DIR or build/) and --data-dir (bench/data)."""
    ap.add_argument("--scale", choices=sorted(scales), default="full")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    if only:
        ap.add_argument("--only", help="comma-separated query names")
    ap.add_argument("--build-dir", default=os.environ.get("BUILD_DIR", os.path.join(ROOT, "build")))
    ap.add_argument("--data-dir", default=os.path.join(ROOT, "bench", "data"))


def aishell_binary(build_dir, prog):
    """<build_dir>/aishell, or exits with a message starting with `prog` when it is not built."""
    binary = os.path.join(os.path.abspath(build_dir), "aishell")
    if not os.path.exists(binary):
        sys.exit(f"{prog}: {binary} is missing; build first (make build)")
    return binary


def stamp_matches(stamp_path, stamp):
    """Whether generated data is current: its stamp file holds exactly `stamp`."""
    if not os.path.exists(stamp_path):
        return False
    with open(stamp_path) as f:
        return f.read() == stamp


def write_stamp(stamp_path, stamp):
    with open(stamp_path, "w") as f:
        f.write(stamp)
