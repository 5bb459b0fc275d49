"""`astra-guard gatekeeper verify [SUITE_OR_DIR ...]`: gator-verify compatible suites, embedded engine.

Output follows `gator verify` (gatekeeper pkg/gator/verify/printer_go.go): a failing case prints
`    --- FAIL: <case>\t(<time>)` and its reason, a failing test `--- FAIL: <test>\t(<time>)`, each
suite `ok\t<path>\t<time>` or `FAIL\t<path>\t<time>`, then a count line and `PASS` or `FAIL`.
`--verbose` adds gator's `=== RUN` / `--- PASS` / `=== SKIP` lines and the compatibility rewrites
applied to each template.

Exit codes: 0 every case passed; 1 a case or test failed (a wrong verdict, a template that does
not compile, an evaluation error counted as a violation); 2 the input is unusable: no suites, a
suite file that does not parse, a file a suite names that is missing or unreadable, an absolute
path, a case without object or assertions, an invalid assertion. (gator exits 1 for all of
these; the failing tests are reported the same way.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from astra_guard.errors import UsageError

if TYPE_CHECKING:
    from astra_guard.gatekeeper.verify import SuiteResult

EXIT_OK, EXIT_FAIL, EXIT_INPUT = 0, 1, 2


def _seconds(value: float) -> str:
    return f"{value:.3f}s"


def render(results: list[SuiteResult], verbose: bool) -> str:
    lines: list[str] = []
    for suite in results:
        for test in suite.tests:
            if verbose:
                if test.skipped:
                    lines.append(f"=== SKIP  {test.name}")
                    continue
                lines.append(f"=== RUN   {test.name}")
                for note in test.notes:
                    lines.append(f"    compat: {note}")
            for case in test.cases:
                if verbose:
                    if case.skipped:
                        lines.append(f"    === SKIP  {case.name}")
                        continue
                    lines.append(f"    === RUN   {case.name}")
                    if case.prints:
                        lines.append("        === PRINT ===")
                        lines += [f"        {line}" for line in case.prints]
                if case.failed:
                    lines.append(f"    --- FAIL: {case.name}\t({_seconds(case.runtime)})")
                    lines.append(f"        {case.error}")
                elif verbose:
                    lines.append(f"    --- PASS: {case.name}\t({_seconds(case.runtime)})")
            if test.failed:
                lines.append(f"--- FAIL: {test.name}\t({_seconds(test.runtime)})")
                if test.error:
                    lines.append(f"  {test.error}")
            elif verbose and not test.skipped:
                lines.append(f"--- PASS: {test.name}\t({_seconds(test.runtime)})")
        if suite.failed:
            lines.append(f"FAIL\t{suite.path}\t{_seconds(suite.runtime)}")
            if suite.error:
                lines.append(f"  {suite.error}")
        elif suite.skipped:
            lines.append(f"skip\t{suite.path}")
        else:
            lines.append(f"ok\t{suite.path}\t{_seconds(suite.runtime)}")
    lines.append(summary(results))
    lines.append("FAIL" if any(s.failed for s in results) else "PASS")
    return "\n".join(lines) + "\n"


def counts(results: list[SuiteResult]) -> dict[str, int]:
    tests = [t for s in results for t in s.tests]
    cases = [c for t in tests for c in t.cases]
    return {
        "suites": len(results),
        "tests": len(tests),
        "cases": len(cases),
        "passed": sum(1 for c in cases if not c.skipped and not c.failed),
        "failed": sum(1 for c in cases if c.failed),
        "skipped": sum(1 for c in cases if c.skipped),
        "failed_tests": sum(1 for t in tests if t.error),
    }


def summary(results: list[SuiteResult]) -> str:
    n = counts(results)
    text = (f"{n['suites']} suites, {n['tests']} tests, {n['cases']} cases: {n['passed']} passed, "
            f"{n['failed']} failed, {n['skipped']} skipped")
    if n["failed_tests"]:
        text += f"; {n['failed_tests']} tests could not run their cases"
    return text


def run_verify(targets: list[str], run: str = "", verbose: bool = False) -> int:
    from astra_guard.gatekeeper.suite import SuiteError, discover
    from astra_guard.gatekeeper.verify import Filter, Runner

    try:
        run_filter = Filter(run)
    except ValueError as exc:
        raise UsageError(f"compiling filter: {exc}") from None
    try:
        suites = discover(targets or ["."])
    except SuiteError as exc:
        raise UsageError(f"listing test files: {exc}") from None
    if not suites:
        raise UsageError(f"no gator Suite (apiVersion test.gatekeeper.sh/*, kind Suite) found in {', '.join(targets or ['.'])}")
    runner = Runner(run_filter)
    results = [runner.run_suite(suite) for suite in suites]
    print(render(results, verbose), end="")
    if any(s.input_error for s in results):
        return EXIT_INPUT
    return EXIT_FAIL if any(s.failed for s in results) else EXIT_OK

