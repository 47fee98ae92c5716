"""Validate X12 files with pyx12, the independent HIPAA validator.

Usage: python x12_oracle.py FILE...
       python x12_oracle.py --time FILE...


Prints, for each file, the implementation guide pyx12 chose and every error
it reported (segment, line, element, message), then OK or FAILED. Exits 1 if
any file has any error, 0 otherwise. Run by scripts/x12-oracle.sh inside a
throwaway virtualenv.

With --time, prints how long pyx12 takes on each file instead, two ways:
its tokenizer alone (pyx12.x12file.X12Reader, every segment) and its full
map-driven parse and validation (x12n_document), for the comparison in
docs/BENCHMARKS.md.
"""

import io
import json
import logging
import sys
import os
import time

import pyx12
import pyx12.params
import pyx12.x12n_document


class ErrorCollector(logging.Handler):
    """pyx12 reports some problems only through its logger; count them too."""

    def __init__(self):
        super().__init__(level=logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(self.format(record))


def collect_errors(node):
    """Every entry of every `errors` list in pyx12's JSON report, and every
    segment it flagged (segments are only listed when they hold errors)."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("errors", "segments") and isinstance(value, list):
                found.extend(value)
            else:
                found.extend(collect_errors(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(collect_errors(item))
    return found


def validate(path):
    logger = logging.getLogger("pyx12")
    collector = ErrorCollector()
    logger.addHandler(collector)
    logger.setLevel(logging.INFO)
    errors_json = io.StringIO()
    try:
        ok = pyx12.x12n_document.x12n_document(
            param=pyx12.params.params(),
            src_file=path,
            fd_997=None,
            fd_html=None,
            fd_xmldoc=None,
            fd_json=errors_json,
        )
    finally:
        logger.removeHandler(collector)
    problems = list(collector.records)
    text = errors_json.getvalue().strip()
    if text:
        try:
            problems.extend(json.dumps(e) for e in collect_errors(json.loads(text)))
        except ValueError:
            problems.append(f"unreadable pyx12 error report: {text[:200]}")
    with open(path, encoding="ascii", errors="replace") as f:
        segments = [s.strip() for s in f.read().split("~")]
        gs08 = next((s.split(s[2])[8] for s in segments if s.startswith("GS")), "?")
    print(f"pyx12 {pyx12.__version__}: {path} (GS08 {gs08.strip()})")
    for p in problems:
        print(f"  error: {p}")
    if ok and not problems:
        print("  OK: zero errors")
        return True
    print("  FAILED")
    return False


def time_pyx12(path):
    import pyx12.x12file

    size = os.path.getsize(path)
    mb = size / 1_000_000
    start = time.perf_counter()
    segments = sum(1 for _ in pyx12.x12file.X12Reader(path))
    tokenize = time.perf_counter() - start
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    start = time.perf_counter()
    pyx12.x12n_document.x12n_document(
        param=pyx12.params.params(), src_file=path, fd_997=None, fd_html=None
    )
    full = time.perf_counter() - start
    print(f"pyx12 {pyx12.__version__}: {path}: {size} bytes, {segments} segments")
    print(f"  X12Reader tokenize: {tokenize:.2f} s = {mb / tokenize:.2f} MB/s")
    print(f"  x12n_document parse+validate: {full:.2f} s = {mb / full:.3f} MB/s")
    return True


def main(paths):
    if paths and paths[0] == "--time":
        return 0 if all(time_pyx12(p) for p in paths[1:]) else 1
    if not paths:
        print(__doc__)
        return 2
    results = [validate(p) for p in paths]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
