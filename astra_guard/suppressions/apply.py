"""Match suppressions to findings, and report those that cannot be honoured.

A finding is suppressed by the first valid, unexpired directive (inline, then annotation, then
waiver) that names its rule and covers where it lies. A directive that is malformed or names an
unknown rule is a `suppression-invalid` finding; one past its last day a `suppression-expired`
finding; with `strict`, one that covered nothing a `suppression-unused` finding. None of those,
nor input errors, can themselves be suppressed.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Container
from dataclasses import replace
from datetime import date
from pathlib import Path

from astra_guard.config import Config
from astra_guard.findings import Finding, Suppression, fingerprint
from astra_guard.loaders.text import decode
from astra_guard.model import LoadResult, Resource
from astra_guard.rules.catalog import RuleCatalog
from astra_guard.suppressions.annotations import annotation_directives
from astra_guard.suppressions.comments import MARKER, inline_directives
from astra_guard.suppressions.model import Directive
from astra_guard.suppressions.waivers import waiver_directives

INVALID, EXPIRED, UNUSED = "suppression-invalid", "suppression-expired", "suppression-unused"
UNSUPPRESSIBLE = frozenset({"input-error", INVALID, EXPIRED, UNUSED})


def read_inline(root: Path, files: list[LoadResult], only: Container[str] | None = None) -> list[Directive]:
    """The inline directives of the loaded files (of `only` those, when given)."""
    directives: list[Directive] = []
    for loaded in files:
        if only is not None and loaded.file not in only:
            continue
        if not loaded.sha256:
            continue  # never read: over the size limit, or unreadable (the loader reported why)
        if not loaded.may_hold_inline_suppression:
            continue  # the bytes the loader read hold no marker: nothing to read again
        try:
            raw = (root / loaded.file).read_bytes()
        except OSError:
            continue  # the loader already reported the file as unreadable
        if hashlib.sha256(raw).hexdigest() != loaded.sha256:
            continue  # changed since it was loaded: its comments may not describe what was judged
        decoded = decode(raw)
        if decoded.text and MARKER in decoded.text:
            directives += inline_directives(decoded.text, loaded.file, loaded.family)
    return directives


def collect(root: Path, files: list[LoadResult], resources: list[Resource], config: Config,
            only: Container[str] | None = None) -> list[Directive]:
    """Every suppression of the scan, in precedence order: inline, annotation, waiver."""
    return [*read_inline(root, files, only), *annotation_directives(resources), *waiver_directives(config, root)]


def _rule_problem(directive: Directive, known: set[str]) -> str | None:
    unknown = [r for r in directive.rules if r not in known]
    if unknown:
        return f"unknown rule id '{unknown[0]}' (see astra-guard rules list)"
    locked = [r for r in directive.rules if r in UNSUPPRESSIBLE]
    if locked:
        return f"'{locked[0]}' cannot be suppressed: fix the input or the suppression instead"
    return None


def _suppression(directive: Directive) -> Suppression:
    return Suppression(
        kind=directive.kind, justification=directive.reason, where=directive.where,
        expires=directive.expires.isoformat() if directive.expires else None, owner=directive.owner,
    )


def _report(catalog: RuleCatalog, rule_id: str, directive: Directive, message: str) -> Finding:
    meta = catalog.get(rule_id)
    return Finding(
        rule_id=meta.id, title=meta.title, severity=meta.severity, checklist_item=meta.checklist_item,
        message=message, file=directive.file, line=directive.line, end_line=directive.line,
        column=directive.column, resource_kind=None, resource_name=None, resource_namespace=None, path=(),
        fingerprint=fingerprint(meta.id, directive.file, directive.kind, (",".join(directive.rules), directive.reason)),
    )


def _names(directive: Directive) -> str:
    return ", ".join(directive.rules) or "no rule"


def _label(directive: Directive) -> str:
    return {"inline": "the inline suppression", "annotation": "the annotation", "waiver": "the waiver"}[directive.kind]


def apply_suppressions(findings: list[Finding], directives: list[Directive], catalog: RuleCatalog,
                       today: date, strict: bool = False) -> list[Finding]:
    """The findings with suppressed ones marked, plus findings about the suppressions themselves."""
    known = set(catalog.rules)
    reports: list[Finding] = []
    usable: list[Directive] = []
    for directive in directives:
        problem = directive.problem or _rule_problem(directive, known)
        if problem is not None:
            reports.append(_report(catalog, INVALID, directive, f"{_label(directive)} of {_names(directive)} is ignored: {problem}"))
        elif directive.expired(today):
            reports.append(_report(catalog, EXPIRED, directive, (
                f"{_label(directive)} of {_names(directive)} expired after {directive.expires} "
                f"(reason: {directive.reason}); its findings count again: fix them, or renew it with a new reason and date"
            )))
        else:
            usable.append(directive)
    by_rule: dict[str, list[int]] = defaultdict(list)
    for index, directive in enumerate(usable):
        for rule_id in dict.fromkeys(directive.rules):
            by_rule[rule_id].append(index)
    used: set[int] = set()
    marked = []
    for finding in findings:
        covering = [i for i in by_rule.get(finding.rule_id, ()) if usable[i].covers(finding)]
        used.update(covering)
        if covering:
            finding = replace(finding, suppressed=True, suppression=_suppression(usable[covering[0]]))
        marked.append(finding)
    if strict:
        reports += [
            _report(catalog, UNUSED, d, f"{_label(d)} of {_names(d)} matches no finding{_scope_hint(d)}: delete it")
            for i, d in enumerate(usable) if i not in used
        ]
    return marked + reports


def _scope_hint(directive: Directive) -> str:
    lines = getattr(directive, "lines", None)
    return f" on line {max(lines)}" if lines else ""
