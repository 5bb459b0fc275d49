"""`astra-guard policy test [PATH ...]`: the policies' own unit tests, through the embedded engine."""

from __future__ import annotations

from pathlib import Path

from astra_guard.policytest import run_tests
from astra_guard.rules.catalog import load_catalog, rego_root


def run_policy_test(paths: list[Path], verbose: bool, run_filter: str) -> int:
    targets = paths or [rego_root()]
    results = run_tests(targets, load_catalog().rego_libs, run_filter)
    for r in results:
        if r.outcome != "PASS" or verbose:
            where = f"{r.file}:{r.line}"
            print(f"{r.outcome}: {r.name} ({where}){': ' + r.detail if r.detail else ''}")
    passed = sum(r.outcome == "PASS" for r in results)
    failed = sum(r.outcome == "FAIL" for r in results)
    errors = sum(r.outcome == "ERROR" for r in results)
    if not results:
        print(f"no tests found (test_ rules in *_test.rego files) under {', '.join(map(str, targets))}")
        return 1
    print("-" * 60)
    print(f"PASS: {passed}/{len(results)}" + (f"\nFAIL: {failed}/{len(results)}" if failed else "") + (f"\nERROR: {errors}/{len(results)}" if errors else ""))
    return 0 if passed == len(results) else 1
