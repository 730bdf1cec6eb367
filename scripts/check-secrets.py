#!/usr/bin/env python3
"""Fails when a test service's secret appears in any of the given files (the logs of a test run).

The secrets are what scripts/services/*.sh exported for the tests: every AISHELL_TEST_* variable
whose name ends in PASSWORD, SECRET_KEY or TOKEN, and the password of every URL in an
AISHELL_TEST_* variable. Secrets under 6 characters are skipped (they would match ordinary text).
Prints each hit as file:line with the secret masked.
Usage: scripts/check-secrets.py FILE_OR_DIR...
"""
import os
import pathlib
import sys
import urllib.parse


def secrets_from_environment():
    found = {}
    for name, value in os.environ.items():
        if not name.startswith("AISHELL_TEST_") or not value:
            continue
        if name.endswith(("PASSWORD", "SECRET_KEY", "TOKEN")):
            found[value] = name
        if "://" in value:
            try:
                password = urllib.parse.urlsplit(value).password
            except ValueError:
                password = None
            if password:
                found[password] = name + " (its password)"
                found[urllib.parse.unquote(password)] = name + " (its password)"
    return {s: n for s, n in found.items() if len(s) >= 6}


def main(paths):
    secrets = secrets_from_environment()
    files = []
    for p in map(pathlib.Path, paths):
        files.extend(sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else [p])
    hits = 0
    for f in files:
        try:
            text = f.read_text(errors="replace")
        except OSError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            for secret, name in secrets.items():
                if secret in line:
                    hits += 1
                    print(f"{f}:{number}: the secret of {name}: {line.replace(secret, '***')[:300]}")
    print(f"check-secrets: {len(secrets)} secret(s), {len(files)} file(s), {hits} occurrence(s)")
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
