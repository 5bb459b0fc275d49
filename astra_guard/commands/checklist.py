"""`astra-guard checklist`: the auditor's report, item by item."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from astra_guard.checklist.attestations import load_attestations
from astra_guard.checklist.items import load_items
from astra_guard.checklist.status import ChecklistReport, build_report
from astra_guard.config import load_config
from astra_guard.corroborate import add_sections, corroborate_scan
from astra_guard.findings import Severity
from astra_guard.output import emit
from astra_guard.rules.catalog import load_catalog
from astra_guard.scan import ScanOptions, scan

DEFAULT_GATE = "low"  # an auditor's sign-off: any unsuppressed finding fails its item


def make_report(paths: list[Path], options: ScanOptions, attestations: Path | None, gate: str | None,
                now: dt.datetime | None = None) -> ChecklistReport:
    result = scan(paths, options)
    catalog = load_catalog(result.policy_dirs)
    root = Path(result.root)
    config = load_config(options.config_path, root)
    now = now or dt.datetime.now(dt.timezone.utc)
    attestation_path = attestations or (root / config.attestations if config.attestations else None)
    judged = load_attestations(attestation_path, root, load_items(), now.date())
    threshold = Severity(gate or config.checklist_fail_on or DEFAULT_GATE)
    return build_report(result, catalog, judged, threshold, now)


def render(report: ChecklistReport, fmt: str) -> str:
    if fmt == "json":
        from astra_guard.report import checklist_json

        return checklist_json.render(report)
    if fmt == "html":
        from astra_guard.report import checklist_html

        return checklist_html.render(report)
    from astra_guard.report import checklist_markdown

    return checklist_markdown.render(report)


def run_checklist(paths: list[Path], fmt: str, output: Path | None, options: ScanOptions,
                  attestations: Path | None, gate: str | None, require_evidence: bool) -> int:
    report = make_report(paths, options, attestations, gate)
    corroborations = corroborate_scan(options.corroborate, report.scan, load_catalog(report.scan.policy_dirs))
    emit(add_sections(fmt, render(report, fmt), corroborations), output)
    failing = {"fail", "needs-evidence"} if require_evidence else {"fail"}
    return 1 if any(it.status in failing for it in report.items) else 0
