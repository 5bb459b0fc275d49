"""The checklist report as JSON: the contract in `spec/interfaces.md`, schema shipped."""

from __future__ import annotations

import json
from typing import Any

from astra_guard.checklist.attestations import Attestation
from astra_guard.checklist.status import ChecklistReport

SCHEMA_VERSION = 1


def attestation_dict(a: Attestation) -> dict[str, Any]:
    return {
        "item": a.item, "requirement": a.requirement, "statement": a.statement, "evidence": a.evidence,
        "by": a.by, "date": a.date, "expires": a.expires, "age_days": a.age_days, "line": a.line,
        "valid": a.valid, "problem": a.problem,
    }


def report_dict(report: ChecklistReport) -> dict[str, Any]:
    scan = report.scan
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "astra-guard", "version": report.tool_version, "rule_bundle": report.rule_bundle},
        "generated_at": report.generated_at,
        "gate": report.gate.value,
        "target_kubernetes_version": {"version": scan.target_version or None, "source": scan.target_version_source},
        "configuration": {"source": scan.config_source, "content": scan.config},
        "attestations_file": report.attestations.source,
        "items": [
            {
                "id": it.item.id,
                "title": it.item.title,
                "status": it.status,
                "controls": [
                    {
                        "rule_id": c.rule.id,
                        "title": c.rule.title,
                        "status": c.status,
                        "findings": len(c.findings),
                        "details": [
                            {"file": f.file, "line": f.line, "severity": f.severity.value, "message": f.message}
                            for f in c.findings
                        ],
                    }
                    for c in it.controls
                ],
                "evidence": [
                    {
                        "requirement": e.requirement.requirement,
                        "requirement_id": e.requirement.id,
                        "attestation": attestation_dict(e.attestation) if e.attestation else None,
                        "rejected": [attestation_dict(a) for a in e.rejected],
                    }
                    for e in it.evidence
                ],
                "input_errors": list(it.input_errors),
            }
            for it in report.items
        ],
        "attestation_problems": report.attestations.problems
        + [f"line {a.line}: {a.problem}" for a in report.attestations.attestations if not a.valid],
        "inputs": [{"file": file, "sha256": sha} for file, sha in report.inputs],
    }


def render(report: ChecklistReport) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
