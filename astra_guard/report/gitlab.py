"""GitLab Code Quality: the JSON array `artifacts:reports:codequality` reads in merge requests.

Each unsuppressed finding is one issue with the fields GitLab requires (`description`,
`check_name`, `fingerprint`, `severity`, `location.path`, `location.lines.begin`). The
fingerprint keeps ours (rule, file, resource, path; no line), so an issue whose lines merely
moved is the same issue in the base and the merge request; the message is mixed in because
GitLab needs fingerprints unique within a report.
"""

from __future__ import annotations

import hashlib
from typing import Any

from astra_guard.findings import Finding, ScanResult, Severity
from astra_guard.report import json_text
from astra_guard.rules.catalog import RuleCatalog

SEVERITY = {
    Severity.CRITICAL: "blocker",
    Severity.HIGH: "critical",
    Severity.MEDIUM: "major",
    Severity.LOW: "minor",
    Severity.INFO: "info",
}


def issue(finding: Finding) -> dict[str, Any]:
    unique = hashlib.sha256(f"{finding.fingerprint}\0{finding.message}".encode()).hexdigest()[:32]
    return {
        "type": "issue",
        "check_name": finding.rule_id,
        "description": finding.message or finding.title,
        "categories": ["Security"],
        "severity": SEVERITY[finding.severity],
        "fingerprint": unique,
        "location": {"path": finding.file, "lines": {"begin": max(1, finding.line), "end": max(1, finding.end_line)}},
    }


def render(result: ScanResult, catalog: RuleCatalog | None = None) -> str:
    """The Code Quality report as indented JSON (unsuppressed findings only)."""
    issues = [issue(f) for f in result.findings if not f.suppressed]
    return json_text.dumps(issues, flat_from=1)  # an issue per line
