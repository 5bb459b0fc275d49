#!/usr/bin/env python3
"""Parity of `astra-guard gatekeeper verify` with gator on the public gatekeeper-library.

    git --git-dir=<mirror> archive HEAD library | tar -x -C /tmp/gklib
    python scripts/gatekeeper_library_parity.py /tmp/gklib/library \
        [--baseline ../shared/research/gatekeeper-library-baseline.json] [--no-compat] [--json out.json]

Runs every suite under the given directory with the embedded engine and prints the counts
(suites, tests, cases, passed, failed, errored) and one line per failing case. gator (OPA) passes
every case of the library (its CI runs `gator verify ./...`), so a failing case is a case where the
embedded engine disagrees with gator's verdict.

"errored" counts cases whose evaluation raised in regorus (gator would count the error text as a
violation, and so does this verifier, so such a case can still pass) or that could not run at all
(the test's template did not compile, an input was unusable).

With --baseline (the measured per-case OPA results, gatekeeper-library-baseline.json), it also
counts the cases whose reduced violation set (every msg and details) is identical to OPA's, and
lists those that are not. --no-compat turns off the compatibility pre-pass, to measure regorus as
it is.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from astra_guard.gatekeeper.suite import discover
from astra_guard.gatekeeper.verify import Runner, SuiteResult


def _canonical(results: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps({"msg": r["msg"], "details": r.get("details") or {}}, sort_keys=True) for r in results)


def run(library: Path, compat: bool) -> tuple[list[SuiteResult], float]:
    start = time.perf_counter()
    runner = Runner(compat=compat)
    results = [runner.run_suite(suite) for suite in discover([library.as_posix()])]
    return results, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("library", type=Path, help="the library/ directory of a gatekeeper-library checkout")
    parser.add_argument("--baseline", type=Path, help="gatekeeper-library-baseline.json (per-case OPA results)")
    parser.add_argument("--no-compat", action="store_true", help="skip the compatibility pre-pass")
    parser.add_argument("--json", type=Path, help="write per-case results here")
    args = parser.parse_args(argv)
    if not args.library.is_dir():
        parser.error(f"{args.library}: not a directory")

    results, elapsed = run(args.library, not args.no_compat)
    root = args.library.resolve().parent  # the baseline names suites from the repository root
    rows: list[dict[str, Any]] = []
    for suite in results:
        suite_key = Path(suite.path).resolve().relative_to(root).as_posix()
        index = 0   # the case's position in its suite, as the baseline numbers cases
        for test in suite.tests:
            for case in test.cases or []:
                errored = case.input_error or any(r.engine_error for r in case.results or [])
                rows.append({
                    "suite": suite_key, "test": test.name, "case": case.name, "index": index,
                    "status": "skip" if case.skipped else ("fail" if case.failed else "pass"),
                    "errored": errored, "error": case.error,
                    "violations": [{"msg": r.msg, "details": r.details if r.details is not None else {}}
                                   for r in case.results or []],
                })
                index += 1
            if test.error:  # gator reports the test, not its cases; count the cases it could not run
                for case_name in _suite_cases(suite_key, test.name, root):
                    rows.append({"suite": suite_key, "test": test.name, "case": case_name, "index": index,
                                 "status": "fail", "errored": True, "error": test.error, "violations": None})
                    index += 1

    tests = [t for s in results for t in s.tests]
    counts = {
        "suites": len(results),
        "tests": len(tests),
        "cases": len(rows),
        "passed": sum(1 for r in rows if r["status"] == "pass"),
        "failed": sum(1 for r in rows if r["status"] == "fail"),
        "errored": sum(1 for r in rows if r["errored"]),
        "skipped": sum(1 for r in rows if r["status"] == "skip"),
    }
    mode = "embedded engine (regorus), compatibility pre-pass " + ("off" if args.no_compat else "on")
    print(f"{mode}: {elapsed:.2f}s")
    print(" ".join(f"{k}={v}" for k, v in counts.items()))
    for row in rows:
        if row["status"] == "fail":
            print(f"FAIL {row['suite']} :: {row['test']} :: {row['case']}: {row['error']}")

    if args.baseline:
        baseline = json.loads(args.baseline.read_text(encoding="utf-8"))
        expected = {(c["suite"], c["test"], c["index"]): c for c in baseline["cases"]}
        identical, differing = 0, []
        for row in rows:
            reference = expected.get((row["suite"], row["test"], row["index"]))
            if reference is None or reference.get("opa_status") != "pass":
                continue
            same = (row["violations"] is not None and not row["errored"]
                    and _canonical(row["violations"]) == _canonical(reference["opa_violations"]))
            if same:
                identical += 1
            else:
                differing.append((row, reference))
        compared = sum(1 for c in baseline["cases"] if c.get("opa_status") == "pass")
        print(f"identical to OPA (status and every msg+details): {identical}/{compared}")
        for row, reference in differing:
            print(f"DIFF {row['suite']} :: {row['test']} :: {row['case']}")
            print(f"     ours: {json.dumps(row['violations'])}")
            print(f"     opa:  {json.dumps(reference['opa_violations'])}")

    if args.json:
        args.json.write_text(json.dumps({"counts": counts, "cases": rows}, indent=1) + "\n", encoding="utf-8")
    return 0 if counts["failed"] == 0 else 1


def _suite_cases(suite_key: str, test_name: str, root: Path) -> list[str]:
    from astra_guard.gatekeeper.suite import load_documents

    doc = load_documents(root / suite_key)[0]
    for test in doc.get("tests") or []:
        if test.get("name") == test_name:
            return [str(c.get("name", "")) for c in test.get("cases") or []]
    return []


if __name__ == "__main__":
    sys.exit(main())
