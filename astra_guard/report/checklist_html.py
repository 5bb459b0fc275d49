"""The checklist report as one self-contained HTML file: no scripts, no network, printable.

Each item is a `<section>` with its status, its controls with the offending source lines
quoted, and its evidence with the attestations' links. Everything shown is escaped.
"""

from __future__ import annotations

import json
from functools import lru_cache
from html import escape
from pathlib import Path

from astra_guard.checklist.status import ChecklistReport, ItemStatus
from astra_guard.findings import Finding
from astra_guard.loaders.text import decode
from astra_guard.masking import Masker

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:60rem;color:#1b1f24;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem} h2{font-size:1.15rem;margin:0}
.meta{color:#57606a;font-size:.85rem}
table{border-collapse:collapse;width:100%;margin:1rem 0} td,th{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
section.item{border:1px solid #d0d7de;border-left:6px solid #8c959f;border-radius:4px;padding:.8rem 1rem;margin:1rem 0;break-inside:avoid}
section.item[data-status=fail]{border-left-color:#cf222e} section.item[data-status=pass]{border-left-color:#1a7f37}
section.item[data-status=needs-evidence]{border-left-color:#bf8700} section.item[data-status=attested]{border-left-color:#0969da}
.status{display:inline-block;font-weight:600;padding:0 .5rem;border-radius:1rem;background:#eaeef2;margin-left:.5rem}
.status.fail{background:#ffebe9;color:#a40e26} .status.pass{background:#dafbe1;color:#116329}
.status.needs-evidence{background:#fff8c5;color:#7d4e00} .status.attested{background:#ddf4ff;color:#0550ae}
ul{margin:.4rem 0;padding-left:1.2rem} li{margin:.2rem 0}
pre.source{background:#f6f8fa;border:1px solid #d0d7de;padding:.3rem .5rem;margin:.2rem 0;white-space:pre-wrap;font-size:.8rem}
code{font-size:.85rem} .sev{font-size:.75rem;text-transform:uppercase;font-weight:600}
.sev.critical,.sev.high{color:#a40e26} .sev.medium{color:#7d4e00} .sev.low{color:#0550ae}
@media print{body{margin:0;max-width:none} a{color:inherit} section.item{page-break-inside:avoid}}
"""


@lru_cache(maxsize=256)
def _source_lines(root: str, file: str) -> tuple[str, ...]:
    base = Path(root).resolve()
    path = (base / file).resolve()
    if not path.is_relative_to(base) or not path.is_file():
        return ()
    try:
        decoded = decode(path.read_bytes())  # lines numbered as the loaders number them
    except OSError:
        return ()
    return tuple(decoded.text.split("\n")) if decoded.error is None and not decoded.binary else ()


def _quote(root: str, finding: Finding, masker: Masker) -> str:
    lines = _source_lines(root, finding.file)
    if not 0 < finding.line <= len(lines):
        return ""
    return f'<pre class="source">{finding.line:>4} | {escape(masker.mask(lines[finding.line - 1]))}</pre>'


def _link(target: str) -> str:
    if target.startswith(("https://", "http://")):
        return f'<a class="evidence" href="{escape(target)}">{escape(target)}</a>'
    return f'<a class="evidence" href="{escape(target)}"><code>{escape(target)}</code></a>'


def _item(it: ItemStatus, root: str, masker: Masker) -> str:
    parts = [
        f'<section class="item" id="item-{it.item.id}" data-item="{it.item.id}" data-status="{it.status}">',
        f'<h2>{it.item.id}. {escape(it.item.title)}<span class="status {it.status}">{it.status}</span></h2>',
    ]
    if it.input_errors:
        parts.append("<p>Inputs that could not be read, so this item cannot be proven:</p><ul>")
        parts += [f"<li><code>{escape(e)}</code></li>" for e in it.input_errors]
        parts.append("</ul>")
    if it.controls:
        parts.append('<h3>Automated controls</h3><ul class="controls">')
        for c in it.controls:
            parts.append(f'<li class="control" data-rule="{escape(c.rule.id)}" data-status="{c.status}">'
                         f'<code>{escape(c.rule.id)}</code> {escape(c.rule.title)}: <strong>{c.status}</strong>')
            if c.findings:
                parts.append("<ul>")
                for f in c.findings:
                    parts.append(f'<li class="finding"><span class="sev {f.severity.value}">{f.severity.value}</span> '
                                 f"<code>{escape(f.file)}:{f.line}</code> {escape(f.message)}{_quote(root, f, masker)}</li>")
                parts.append("</ul>")
            parts.append("</li>")
        parts.append("</ul>")
    if it.evidence:
        parts.append('<h3>Evidence</h3><ul class="evidence-list">')
        for e in it.evidence:
            a = e.attestation
            if a is None:
                parts.append(f'<li class="requirement" data-attested="no">{escape(e.requirement.requirement)}: '
                             "<strong>no valid attestation</strong></li>")
            else:
                expiry = f", expires {escape(a.expires)}" if a.expires else ""
                parts.append(f'<li class="requirement" data-attested="yes">{escape(e.requirement.requirement)}: '
                             f"{escape(a.statement)} ({_link(a.evidence)}; {escape(a.by)}, {escape(a.date)}, "
                             f"{a.age_days} days old{expiry})</li>")
            parts += [f"<li>not counted (attestation on line {r.line}): {escape(r.problem or '')}</li>" for r in e.rejected]
        parts.append("</ul>")
    parts.append("</section>")
    return "\n".join(parts)


def render(report: ChecklistReport) -> str:
    scan = report.scan
    masker = Masker.for_resources(r for loaded in scan.files for r in loaded.resources)  # quoted lines too
    summary = "".join(
        f'<tr><td>{it.item.id}</td><td><a href="#item-{it.item.id}">{escape(it.item.title)}</a></td>'
        f'<td><span class="status {it.status}">{it.status}</span></td></tr>'
        for it in report.items
    )
    inputs = "".join(f"<tr><td><code>{escape(f)}</code></td><td><code>{sha}</code></td></tr>" for f, sha in report.inputs)
    problems = report.attestations.problems
    problem_html = ("<h2>Attestation file problems</h2><ul>" + "".join(f"<li>{escape(p)}</li>" for p in problems) + "</ul>") if problems else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Release checklist: astra-guard</title><style>{STYLE}</style></head>
<body>
<h1>Release checklist</h1>
<p class="meta">astra-guard {escape(report.tool_version)} · rules {escape(report.rule_bundle)} · generated {escape(report.generated_at)}
· gate: findings at or above <strong>{report.gate.value}</strong> fail an item</p>
<table class="summary"><thead><tr><th>#</th><th>item</th><th>status</th></tr></thead><tbody>{summary}</tbody></table>
{"".join(_item(it, scan.root, masker) for it in report.items)}
{problem_html}
<h2>Reproduce this report</h2>
<p class="meta">Target Kubernetes version: {escape(scan.target_version or "unknown")} ({escape(scan.target_version_source)}) ·
configuration: {escape(scan.config_source or "defaults")} {escape(json.dumps(scan.config, sort_keys=True, default=str)) if scan.config else ""} · attestations: {escape(report.attestations.source or "none")}</p>
<table class="inputs"><thead><tr><th>input</th><th>sha256</th></tr></thead><tbody>{inputs}</tbody></table>
</body></html>
"""
