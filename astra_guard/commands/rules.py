"""`astra-guard rules list|show`: the catalogue, read from the one metadata source."""

from __future__ import annotations

import json
from pathlib import Path

from astra_guard.rules.catalog import load_catalog
from astra_guard.rules.meta import RuleMeta


def meta_dict(meta: RuleMeta) -> dict[str, object]:
    return {
        "id": meta.id, "title": meta.title, "severity": meta.severity.value,
        "checklist_item": meta.checklist_item, "family": meta.family, "engine": meta.engine,
        "source": meta.source, "rationale": meta.rationale, "remediation": meta.remediation,
        "references": list(meta.references), "kinds": list(meta.kinds), "admission": meta.admission,
        "parameters": {p.name: {"type": p.type, "default": p.default, "description": p.description} for p in meta.params},
        "help_uri": meta.help_uri,
    }


def run_list(checklist: int | None, fmt: str, policy_dirs: tuple[Path, ...] = ()) -> int:
    rules = [m for m in load_catalog(policy_dirs) if checklist is None or m.checklist_item == checklist]
    if fmt == "json":
        print(json.dumps([meta_dict(m) for m in rules], indent=2))
        return 0
    if fmt == "markdown":
        from astra_guard.docs import rules_markdown

        print(rules_markdown(load_catalog(policy_dirs), checklist), end="")
        return 0
    for m in rules:
        item = f"item {m.checklist_item}" if m.checklist_item else "-"
        print(f"{m.id:<34} {m.severity.value:<8} {item:<7} {m.title}")
    return 0


def run_show(rule_id: str, policy_dirs: tuple[Path, ...] = ()) -> int:
    m = load_catalog(policy_dirs).get(rule_id)
    print(f"{m.id}: {m.title}")
    print(f"  severity        {m.severity.value}")
    print(f"  checklist item  {m.checklist_item or '-'}")
    print(f"  applies to      {m.family}{' (' + ', '.join(m.kinds) + ')' if m.kinds else ''}")
    print(f"  engine          {m.engine} ({m.source})")
    print(f"  admission       {'yes: exportable to Gatekeeper' if m.admission else 'no: CI only'}")
    print(f"\nWhy: {m.rationale}\n\nFix: {m.remediation}")
    for p in m.params:
        print(f"\nParameter {p.name} ({p.type}, default {json.dumps(p.default)}): {p.description}")
    if m.references:
        print("\nReferences:\n" + "\n".join(f"  {r}" for r in m.references))
    print(f"\nDocs: {m.help_uri}")
    return 0
