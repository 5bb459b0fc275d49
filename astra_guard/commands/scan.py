"""`astra-guard scan`."""

from __future__ import annotations

from pathlib import Path

from astra_guard.errors import UsageError
from astra_guard.findings import ScanResult, Severity
from astra_guard.output import emit, use_color
from astra_guard.rules.catalog import RuleCatalog, load_catalog
from astra_guard.scan import ScanOptions, scan


def render(fmt: str, result: ScanResult, catalog: RuleCatalog, color: bool) -> str:
    """The report in one format."""
    if fmt == "json":
        from astra_guard.report import json_report

        return json_report.render(result, catalog)
    if fmt == "sarif":
        from astra_guard.report import sarif

        return sarif.render(result, catalog)
    from astra_guard.report import console

    return console.render(result, catalog, color=color)


def exit_code(result: ScanResult, fail_on: str) -> int:
    """1 when a finding at or above the threshold (or any input error) remains, else 0."""
    if fail_on == "never":
        return 0
    if result.errors or result.at_or_above(Severity(fail_on)):
        return 1
    return 0


def run_scan(paths: list[Path], formats: tuple[str, ...], outputs: tuple[Path, ...], fail_on: str, options: ScanOptions) -> int:
    if len(outputs) > len(formats):
        raise UsageError("more --output than --format options: pair each --output with a --format")
    if len([f for f in formats[len(outputs):]]) > 1:
        raise UsageError("only one report can go to standard output: give an --output for each extra --format")
    result = scan(paths, options)
    catalog = load_catalog(result.policy_dirs)
    for index, fmt in enumerate(formats):
        output = outputs[index] if index < len(outputs) else None
        emit(render(fmt, result, catalog, color=output is None and use_color()), output)
    return exit_code(result, fail_on)
