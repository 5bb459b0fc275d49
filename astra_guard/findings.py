"""Severities, findings and the result of a scan: what every reporter renders."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from astra_guard.model import InputError, LoadResult, Path, Resource, Skipped


class Severity(str, Enum):
    """Ordered severities; `rank` grows with gravity."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.INFO: 0, Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}


@dataclass(frozen=True, slots=True)
class Violation:
    """What a rule says: which resource, where in it (a path, never a line), and what to change."""

    resource: Resource
    path: Path
    message: str
    severity: Severity | None = None  # only when the rule's metadata says severity depends on the case


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a finding does not count: an inline comment, an annotation, a waiver or a baseline."""

    kind: str  # "inline" | "annotation" | "waiver" | "baseline"
    justification: str
    where: str  # where it is declared: "k8s/app.yaml:12", ".astra-guard.yaml:30", "baseline.json"
    expires: str | None = None  # YYYY-MM-DD, the last day it applies
    owner: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """A violation located in the source and stamped with its rule's metadata."""

    rule_id: str
    title: str
    severity: Severity
    checklist_item: int | None
    message: str
    file: str
    line: int
    end_line: int
    column: int
    resource_kind: str | None
    resource_name: str | None
    resource_namespace: str | None
    path: Path
    fingerprint: str
    suppressed: bool = False
    suppression: Suppression | None = None  # set with `suppressed`: what suppresses it, and why

    @property
    def justification(self) -> str | None:
        """The reason a suppressed finding is accepted (what SARIF and JSON reports show)."""
        return self.suppression.justification if self.suppression else None

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.rule_id, self.message)


def fingerprint(rule_id: str, file: str, identity: str, path: Path) -> str:
    """Stable across edits that only move lines: rule, file, resource identity and path."""
    material = json.dumps([rule_id, file, identity, list(path)], separators=(",", ":"))
    return hashlib.sha256(material.encode()).hexdigest()[:32]


@dataclass
class ScanResult:
    """Everything one scan produced, in a stable order."""

    root: str
    files: list[LoadResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    resources: int = 0
    duration_seconds: float = 0.0
    config_source: str | None = None
    config: dict[str, Any] = field(default_factory=dict)  # the configuration as read (for reproduction)
    target_version: str = ""
    target_version_source: str = "unknown"
    unrecognised_files: int = 0
    policy_dirs: tuple[Any, ...] = ()  # directories of the user's own rules this scan loaded

    def at_or_above(self, threshold: Severity) -> list[Finding]:
        return [
            f for f in self.findings if not f.suppressed and f.severity.rank >= threshold.rank
        ]
