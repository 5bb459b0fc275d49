"""SARIF 2.1.0 for GitHub code scanning: one run, the whole rule catalogue, root-relative URIs.

What GitHub reads and requires is summarised in shared/research/sarif.md; the output also
validates against the official OASIS schema (draft-04). The document is deterministic: no
timestamps, no durations, no absolute paths except `originalUriBaseIds`.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from astra_guard import __version__
from astra_guard.findings import Finding, ScanResult, Severity
from astra_guard.model import InputError
from astra_guard.report import json_text
from astra_guard.rules.catalog import RuleCatalog
from astra_guard.rules.meta import RuleMeta

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/astradesk/astra-guard"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "astraGuardFingerprint/v1"
INPUT_ERROR = "input-error"
MAX_TEXT = 1024  # GitHub's limit for shortDescription.text and fullDescription.text

LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
PROBLEM_SEVERITY = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "recommendation",
    Severity.INFO: "recommendation",
}
# RFC 3986 path characters (pchar minus ":", so a first segment is never read as a scheme).
_URI_SAFE = "/-._~!$&'()*+,;=@"


def render(result: ScanResult, catalog: RuleCatalog, *, include_suppressed: bool = False) -> str:
    """The SARIF log for one scan, as indented JSON ending with a newline."""
    rules, index = _rules(catalog, result.findings)
    results = [
        _result(f, index[f.rule_id])
        for f in result.findings
        if include_suppressed or not f.suppressed
    ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "astra-guard",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
                "notifications": [_input_error_notification_descriptor()],
            }
        },
        "automationDetails": {"id": "astra-guard/"},
        "originalUriBaseIds": {SRCROOT: {"uri": _root_uri(result.root)}},
        "columnKind": "unicodeCodePoints",
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [_notification(e) for e in result.errors],
            }
        ],
        "results": results,
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json_text.dumps(log, flat_from=4, ensure_ascii=True)  # a result, a rule per line


# -- rules --------------------------------------------------------------------------------


def camel_case(rule_id: str) -> str:
    """`k8s-run-as-non-root` -> `K8sRunAsNonRoot`."""
    parts = rule_id.replace("_", "-").split("-")
    return "".join(part[:1].upper() + part[1:] for part in parts if part)


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    text = text.strip() or "-"
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _help(meta: RuleMeta) -> dict[str, str]:
    item = (f"Release checklist item {meta.checklist_item}." if meta.checklist_item
            else "Not a release checklist item.")
    text = [meta.title, "", meta.rationale, "", f"Remediation: {meta.remediation}", "", item]
    markdown = [f"**{meta.title}**", "", meta.rationale, "",
                f"**Remediation:** {meta.remediation}", "", f"_{item}_"]
    if meta.references:
        text += ["", "References:", *(f"- {ref}" for ref in meta.references)]
        markdown += ["", "**References:**", "", *(f"- <{ref}>" for ref in meta.references)]
    return {"text": "\n".join(text), "markdown": "\n".join(markdown)}


def _rule(meta: RuleMeta) -> dict[str, Any]:
    tags = ["security", "astra-guard"]
    if meta.checklist_item is not None:
        tags.append(f"checklist-item-{meta.checklist_item}")
    if meta.family and meta.family != "*":
        tags.append(meta.family)
    return {
        "id": meta.id,
        "name": camel_case(meta.id)[:255],
        "shortDescription": {"text": _clip(meta.title)},
        "fullDescription": {"text": _clip(meta.rationale)},
        "help": _help(meta),
        "helpUri": meta.help_uri,
        "defaultConfiguration": {"level": LEVEL[meta.severity]},
        "properties": {
            "tags": tags,
            "security-severity": SECURITY_SEVERITY[meta.severity],
            "precision": "very-high",
            "problem.severity": PROBLEM_SEVERITY[meta.severity],
        },
    }


def _unknown_rule(finding: Finding) -> RuleMeta:
    """Metadata for a finding whose rule is not in the catalogue, so its ruleId still resolves."""
    return RuleMeta(
        id=finding.rule_id, title=finding.title or finding.rule_id, severity=finding.severity,
        checklist_item=finding.checklist_item, rationale=finding.title or finding.rule_id,
        remediation="See the finding message.", family="*", engine="builtin", source="",
    )


def _rules(
    catalog: RuleCatalog, findings: list[Finding]
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    metas = list(catalog)
    known = {m.id for m in metas}
    for finding in findings:
        if finding.rule_id not in known:
            known.add(finding.rule_id)
            metas.append(_unknown_rule(finding))
    return [_rule(m) for m in metas], {m.id: i for i, m in enumerate(metas)}


# -- locations ----------------------------------------------------------------------------


def artifact_location(file: str) -> dict[str, str]:
    """A root-relative, percent-encoded POSIX `uri` with `%SRCROOT%`; a file URI if absolute."""
    if PurePosixPath(file).is_absolute():
        return {"uri": Path(file).as_uri()}
    while file.startswith("./"):
        file = file[2:]
    return {"uri": quote(file, safe=_URI_SAFE) or ".", "uriBaseId": SRCROOT}


def _root_uri(root: str) -> str:
    uri = Path(root).resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _region(line: int, column: int, end_line: int) -> dict[str, int]:
    start = max(1, line)
    return {"startLine": start, "startColumn": max(1, column), "endLine": max(start, end_line)}


def _logical(finding: Finding) -> list[dict[str, str]]:
    if not finding.resource_kind or not finding.resource_name:
        return []
    parts = [finding.resource_kind, finding.resource_namespace, finding.resource_name]
    return [{
        "name": finding.resource_name,
        "fullyQualifiedName": "/".join(p for p in parts if p),
        "kind": "resource",
    }]


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": artifact_location(finding.file),
            "region": _region(finding.line, finding.column, finding.end_line),
        }
    }
    logical = _logical(finding)
    if logical:
        location["logicalLocations"] = logical
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVEL[finding.severity],
        "message": {"text": finding.message or finding.title or finding.rule_id},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {
            "checklist_item": finding.checklist_item,
            "severity": finding.severity.value,
        },
    }
    if finding.suppressed:
        result["suppressions"] = [
            {"kind": _suppression_kind(finding), "status": "accepted", "justification": _justification(finding)}
        ]
    return result


def _suppression_kind(finding: Finding) -> str:
    """In the source (a comment, an annotation) or outside it (a configuration waiver, a baseline)."""
    suppression = getattr(finding, "suppression", None)
    return "external" if suppression is not None and suppression.kind in ("waiver", "baseline") else "inSource"


def _justification(finding: Finding) -> str:
    reason = getattr(finding, "suppression_reason", None) or getattr(finding, "justification", None)
    return str(reason) if reason else "waived in the astra-guard configuration"


# -- input errors -------------------------------------------------------------------------


def _input_error_notification_descriptor() -> dict[str, Any]:
    return {
        "id": INPUT_ERROR,
        "shortDescription": {"text": "A file could not be read, so it cannot be proven compliant"},
        "defaultConfiguration": {"level": "error"},
    }


def _notification(error: InputError) -> dict[str, Any]:
    return {
        "level": "error",
        "message": {"text": error.message or "input error"},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": artifact_location(error.file),
                "region": _region(error.line, error.column, error.line),
            }
        }],
        "descriptor": {"id": INPUT_ERROR, "index": 0},
    }
