"""The JSON report: the versioned contract in `spec/interfaces.md`, schema in `schemas/`."""

from __future__ import annotations

from typing import Any

from astra_guard import __version__
from astra_guard.findings import Finding, ScanResult, Severity
from astra_guard.report import json_text
from astra_guard.rules.catalog import RuleCatalog

SCHEMA_VERSION = 1


def finding_dict(finding: Finding) -> dict[str, Any]:
    resource = None
    if finding.resource_kind is not None:
        resource = {"kind": finding.resource_kind, "name": finding.resource_name, "namespace": finding.resource_namespace}
    entry: dict[str, Any] = {
        "rule_id": finding.rule_id,
        "title": finding.title,
        "severity": finding.severity.value,
        "checklist_item": finding.checklist_item,
        "message": finding.message,
        "file": finding.file,
        "line": finding.line,
        "end_line": finding.end_line,
        "column": finding.column,
        "resource": resource,
        "path": list(finding.path),
        "suppressed": finding.suppressed,
        "fingerprint": finding.fingerprint,
    }
    if finding.suppressed and finding.suppression is not None:
        s = finding.suppression
        entry["suppression"] = {"kind": s.kind, "justification": s.justification, "where": s.where,
                                "expires": s.expires, "owner": s.owner}
    return entry


def report_dict(result: ScanResult) -> dict[str, Any]:
    active = [f for f in result.findings if not f.suppressed]
    by_severity = {s.value: 0 for s in sorted(Severity, key=lambda s: -s.rank)}
    for finding in active:
        by_severity[finding.severity.value] += 1
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "astra-guard", "version": __version__},
        "summary": {
            "files": len(result.files),
            "resources": result.resources,
            "findings": len(active),
            "suppressed": len(result.findings) - len(active),
            "errors": len(result.errors),
            "by_severity": by_severity,
        },
        "findings": [finding_dict(f) for f in result.findings],
        "errors": [{"file": e.file, "line": e.line, "message": e.message} for e in result.errors],
        "skipped": [{"file": s.file, "line": s.line, "reason": s.reason} for s in result.skipped],
    }


def render(result: ScanResult, catalog: RuleCatalog | None = None) -> str:
    """The report as indented JSON text (stable key order, no timestamps)."""
    return json_text.dumps(report_dict(result))  # a finding per line
