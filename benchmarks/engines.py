"""The engines benchmark (issue 6): embedded regorus against an OPA server, and Checkov corroboration.

    python benchmarks/engines.py [--runs 3] [--checkov]

Times, in this process, `scan()` of the seed and of every rule fixture (tests/rules as one
scan) with the embedded engine and with `--engine opa` against `opa run --server` when `opa` is
on PATH, else the loopback server backed by the Go OPA engine (tests/engine/opa_server.py; needs
opa-golib-python-bindings and opa-python-client). With --checkov, also the seed's
`checklist --corroborate checkov` (Checkov from ASTRA_GUARD_CHECKOV or PATH). Medians; nothing
is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from astra_guard.cli import main
from astra_guard.scan import ScanOptions, scan
from tests.engine.opa_server import opa_server

SEED = REPO / "examples" / "astradesk-seed"
FIXTURES = REPO / "tests" / "rules"


def median_seconds(runs: int, action) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main_() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--checkov", action="store_true")
    args = parser.parse_args()
    with opa_server() as url:
        for name, target in (("seed", SEED), ("rule fixtures", FIXTURES)):
            embedded = median_seconds(args.runs, lambda t=target: scan([t], ScanOptions(root=t)))
            opa = median_seconds(args.runs, lambda t=target: scan([t], ScanOptions(root=t, engine="opa", opa_url=url)))
            print(f"{name:14} embedded {embedded:6.2f} s   opa server {opa:6.2f} s")
    if args.checkov:
        seconds = median_seconds(1, lambda: main(["checklist", str(SEED), "--format", "json", "--output", "/dev/null",
                                                  "--corroborate", "checkov"]))
        print(f"seed checklist --corroborate checkov {seconds:6.2f} s")


if __name__ == "__main__":
    main_()
