"""The seven checklist items and their evidence requirements (data in items.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class EvidenceRequirement:
    id: str
    requirement: str


@dataclass(frozen=True)
class Item:
    id: int
    title: str
    evidence: tuple[EvidenceRequirement, ...]


@cache
def load_items() -> tuple[Item, ...]:
    raw = yaml.safe_load(resources.files("astra_guard.checklist").joinpath("items.yaml").read_text(encoding="utf-8"))
    return tuple(
        Item(entry["id"], entry["title"], tuple(EvidenceRequirement(e["id"], e["requirement"]) for e in entry["evidence"]))
        for entry in raw
    )
