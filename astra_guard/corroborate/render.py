"""The corroboration as report sections: console text, Markdown and HTML, and the JSON key."""

from __future__ import annotations

import html
import json
from typing import Any

from astra_guard.corroborate.compare import Corroboration
from astra_guard.report import json_text

JSON_KEY = "corroboration"
VERB = {"pass": "passes", "fail": "fails"}
MARK = {"agrees": "agrees", "disagrees": "DISAGREES", "no-opinion": "no opinion"}


def _summary(c: Corroboration) -> str:
    return (f"{c.tool} {c.version or '(version unknown)'}: agrees on {c.count('agrees')} controls, "
            f"disagrees on {c.count('disagrees')}, no opinion on {c.count('no-opinion')}")


def console(c: Corroboration) -> str:
    lines = ["", f"Corroboration by {_summary(c)}"]
    for control in c.controls:
        if control.verdict == "no-opinion" and not control.check_ids:
            continue
        checks = ", ".join(control.check_ids)
        lines.append(f"  {MARK[control.verdict]:<11} {control.rule_id} ({checks}): {control.agreements} agree, "
                     f"{control.consistent} consistent, {len(control.disagreements)} disagree")
    if c.disagreements:
        lines += ["", "Disagreements for the auditor:"]
        for d in c.disagreements:
            lines.append(f"  {d.file}:{d.line} {d.rule_id}: astra-guard {VERB[d.ours]}, Checkov {VERB[d.checkov]} "
                         f"({'; '.join(d.checks)})")
    return "\n".join(lines) + "\n"


def markdown(c: Corroboration) -> str:
    out = ["", "## Corroboration by Checkov", "", _summary(c) + ".", "",
           "| item | control | Checkov checks | scope | verdict | agree | consistent | disagree |",
           "|---|---|---|---|---|---|---|---|"]
    for control in c.controls:
        checks = ", ".join(f"`{i}`" for i in control.check_ids) or "–"
        out.append(f"| {control.checklist_item or '–'} | `{control.rule_id}` | {checks} | {control.scope or '–'} | "
                   f"{control.verdict} | {control.agreements} | {control.consistent} | {len(control.disagreements)} |")
    out += ["", "### Closing note: where Checkov disagrees", ""]
    if not c.disagreements:
        out.append("Checkov disagrees with no control on these inputs.")
    for d in c.disagreements:
        out.append(f"- `{d.file}:{d.line}` `{d.rule_id}`: astra-guard {VERB[d.ours]}, Checkov {VERB[d.checkov]} "
                   f"({'; '.join(d.checks)}).")
    return "\n".join(out) + "\n"


def html_section(c: Corroboration) -> str:
    rows = "".join(
        f"<tr><td>{control.checklist_item or '–'}</td><td><code>{html.escape(control.rule_id)}</code></td>"
        f"<td>{html.escape(', '.join(control.check_ids) or '–')}</td><td>{html.escape(control.scope or '–')}</td>"
        f"<td class=\"corroboration-{control.verdict}\">{control.verdict}</td><td>{control.agreements}</td>"
        f"<td>{control.consistent}</td><td>{len(control.disagreements)}</td></tr>"
        for control in c.controls
    )
    notes = "".join(
        f"<li><code>{html.escape(d.file)}:{d.line}</code> <code>{html.escape(d.rule_id)}</code>: astra-guard {VERB[d.ours]}, "
        f"Checkov {VERB[d.checkov]} ({html.escape('; '.join(d.checks))})</li>"
        for d in c.disagreements
    ) or "<li>Checkov disagrees with no control on these inputs.</li>"
    return (f"<section id=\"corroboration\"><h2>Corroboration by Checkov</h2><p>{html.escape(_summary(c))}.</p>"
            "<table><thead><tr><th>item</th><th>control</th><th>Checkov checks</th><th>scope</th><th>verdict</th>"
            f"<th>agree</th><th>consistent</th><th>disagree</th></tr></thead><tbody>{rows}</tbody></table>"
            f"<h3>Closing note: where Checkov disagrees</h3><ul>{notes}</ul></section>")


def add_to_json(text: str, c: Corroboration) -> str:
    """The JSON report with the corroboration as one more top-level key."""
    document: dict[str, Any] = json.loads(text)
    document[JSON_KEY] = c.as_dict()
    return json_text.dumps(document)


def add_to_html(text: str, c: Corroboration) -> str:
    section = html_section(c)
    index = text.rfind("</body>")
    return text[:index] + section + text[index:] if index >= 0 else text + section


def add(fmt: str, text: str, c: Corroboration) -> str:
    """The report in `fmt` with the corroboration section added (SARIF and others unchanged)."""
    if fmt == "json":
        return add_to_json(text, c)
    if fmt == "html":
        return add_to_html(text, c)
    if fmt == "markdown":
        return text + markdown(c)
    if fmt == "console":
        return text + console(c)
    return text
