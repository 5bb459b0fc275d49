"""The resource model every loader produces and every rule reads.

A loaded document is plain JSON-like data (what Rego sees as `input.review.object`) plus a
`SpanIndex`: for every key and list item, where it sits in the source. Rules report a *path*
into the data; `Resource.locate` turns it into a line, falling back to the nearest ancestor
that exists when the offending field is absent.
"""

from __future__ import annotations

import marshal
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
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


SpanIndex = Mapping[Path, Span]  # a dict from the loaders, or `PackedSpans`
_span = partial(tuple.__new__, Span)  # Span._make without its Python-level call: spans are many


class PackedSpans(Mapping[Path, Span]):
    """A span index kept as bytes, decoded the first time it is read.

    Spans are most of a parse (one per key and list item) and a scan reads few of them: only
    the resources with a finding are located. Packed, an index costs a third of the memory, and
    a forked loader sends it back (or the parse cache reads it) as one bytes object instead of
    a dict of a thousand tuples.
    """

    __slots__ = ("_index", "_packed")

    def __init__(self, packed: bytes) -> None:
        self._packed = packed
        self._index: dict[Path, Span] | None = None

    @property
    def index(self) -> dict[Path, Span]:
        if self._index is None:
            paths, spans = marshal.loads(self._packed)
            self._index = dict(zip(paths, map(_span, spans), strict=True))
        return self._index

    def __getitem__(self, path: Path) -> Span:
        return self.index[path]

    def get(self, path: Path, default: Any = None) -> Any:
        return self.index.get(path, default)

    def __contains__(self, path: object) -> bool:
        return path in self.index

    def __iter__(self) -> Iterator[Path]:
        return iter(self.index)

    def __len__(self) -> int:
        return len(self.index)

    def __reduce__(self) -> tuple[type[PackedSpans], tuple[bytes]]:  # pickled by a forked worker
        return PackedSpans, (self._packed,)


def pack_spans(spans: SpanIndex) -> bytes:
    """An index as `PackedSpans` stores it (plain data: `marshal`, never code)."""
    return spans._packed if isinstance(spans, PackedSpans) else marshal.dumps((tuple(spans), tuple(map(tuple, spans.values()))))


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
    may_hold_inline_suppression: bool = field(default=True, compare=False)  # False: its bytes hold no marker


def pack_spans_of(result: LoadResult) -> LoadResult:
    """`result` with every resource's span index packed; an index its resources share stays shared."""
    packed: dict[int, PackedSpans] = {}
    for resource in result.resources:
        spans = resource.spans
        if not isinstance(spans, PackedSpans):
            if id(spans) not in packed:
                packed[id(spans)] = PackedSpans(pack_spans(spans))
            resource.spans = packed[id(spans)]
    return result
