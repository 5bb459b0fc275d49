"""Per control: does Checkov agree with us, disagree, or have no opinion?

A Checkov result judges one resource, a line range in one file. Our control fails on that
resource when one of its unsuppressed findings lies in the range. Per resource:

- both fail, or both pass: an agreement;
- Checkov fails where we pass: a disagreement, unless the check is `broader` than the control;
- we fail where Checkov passes: a disagreement, unless the check is `narrower` than the control;
- a difference the mapping's scope explains is counted as consistent, not as a disagreement.

A control is `disagrees` with one disagreement, `agrees` when Checkov judged at least one
resource for it and never disagreed, and `no-opinion` when no Checkov check maps to it or none
ran on the inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from astra_guard.corroborate.checkov import CheckovResult
from astra_guard.corroborate.checkov_map import BY_RULE, CheckovMapping
from astra_guard.findings import Finding, ScanResult
from astra_guard.rules.catalog import RuleCatalog


@dataclass(frozen=True)
class Disagreement:
    rule_id: str
    file: str
    line: int
    end_line: int
    resource: str
    ours: str  # "fail" | "pass"
    checkov: str  # "fail" | "pass"
    checks: tuple[str, ...]  # "CKV_K8S_23 Minimize the admission of root containers"


@dataclass
class ControlCorroboration:
    rule_id: str
    title: str
    checklist_item: int | None
    verdict: str  # agrees | disagrees | no-opinion
    check_ids: tuple[str, ...]
    scope: str | None
    agreements: int = 0
    consistent: int = 0
    reason: str = ""
    disagreements: list[Disagreement] = field(default_factory=list)


@dataclass
class Corroboration:
    tool: str
    version: str
    controls: list[ControlCorroboration]

    @property
    def disagreements(self) -> list[Disagreement]:
        return [d for c in self.controls for d in c.disagreements]

    def count(self, verdict: str) -> int:
        return sum(1 for c in self.controls if c.verdict == verdict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "version": self.version,
            "summary": {v: self.count(v) for v in ("agrees", "disagrees", "no-opinion")},
            "controls": [
                {"rule_id": c.rule_id, "checklist_item": c.checklist_item, "verdict": c.verdict,
                 "checks": list(c.check_ids), "scope": c.scope, "agreements": c.agreements,
                 "consistent": c.consistent, "reason": c.reason,
                 "disagreements": [
                     {"file": d.file, "line": d.line, "end_line": d.end_line, "resource": d.resource,
                      "astra_guard": d.ours, "checkov": d.checkov, "checks": list(d.checks)}
                     for d in c.disagreements
                 ]}
                for c in self.controls
            ],
        }


def _judge(mapping: CheckovMapping, results: list[CheckovResult], findings: list[Finding],
           control: ControlCorroboration) -> None:
    units: dict[tuple[str, int, int], list[CheckovResult]] = {}
    for r in results:
        if r.check_id in mapping.check_ids:
            units.setdefault((r.file, r.start_line, r.end_line), []).append(r)
    if not units:
        control.verdict, control.reason = "no-opinion", "Checkov ran none of its mapped checks on these inputs"
        return
    for (file, start, end), verdicts in sorted(units.items()):
        checkov_fails = any(not r.passed for r in verdicts)
        ours_fails = any(f.file == file and start <= f.line <= end for f in findings)
        if checkov_fails == ours_fails:
            control.agreements += 1
        elif (checkov_fails and mapping.scope == "broader") or (ours_fails and mapping.scope == "narrower"):
            control.consistent += 1
        else:
            shown = tuple(sorted({f"{r.check_id} {r.check_name}" for r in verdicts if r.passed != checkov_fails}))
            control.disagreements.append(Disagreement(
                mapping.rule_id, file, start, end, verdicts[0].resource,
                "fail" if ours_fails else "pass", "fail" if checkov_fails else "pass", shown))
    control.verdict = "disagrees" if control.disagreements else "agrees"


def corroborate(result: ScanResult, catalog: RuleCatalog, version: str, results: list[CheckovResult]) -> Corroboration:
    """Checkov's verdicts set beside every control of the checklist (and every mapped rule)."""
    controls = []
    for meta in catalog:
        mapping = BY_RULE.get(meta.id)
        if meta.checklist_item is None and mapping is None:
            continue
        control = ControlCorroboration(meta.id, meta.title, meta.checklist_item, "no-opinion",
                                       mapping.check_ids if mapping else (), mapping.scope if mapping else None)
        if mapping is None:
            control.reason = "no Checkov check covers this control"
        else:
            findings = [f for f in result.findings if f.rule_id == meta.id and not f.suppressed]
            _judge(mapping, results, findings, control)
        controls.append(control)
    return Corroboration("checkov", version, controls)
