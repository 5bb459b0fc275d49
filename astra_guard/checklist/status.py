"""Each checklist item's status from the scan's findings and the attestations.

| status | when |
|---|---|
| fail | an unsuppressed finding at or above the gate maps to the item, or an input its controls read could not be parsed |
| needs-evidence | the automated controls pass (or none apply) and an evidence requirement has no valid attestation |
| attested | only evidence requirements apply, all attested |
| pass | every applicable control passed and every evidence requirement is attested |
| not-applicable | nothing in the inputs is in scope and the item has no evidence requirements |
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from astra_guard import __version__
from astra_guard.checklist.attestations import Attestation, AttestationFile
from astra_guard.checklist.items import EvidenceRequirement, Item, load_items
from astra_guard.findings import Finding, ScanResult, Severity
from astra_guard.rules.catalog import RuleCatalog
from astra_guard.rules.meta import RuleMeta

PIPELINE_FAMILIES = {"github-actions", "jenkinsfile"}


@dataclass(frozen=True)
class ControlStatus:
    rule: RuleMeta
    status: str  # pass | fail | not-applicable
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class EvidenceStatus:
    requirement: EvidenceRequirement
    attestation: Attestation | None  # the valid one that counts (the most recent)
    rejected: tuple[Attestation, ...]  # attestations for it that do not count


@dataclass(frozen=True)
class ItemStatus:
    item: Item
    status: str
    controls: tuple[ControlStatus, ...]
    evidence: tuple[EvidenceStatus, ...]
    input_errors: tuple[str, ...] = ()


@dataclass
class ChecklistReport:
    items: list[ItemStatus]
    scan: ScanResult
    attestations: AttestationFile
    gate: Severity
    generated_at: str
    tool_version: str = __version__
    rule_bundle: str = ""
    inputs: list[tuple[str, str]] = field(default_factory=list)  # (file, sha256)


def rule_bundle_version(catalog: RuleCatalog) -> str:
    """A digest of every rule's logic and metadata: two reports with the same value ran the same rules."""
    digest = hashlib.sha256()
    for path in sorted([*catalog.rego_files.values(), *catalog.rego_libs]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for rule_id in sorted(catalog.python_rules):
        module_file = catalog.python_rules[rule_id].module.__file__
        if module_file:
            digest.update(rule_id.encode() + b"\0" + Path(module_file).read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def _in_scope(rule: RuleMeta, families: set[str], kinds: set[str]) -> bool:
    if rule.family == "*":
        return bool(families)
    if rule.family == "pipelines":
        return bool(families & PIPELINE_FAMILIES)
    if rule.family not in families:
        return False
    return not rule.kinds or rule.family != "kubernetes" or bool(set(rule.kinds) & kinds)


def _evidence(requirement: EvidenceRequirement, item: Item, attestations: list[Attestation]) -> EvidenceStatus:
    mine = [a for a in attestations if a.item == item.id and a.requirement == requirement.id]
    valid = sorted((a for a in mine if a.valid), key=lambda a: a.date, reverse=True)
    return EvidenceStatus(requirement, valid[0] if valid else None, tuple(a for a in mine if not a.valid))


def _reads(rule: RuleMeta, family: str) -> bool:
    return rule.family in (family, "*") or (rule.family == "pipelines" and family in PIPELINE_FAMILIES)


def build_report(
    scan: ScanResult, catalog: RuleCatalog, attestations: AttestationFile, gate: Severity, now: dt.datetime
) -> ChecklistReport:
    """Judge every item of the checklist."""
    resource_families = {r.family for f in scan.files for r in f.resources}
    resource_kinds = {r.kind for f in scan.files for r in f.resources}
    items = []
    for item in load_items():
        controls = []
        for rule in (m for m in catalog if m.checklist_item == item.id):
            findings = tuple(f for f in scan.findings if f.rule_id == rule.id and not f.suppressed)
            if any(f.severity.rank >= gate.rank for f in findings):
                status = "fail"
            elif findings or _in_scope(rule, resource_families, resource_kinds):
                status = "pass"
            else:
                status = "not-applicable"
            controls.append(ControlStatus(rule, status, findings))
        errors = tuple(
            f"{e.file}:{e.line}: {e.message}"
            for loaded in scan.files for e in loaded.errors
            if any(_reads(c.rule, loaded.family) for c in controls)
        )
        evidence = tuple(_evidence(r, item, attestations.attestations) for r in item.evidence)
        attested = all(e.attestation is not None for e in evidence)
        applicable = [c for c in controls if c.status != "not-applicable"]
        if errors or any(c.status == "fail" for c in controls):
            status = "fail"
        elif not attested:
            status = "needs-evidence"
        elif evidence and not applicable:
            status = "attested"
        elif applicable:
            status = "pass"
        else:
            status = "not-applicable"
        items.append(ItemStatus(item, status, tuple(controls), evidence, errors))
    return ChecklistReport(
        items=items, scan=scan, attestations=attestations, gate=gate,
        generated_at=now.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat(),
        rule_bundle=rule_bundle_version(catalog),
        inputs=sorted((f.file, f.sha256) for f in scan.files),
    )
