"""The resource model every loader produces and every rule reads.

A loaded document is plain JSON-like data (what Rego sees as `input.review.object`) plus a
`SpanIndex`: for every key and list item, where it sits in the source. Rules report a *path*
into the data; `Resource.locate` turns it into a line, falling back to the nearest ancestor
that exists when the offending field is absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

PathPart = str | int
Path = tuple[PathPart, ...]


class Span(NamedTuple):
    """Where a key or list item sits: 1-based lines and columns, in `file`."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int


SpanIndex = Mapping[Path, Span]  # a dict from the loaders; decoded lazily from the parse cache


@dataclass(slots=True)
class Resource:
    """One object a rule judges: a Kubernetes object, a Dockerfile, a Terraform block, a pipeline."""

    family: str  # "kubernetes" | "dockerfile" | "terraform" | "github-actions" | "jenkinsfile"
    kind: str
    name: str
    file: str  # relative to the scan root, "/" separators
    data: dict[str, Any]
    spans: SpanIndex
    namespace: str | None = None
    api_version: str | None = None
    origin: Path = ()  # where `data` sits in its source document (e.g. ("items", 3) in a List)
    document: int = 0  # index of the YAML document in its file
    merged_from: tuple[str, ...] = ()  # files of patches merged into this object

    @property
    def identity(self) -> str:
        """Stable identity, independent of lines: family/kind/namespace/name."""
        return "/".join((self.family, self.kind, self.namespace or "", self.name))

    def locate(self, path: Path) -> tuple[Span, Path]:
        """The span of `path`, or of its nearest existing ancestor, and the path actually found."""
        probe = tuple(path)
        while True:
            span = self.spans.get(self.origin + probe)
            if span is not None:
                return span, probe
            if not probe:
                return Span(self.file, 1, 1, 1, 1), ()
            probe = probe[:-1]


@dataclass(frozen=True, slots=True)
class InputError:
    """A file (or part of one) that could not be read: it cannot be proven compliant."""

    file: str
    line: int
    message: str
    column: int = 1


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file or document that was read and deliberately not judged, with the reason."""

    file: str
    line: int
    reason: str


@dataclass(slots=True)
class LoadResult:
    """What a loader made of one file."""

    file: str
    family: str
    resources: list[Resource] = field(default_factory=list)
    sha256: str = ""
    errors: list[InputError] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    secrets: tuple[str, ...] | None = field(default=None, compare=False)  # literals under secret-looking names, once known (masking)
