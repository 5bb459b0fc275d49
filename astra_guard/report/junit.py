"""JUnit XML for GitLab's test report and Jenkins' `junit` step.

One <testsuite> per checklist item (and one for rules outside it); in it one <testcase> per
control and resource: `classname` is the rule id, `name` the resource (or the file when the
finding has no resource). A case with findings fails; its <failure> lists each `file:line`
with the message, then the rule's remediation. A control with no finding at all is one passing
case, and one whose findings are all suppressed is skipped with the justification.
"""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import groupby
from xml.etree import ElementTree as ET

from astra_guard.findings import Finding, ScanResult
from astra_guard.rules.catalog import RuleCatalog
from astra_guard.rules.meta import RuleMeta

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    """Text XML 1.0 can carry: characters it forbids (control bytes from a hostile file) become U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _subject(finding: Finding) -> str:
    if finding.resource_kind and finding.resource_name:
        where = "/".join(p for p in (finding.resource_namespace, finding.resource_name) if p)
        return f"{finding.resource_kind} {where} ({finding.file})"
    return finding.file


def _case(suite: ET.Element, meta: RuleMeta, name: str, findings: list[Finding]) -> str:
    case = ET.SubElement(suite, "testcase", {"classname": meta.id, "name": _xml(name)})
    if findings:
        case.set("file", _xml(findings[0].file))
    active = [f for f in findings if not f.suppressed]
    if active:
        worst = max(active, key=lambda f: f.severity.rank)
        body = [f"{f.file}:{f.line} [{f.severity.value}] {f.message}" for f in active]
        failure = ET.SubElement(case, "failure", {"message": _xml(worst.message), "type": worst.severity.value})
        failure.text = _xml("\n".join([*body, "", f"Remediation: {meta.remediation}"]))
        return "failure"
    if findings:
        reasons = sorted({f.justification or "suppressed" for f in findings})
        ET.SubElement(case, "skipped", {"message": _xml("suppressed: " + "; ".join(reasons))})
        return "skipped"
    return "passed"


def _suite_name(item: int | None) -> str:
    return f"release checklist item {item}" if item is not None else "outside the release checklist"


def render(result: ScanResult, catalog: RuleCatalog) -> str:
    """The JUnit XML document, UTF-8, with an XML declaration."""
    disabled = set((result.config.get("rules") or {}).get("disabled") or ())
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_rule[finding.rule_id].append(finding)
    metas = [m for m in catalog if m.id not in disabled]
    root = ET.Element("testsuites", {"name": "astra-guard"})
    totals: dict[str, int] = defaultdict(int)
    for item, group in groupby(metas, key=lambda m: m.checklist_item):
        suite = ET.SubElement(root, "testsuite", {"name": _suite_name(item)})
        counts: dict[str, int] = defaultdict(int)
        for meta in group:
            findings = sorted(by_rule.get(meta.id, []), key=lambda f: f.sort_key)
            if not findings:
                counts[_case(suite, meta, "no findings", [])] += 1
                continue
            for name, cases in groupby(sorted(findings, key=_subject), key=_subject):
                counts[_case(suite, meta, name, list(cases))] += 1
        _count(suite, counts)
        for key, value in counts.items():
            totals[key] += value
    _count(root, totals)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _count(element: ET.Element, counts: dict[str, int]) -> None:
    element.set("tests", str(sum(counts.values())))
    element.set("failures", str(counts.get("failure", 0)))
    element.set("errors", "0")
    element.set("skipped", str(counts.get("skipped", 0)))
