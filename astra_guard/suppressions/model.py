"""What every suppression form becomes: a `Directive` that covers some findings of some rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase

from astra_guard.findings import Finding
from astra_guard.model import Path


@dataclass(frozen=True)
class Directive:
    """One suppression as written: which rules, why, until when, and where it is declared."""

    kind: str  # "inline" | "annotation" | "waiver"
    rules: tuple[str, ...]
    reason: str
    file: str  # where it is declared, relative to the scan root
    line: int
    column: int = 1
    expires: date | None = None  # the last day it applies
    owner: str | None = None
    problem: str | None = None  # why it cannot be honoured (then it suppresses nothing)

    def covers(self, finding: Finding) -> bool:
        """True when the finding lies where this suppression applies (rule ids aside)."""
        raise NotImplementedError

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def expired(self, today: date) -> bool:
        return self.expires is not None and today > self.expires


@dataclass(frozen=True)
class LineDirective(Directive):
    """An inline comment: covers the lines in `lines` of its own file."""

    lines: frozenset[int] = frozenset()

    def covers(self, finding: Finding) -> bool:
        return finding.file == self.file and finding.line in self.lines


@dataclass(frozen=True)
class ResourceDirective(Directive):
    """A Kubernetes annotation: covers its object's findings under `prefix` (the pod template)."""

    kind_name_namespace: tuple[str, str, str | None] = ("", "", None)
    files: frozenset[str] = frozenset()  # the object's file and the patches merged into it
    prefix: Path = ()

    def covers(self, finding: Finding) -> bool:
        kind, name, namespace = self.kind_name_namespace
        return (
            finding.resource_kind == kind
            and finding.resource_name == name
            and finding.resource_namespace == namespace
            and finding.file in self.files
            and tuple(finding.path[: len(self.prefix)]) == self.prefix
        )


@dataclass(frozen=True)
class WaiverDirective(Directive):
    """A configuration waiver: covers findings whose file and resource match what it names."""

    path_glob: str | None = None
    resource_kind: str | None = None
    namespace: str | None = None
    name: str | None = None

    def covers(self, finding: Finding) -> bool:
        if self.path_glob is not None and not path_matches(finding.file, self.path_glob):
            return False
        wanted = ((self.resource_kind, finding.resource_kind), (self.namespace, finding.resource_namespace),
                  (self.name, finding.resource_name))
        return all(want is None or want == got for want, got in wanted)


def path_matches(path: str, pattern: str) -> bool:
    """Glob semantics of the configuration's `exclude`: `**` spans directories, `dir/` its tree."""
    pattern = pattern.rstrip("/")
    for candidate in {pattern, pattern.removeprefix("**/")}:
        if fnmatchcase(path, candidate) or fnmatchcase(path, candidate + "/**"):
            return True
        if candidate.endswith("/**") and path == candidate[:-3]:
            return True
    return False


def parse_day(text: str) -> date | None:
    """A YYYY-MM-DD day, or None when the text is not one."""
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None
