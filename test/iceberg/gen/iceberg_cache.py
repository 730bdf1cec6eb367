"""A cache of generated Iceberg test warehouses, outside the clone.

Iceberg metadata holds absolute file paths, so a warehouse is generated in place, in
$AISHELL_ICEBERG_CACHE (default $HOME/.cache/aishell-iceberg)/<name>-<hash>, where <hash> is a
content hash of the generator's source files and the writer's version: CI regenerates a
warehouse only when its generator changes. A file lock serializes pytest-xdist workers; a
`.complete` marker written last tells a finished warehouse from an interrupted one.
"""
import fcntl
import hashlib
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))


def cache_root():
    root = os.environ.get("AISHELL_ICEBERG_CACHE") or os.path.join(os.path.expanduser("~"), ".cache",
                                                                   "aishell-iceberg")
    os.makedirs(root, exist_ok=True)
    return root


def content_hash(files, extra=""):
    h = hashlib.sha256(extra.encode())
    for f in sorted(files):
        h.update(os.path.basename(f).encode())
        with open(f, "rb") as fh:
            h.update(fh.read())
    return h.hexdigest()[:16]


def cached_warehouse(name, sources, generate, extra=""):
    """Returns the directory of warehouse `name`, calling generate(dir) first unless a complete
    copy made by the same sources is cached. generate() must be deterministic in its data."""
    digest = content_hash(sources, extra)
    root = cache_root()
    path = os.path.join(root, f"{name}-{digest}")
    marker = os.path.join(path, ".complete")
    if os.path.exists(marker):
        return path
    with open(os.path.join(root, f".{name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if os.path.exists(marker):
                return path
            # Older generations of this warehouse are stale.
            for entry in os.listdir(root):
                if entry.startswith(name + "-") and entry != os.path.basename(path):
                    shutil.rmtree(os.path.join(root, entry), ignore_errors=True)
            shutil.rmtree(path, ignore_errors=True)
            os.makedirs(path)
            generate(path)
            with open(marker, "w") as f:
                json.dump({"name": name, "hash": digest}, f)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return path
