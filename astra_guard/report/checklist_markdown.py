"""The checklist report as Markdown, for pull requests and wikis."""

from __future__ import annotations

import json

from astra_guard.checklist.status import ChecklistReport

ICON = {"pass": "✅", "fail": "❌", "needs-evidence": "📝", "attested": "🖊️", "not-applicable": "➖"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(report: ChecklistReport) -> str:
    scan = report.scan
    out = [
        "# Release checklist",
        "",
        f"astra-guard {report.tool_version}, rules {report.rule_bundle}, generated {report.generated_at}, "
        f"gate: findings at or above **{report.gate.value}** fail an item.",
        "",
        "| # | item | status |",
        "|---|---|---|",
    ]
    out += [f"| {it.item.id} | {_cell(it.item.title)} | {ICON[it.status]} {it.status} |" for it in report.items]
    for it in report.items:
        out += ["", f"## {it.item.id}. {it.item.title}: {it.status}", ""]
        for error in it.input_errors:
            out.append(f"- ❌ input error, cannot be proven compliant: `{error}`")
        for c in it.controls:
            out.append(f"- {ICON[c.status]} `{c.rule.id}` {c.rule.title} ({c.status})")
            for f in c.findings:
                out.append(f"  - `{f.file}:{f.line}` [{f.severity.value}] {_cell(f.message)}")
        for e in it.evidence:
            a = e.attestation
            if a is None:
                out.append(f"- 📝 evidence needed: {e.requirement.requirement}")
            else:
                expiry = f", expires {a.expires}" if a.expires else ""
                out.append(f"- 🖊️ {e.requirement.requirement}: {_cell(a.statement)} ({a.evidence}; {a.by}, {a.date}, "
                           f"{a.age_days} days old{expiry})")
            for r in e.rejected:
                out.append(f"  - not counted (line {r.line}): {r.problem}")
    problems = report.attestations.problems
    if problems:
        out += ["", "## Attestation file problems", ""] + [f"- {p}" for p in problems]
    out += ["", "## Reproduce", "",
            f"- target Kubernetes version: {scan.target_version or 'unknown'} ({scan.target_version_source})",
            f"- configuration: {scan.config_source or 'defaults (no .astra-guard.yaml)'}"
            + (f" `{json.dumps(scan.config, sort_keys=True, default=str)}`" if scan.config else ""),
            f"- attestations: {report.attestations.source or 'none'}",
            "", "| input | sha256 |", "|---|---|"]
    out += [f"| `{file}` | `{sha}` |" for file, sha in report.inputs]
    return "\n".join(out) + "\n"
