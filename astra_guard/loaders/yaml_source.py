"""YAML (and JSON, a subset of it) into plain data plus a span for every key and list item.

Parsing is PyYAML's C composer (LibYAML); the node graph it builds keeps marks, and one walk
turns it into data while recording spans. Choices that matter for a checker:

- A duplicate key is an input error on its line; the value kept is the last one, as the
  Kubernetes API server keeps it (a checker that kept the first could be bypassed).
- Keys stay the text they were written as: YAML 1.1 would read the GitHub Actions key `on`
  as the boolean true. Values follow YAML 1.1 typing, as the API server's go-yaml does, except
  timestamps, which stay strings.
- Merge keys (`<<`) and anchors are resolved; every alias expansion counts against a node
  budget, so an alias bomb is an input error instead of an exhausted runner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from astra_guard.model import InputError, Path, Span, SpanIndex

try:  # LibYAML is what makes this fast; the pure-Python loader gives the same marks.
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without LibYAML
    _Loader = yaml.SafeLoader

_MERGE_TAG = "tag:yaml.org,2002:merge"
_STRING_TAGS = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"}


@dataclass(frozen=True)
class YamlLimits:
    """Bounds on what one file may make us build."""

    max_depth: int = 200
    max_nodes: int = 1_000_000
    max_documents: int = 10_000


@dataclass
class YamlDocument:
    """One document of a YAML stream: its data, spans and where it starts."""

    index: int
    line: int
    data: Any
    spans: SpanIndex


@dataclass
class YamlStream:
    """All documents of a file, and the input errors found while reading them."""

    documents: list[YamlDocument] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)


class _LimitExceeded(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


class _Converter:
    """Turns one composed node graph into data and spans."""

    _scalars = yaml.constructor.SafeConstructor()

    def __init__(self, file: str, limits: YamlLimits, errors: list[InputError]) -> None:
        self.file = file
        self.limits = limits
        self.errors = errors
        self.spans: SpanIndex = {}
        self.nodes_built = 0

    def span(self, start: Node, end: Node) -> Span:
        sm, em = start.start_mark, end.end_mark
        if em.column == 0 and em.line > sm.line:  # a block ends where the next token starts
            return Span(self.file, sm.line + 1, sm.column + 1, em.line, 1)
        return Span(self.file, sm.line + 1, sm.column + 1, em.line + 1, em.column + 1)

    def convert(self, node: Node, path: Path, depth: int) -> Any:
        self.nodes_built += 1
        if self.nodes_built > self.limits.max_nodes:
            raise _LimitExceeded(
                f"more than {self.limits.max_nodes} YAML nodes built (alias expansion or a very "
                "large document); the file is not evaluated",
                node.start_mark.line + 1,
            )
        if depth > self.limits.max_depth:
            raise _LimitExceeded(
                f"YAML nesting deeper than {self.limits.max_depth} levels; the file is not evaluated",
                node.start_mark.line + 1,
            )
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if isinstance(node, SequenceNode):
            items = []
            for i, child in enumerate(node.value):
                self.spans[path + (i,)] = self.span(child, child)
                items.append(self.convert(child, path + (i,), depth + 1))
            return items
        if isinstance(node, MappingNode):
            return self.mapping(node, path, depth)
        raise _LimitExceeded(f"unsupported YAML node {type(node).__name__}", node.start_mark.line + 1)

    def scalar(self, node: ScalarNode) -> Any:
        if node.tag in _STRING_TAGS or node.tag.startswith("!"):
            return node.value
        value = self._scalars.construct_object(node, deep=True)
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            return node.value  # JSON (and Rego) has no NaN or infinity
        return value

    def mapping(self, node: MappingNode, path: Path, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                for source in reversed(sources):  # earlier sources win, as YAML says
                    if not isinstance(source, MappingNode):
                        raise _LimitExceeded("merge key '<<' needs a mapping", source.start_mark.line + 1)
                    merged.update(self.mapping(source, path, depth + 1))
                continue
            if not isinstance(key_node, ScalarNode):
                raise _LimitExceeded("a mapping key must be a scalar", key_node.start_mark.line + 1)
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                self.errors.append(
                    InputError(
                        self.file,
                        line,
                        f"duplicate key '{key}' (first on line {seen[key]}): the Kubernetes API "
                        "server keeps the last value, so the file says two things; remove one",
                        key_node.start_mark.column + 1,
                    )
                )
            seen[key] = line
            self.spans[path + (key,)] = self.span(key_node, value_node)
            result[key] = self.convert(value_node, path + (key,), depth + 1)
        if merged:
            return {**merged, **result}
        return result


def _marked_error(file: str, exc: yaml.YAMLError, text: str) -> InputError:
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    if context and context_mark is not None:
        context = f"{context} (started on line {context_mark.line + 1})"
    message = f"invalid YAML: {context}: {problem}" if context else f"invalid YAML: {problem}"
    mark = problem_mark or context_mark
    at_end = mark is not None and mark.line >= text.count("\n") and context_mark is not None
    if at_end:  # the parser only noticed at the end of the file: point at what was left open
        mark = context_mark
    if mark is None:
        return InputError(file, 1, message)
    return InputError(file, mark.line + 1, message, mark.column + 1)


def _is_empty(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null" and node.value == ""


def load_yaml_stream(text: str, file: str, limits: YamlLimits | None = None) -> YamlStream:
    """Parse every document of `text`; a syntax error stops the stream, documents before it stay."""
    limits = limits or YamlLimits()
    stream = YamlStream()
    try:
        for index, root in enumerate(yaml.compose_all(text, Loader=_Loader)):
            if index >= limits.max_documents:
                stream.errors.append(
                    InputError(file, root.start_mark.line + 1, f"more than {limits.max_documents} "
                               "YAML documents in one file; the rest is not evaluated")
                )
                break
            if root is None or _is_empty(root):
                continue
            converter = _Converter(file, limits, stream.errors)
            converter.spans[()] = converter.span(root, root)  # the document itself
            try:
                data = converter.convert(root, (), 0)
            except _LimitExceeded as exc:
                stream.errors.append(InputError(file, exc.line, str(exc)))
                continue
            except (yaml.YAMLError, ValueError, TypeError) as exc:
                stream.errors.append(InputError(file, root.start_mark.line + 1, f"invalid YAML value: {exc}"))
                continue
            stream.documents.append(YamlDocument(index, root.start_mark.line + 1, data, converter.spans))
    except yaml.YAMLError as exc:
        stream.errors.append(_marked_error(file, exc, text))
    except RecursionError:
        stream.errors.append(InputError(file, 1, "YAML nested too deeply to parse; the file is not evaluated"))
    return stream
