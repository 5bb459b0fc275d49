"""What a gate reports once findings are located: suppressions, the baseline, the file scope.

Order matters: suppressions are matched against every finding of the whole scan (so "unused"
means unused in the repository), the baseline then accepts what remains, and only last is the
report narrowed to the files of `--only-files`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from astra_guard.baseline import apply_baseline, read_baseline, write_baseline
from astra_guard.config import Config
from astra_guard.errors import UsageError
from astra_guard.findings import Finding, ScanResult
from astra_guard.model import Resource
from astra_guard.rules.catalog import RuleCatalog
from astra_guard.scope import Scope, restrict
from astra_guard.suppressions.apply import apply_suppressions, collect

if TYPE_CHECKING:  # pragma: no cover
    from astra_guard.scan import ScanOptions


def gate(findings: list[Finding], result: ScanResult, resources: list[Resource], catalog: RuleCatalog,
         config: Config, options: ScanOptions) -> list[Finding]:
    """The findings as the gate reports them (suppressed ones marked, out-of-scope ones gone)."""
    root = Path(result.root)
    scope = Scope(options.only_files, root) if options.only_files else None
    if scope is not None and options.create_baseline is not None:
        raise UsageError("--create-baseline needs the whole repository: drop --only-files")
    if options.baseline is not None and options.create_baseline is not None:
        raise UsageError("give --baseline or --create-baseline, not both")
    directives = collect(root, result.files, resources, config, scope)
    today = options.today or date.today()
    findings = apply_suppressions(findings, directives, catalog, today, options.strict_suppressions)
    disabled = options.disabled_rules | config.disabled_rules
    findings = [f for f in findings if f.rule_id not in disabled]
    if options.create_baseline is not None:
        write_baseline(options.create_baseline, findings)
    accepted_in = options.create_baseline or options.baseline
    if accepted_in is not None:
        findings = apply_baseline(findings, read_baseline(accepted_in), accepted_in.name)
    if scope is not None:
        findings = restrict(findings, result, resources, scope)
    return findings
