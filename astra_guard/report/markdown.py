"""The scan as Markdown for a pull-request comment: a summary, then one collapsible section per file."""

from __future__ import annotations

from collections import defaultdict

from astra_guard.findings import Finding, ScanResult, Severity
from astra_guard.rules.catalog import RuleCatalog

ICON = {"critical": "🟥", "high": "🔴", "medium": "🟠", "low": "🔵", "info": "⚪"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(result: ScanResult, catalog: RuleCatalog) -> str:
    active = [f for f in result.findings if not f.suppressed]
    counts = {s.value: sum(f.severity == s for f in active) for s in sorted(Severity, key=lambda s: -s.rank)}
    summary = ", ".join(f"{ICON[k]} {v} {k}" for k, v in counts.items() if v) or "no findings"
    out = [
        "### astra-guard",
        "",
        f"{len(result.files)} files, {result.resources} resources: {summary}"
        + (f"; {len(result.findings) - len(active)} suppressed" if len(result.findings) > len(active) else "")
        + (f"; **{len(result.errors)} input errors** (those files cannot be proven compliant)" if result.errors else ""),
    ]
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in active:
        by_file[finding.file].append(finding)
    for file in sorted(by_file):
        findings = sorted(by_file[file], key=lambda f: f.sort_key)
        worst = max(findings, key=lambda f: f.severity.rank).severity.value
        out += ["", "<details>", f"<summary>{ICON[worst]} <code>{file}</code>: {len(findings)} finding(s)</summary>", "",
                "| line | severity | rule | item | what to change |", "|---|---|---|---|---|"]
        for f in findings:
            item = str(f.checklist_item) if f.checklist_item else "-"
            rule = f"[`{f.rule_id}`]({catalog.rules[f.rule_id].help_uri})" if f.rule_id in catalog.rules else f"`{f.rule_id}`"
            out.append(f"| {f.line} | {f.severity.value} | {rule} | {item} | {_cell(f.message)} |")
        out += ["", "</details>"]
    return "\n".join(out) + "\n"
