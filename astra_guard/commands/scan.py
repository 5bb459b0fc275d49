"""`astra-guard scan`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from astra_guard.corroborate import add_sections, corroborate_scan
from astra_guard.errors import UsageError
from astra_guard.findings import ScanResult, Severity
from astra_guard.output import emit, use_color
from astra_guard.rules.catalog import RuleCatalog, load_catalog
from astra_guard.scan import ScanOptions, scan


def render(fmt: str, result: ScanResult, catalog: RuleCatalog, color: bool, include_suppressed: bool = False) -> str:
    """The report in one format."""
    if fmt == "json":
        from astra_guard.report import json_report

        return json_report.render(result, catalog)
    if fmt == "sarif":
        from astra_guard.report import sarif

        return sarif.render(result, catalog, include_suppressed=include_suppressed)
    if fmt == "markdown":
        from astra_guard.report import markdown

        return markdown.render(result, catalog)
    if fmt == "gitlab":
        from astra_guard.report import gitlab

        return gitlab.render(result, catalog)
    if fmt == "junit":
        from astra_guard.report import junit

        return junit.render(result, catalog)
    from astra_guard.report import console

    return console.render(result, catalog, color=color)


def exit_code(result: ScanResult, fail_on: str) -> int:
    """1 when a finding at or above the threshold (or any input error) remains, else 0."""
    if fail_on == "never":
        return 0
    if result.errors or result.at_or_above(Severity(fail_on)):
        return 1
    return 0


def scoped(paths: list[Path], options: ScanOptions) -> tuple[list[Path], ScanOptions]:
    """`--only-files`: the files given are the report scope; a directory given (else --root, else
    the git work tree of the current directory) is the repository scanned for context."""
    from astra_guard.scope import context_root

    files = [p for p in paths if not p.is_dir()]
    directories = [p for p in paths if p.is_dir()]
    if not files:
        raise UsageError("--only-files needs the files to report on")
    if len(directories) > 1 or (directories and options.root and directories[0].resolve() != options.root.resolve()):
        raise UsageError("with --only-files, give at most one directory: the repository the files belong to")
    root = options.root or (directories[0] if directories else context_root(Path.cwd()))
    return [root], replace(options, root=root, only_files=tuple(files))


def run_scan(paths: list[Path], formats: tuple[str, ...], outputs: tuple[Path, ...], fail_on: str, options: ScanOptions,
             include_suppressed: bool = False) -> int:
    if len(outputs) > len(formats):
        raise UsageError("more --output than --format options: pair each --output with a --format")
    if len([f for f in formats[len(outputs):]]) > 1:
        raise UsageError("only one report can go to standard output: give an --output for each extra --format")
    result = scan(paths, options)
    catalog = load_catalog(result.policy_dirs)
    corroborations = corroborate_scan(options.corroborate, result, catalog)
    for index, fmt in enumerate(formats):
        output = outputs[index] if index < len(outputs) else None
        text = render(fmt, result, catalog, color=output is None and use_color(), include_suppressed=include_suppressed)
        emit(add_sections(fmt, text, corroborations), output)
    return exit_code(result, fail_on)
