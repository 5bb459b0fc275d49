"""Rule metadata: the one place the CLI, SARIF, docs, checklist and Gatekeeper export read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from astra_guard.findings import Severity

DOCS_URL = "https://github.com/astradesk/astra-guard/blob/main/docs/rules.md"


@dataclass(frozen=True)
class Param:
    """A rule parameter: its JSON type, default and meaning (becomes the Gatekeeper schema)."""

    name: str
    type: str  # JSON Schema type: "string" | "array" | "boolean" | "integer" | "object"
    default: Any
    description: str
    items: str | None = None  # item type for arrays

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": self.type, "description": self.description}
        if self.items:
            schema["items"] = {"type": self.items}
        return schema


@dataclass(frozen=True)
class RuleMeta:
    """Everything known about a rule except its logic."""

    id: str
    title: str
    severity: Severity
    checklist_item: int | None
    rationale: str
    remediation: str
    family: str  # the loader family the rule judges: "kubernetes", "dockerfile", ... or "*"
    engine: str  # "rego" | "python" | "builtin"
    source: str  # the .rego file or the Python module that holds the logic
    references: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()  # Kubernetes kinds in scope (for admission match), empty = any
    groups: tuple[str, ...] = ()  # Kubernetes API groups in scope ("" = core; the scan only), empty = any
    params: tuple[Param, ...] = field(default_factory=tuple)
    package: str | None = None  # Rego package, e.g. "astra.rules.kubernetes.run_as_non_root"
    admission: bool = False  # decides from one object: can be exported to Gatekeeper
    sync: tuple[dict[str, str], ...] = ()  # kinds a referential rule reads from data.inventory ({group, version, kind})

    @property
    def referential(self) -> bool:
        return bool(self.sync)

    @property
    def help_uri(self) -> str:
        return f"{DOCS_URL}#{self.id}"

    def default_params(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}
