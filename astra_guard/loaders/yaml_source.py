"""YAML (and JSON, a subset of it) into plain data plus a span for every key and list item.

Parsing is LibYAML's, through PyYAML; the node graph composed keeps marks, and one walk
turns it into data while recording spans. Choices that matter for a checker:

- A duplicate key is an input error on its line; the value kept is the last one, as the
  Kubernetes API server keeps it (a checker that kept the first could be bypassed).
- Unquoted scalars are typed as the file's consumer types them (`yaml_schemas`): go-yaml v2
  for Kubernetes objects (`privileged: y` is true, `runAsUser: 0o0` is 0, the key `on` is
  "true"), YAML 1.2 core for GitHub Actions workflows (the trigger key `on` stays "on",
  `yes` is a string), PyYAML's YAML 1.1 for astra-guard's own files. With `AUTO` each
  document is typed by what it is: apiVersion and kind make it Kubernetes, on and jobs a
  workflow; anything else is not judged and gets YAML 1.1.
- Merge keys (`<<`) and anchors are resolved, within bounds (`yaml_compose`): a document too
  big to build, an alias bomb, a recursive alias or nesting past the limit is an input error
  on its line, never an exhausted runner or a hang.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from astra_guard.loaders.yaml_compose import (
    MERGE_TAG,
    UNTAGGED,
    LineTable,
    Rejected,
    YamlLimits,
    check_expansion,
    compose_all,
    mark_line,
)
from astra_guard.loaders.yaml_schemas import (
    GITHUB_ACTIONS,
    KUBERNETES,
    PLAIN_SCALAR,
    YAML_1_1,
    kubernetes_key,
)
from astra_guard.model import InputError, Path, Span, SpanIndex

AUTO = "auto"
_NULL_TAG = "tag:yaml.org,2002:null"
_STRING_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"}


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


def _schema_of(root: Node) -> str:
    """The consumer of a document, from its top-level keys."""
    keys = {k.value for k, _ in root.value if isinstance(k, ScalarNode)} if isinstance(root, MappingNode) else set()
    if {"apiVersion", "kind"} <= keys:
        return KUBERNETES
    if {"on", "jobs"} <= keys:
        return GITHUB_ACTIONS
    return YAML_1_1


class _Converter:
    """Turns one composed node graph into data and spans."""

    _constructor = yaml.constructor.SafeConstructor()

    def __init__(self, file: str, schema: str, errors: list[InputError], lines: LineTable) -> None:
        self.file = file
        self.lines = lines
        self.schema = schema
        self.plain = PLAIN_SCALAR[schema]
        self.errors = errors
        self.spans: SpanIndex = {}

    def span(self, start: Node, end: Node) -> Span:
        sm, em = start.start_mark, end.end_mark
        if em.column == 0 and em.line > sm.line:  # a block ends where the next token starts
            return Span(self.file, self.lines(sm.line), sm.column + 1, self.lines(em.line - 1), 1)
        return Span(self.file, self.lines(sm.line), sm.column + 1, self.lines(em.line), em.column + 1)

    def convert(self, node: Node, path: Path) -> Any:
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if isinstance(node, SequenceNode):
            items = []
            for i, child in enumerate(node.value):
                self.spans[path + (i,)] = self.span(child, child)
                items.append(self.convert(child, path + (i,)))
            return items
        if isinstance(node, MappingNode):
            return self.mapping(node, path)
        raise Rejected(f"unsupported YAML node {type(node).__name__}", mark_line(node))

    def scalar(self, node: ScalarNode) -> Any:
        try:  # no message quotes the value: it may be a secret
            if node.tag == UNTAGGED:
                return self.plain(node.value) if not node.style else node.value
            if node.tag in _STRING_TAGS or node.tag.startswith("!"):
                return node.value
            value = self._constructor.construct_object(node, deep=True)
        except ValueError as exc:
            if node.tag == UNTAGGED:
                raise Rejected(f"invalid YAML value: {exc}", mark_line(node)) from None
            raise Rejected(f"the value does not fit its tag {node.tag}: fix the value or remove the tag", mark_line(node)) from None
        except yaml.constructor.ConstructorError:
            raise Rejected(f"unsupported YAML tag {node.tag}: remove it", mark_line(node)) from None
        except Exception:  # noqa: BLE001 - PyYAML's constructors raise several kinds (KeyError for !!bool)
            raise Rejected(f"the value does not fit its tag {node.tag}: fix the value or remove the tag", mark_line(node)) from None
        if isinstance(value, float) and not math.isfinite(value):
            return node.value  # JSON (and Rego) has no NaN or infinity
        return value

    def key(self, node: ScalarNode) -> str:
        if self.schema == KUBERNETES and node.tag == UNTAGGED and not node.style:
            try:
                return kubernetes_key(node.value)
            except ValueError as exc:
                raise Rejected(str(exc), mark_line(node)) from None
        return node.value

    def mapping(self, node: MappingNode, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        seen: dict[str, tuple[int, str]] = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                for source in reversed(sources):  # earlier sources win, as YAML says
                    if not isinstance(source, MappingNode):
                        raise Rejected("merge key '<<' needs a mapping", mark_line(source))
                    merged.update(self.mapping(source, path))
                continue
            if not isinstance(key_node, ScalarNode):
                raise Rejected("a mapping key must be a scalar", mark_line(key_node))
            key = self.key(key_node)
            line = self.lines(mark_line(key_node))
            if key in seen:
                first_line, written = seen[key]
                first = (f"first on line {first_line}" if written == key_node.value == key else
                         f"kubectl reads it as '{key}', like '{written}' on line {first_line}")
                self.errors.append(InputError(
                    self.file, line,
                    f"duplicate key '{key_node.value}' ({first}): the Kubernetes API "
                    "server keeps the last value, so the file says two things; remove one",
                    key_node.start_mark.column + 1,
                ))
            seen[key] = (line, key_node.value)
            self.spans[path + (key,)] = self.span(key_node, value_node)
            result[key] = self.convert(value_node, path + (key,))
        if merged:
            return {**merged, **result}
        return result


def _marked_error(file: str, exc: yaml.YAMLError, text: str, lines: LineTable) -> InputError:
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    if context and context_mark is not None:
        context = f"{context} (started on line {lines(context_mark.line)})"
    message = f"invalid YAML: {context}: {problem}" if context else f"invalid YAML: {problem}"
    mark = problem_mark or context_mark
    at_end = mark is not None and lines(mark.line) > text.count("\n") and context_mark is not None
    if at_end:  # the parser only noticed at the end of the file: point at what was left open
        mark = context_mark
    if mark is None:
        return InputError(file, 1, message)
    return InputError(file, lines(mark.line), message, mark.column + 1)


def _is_empty(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag in (_NULL_TAG, UNTAGGED) and node.value == "" and not node.style


def load_yaml_stream(text: str, file: str, limits: YamlLimits | None = None, schema: str = YAML_1_1) -> YamlStream:
    """Parse every document of `text`; a syntax error stops the stream, documents before it stay.

    `schema` is how unquoted scalars are typed: `KUBERNETES`, `GITHUB_ACTIONS`, `YAML_1_1`, or
    `AUTO` (per document, from its top-level keys).
    """
    limits = limits or YamlLimits()
    stream = YamlStream()
    lines = LineTable(text)
    aliases = "*" in text  # without one, every document is a tree (see check_expansion)
    try:
        for index, root in enumerate(compose_all(text, limits.max_nodes)):
            if index >= limits.max_documents:
                stream.errors.append(
                    InputError(file, lines(mark_line(root)), f"more than {limits.max_documents} YAML documents in one "
                               "file (limits.max_documents); the rest is not evaluated")
                )
                break
            if root is None or _is_empty(root):
                continue
            converter = _Converter(file, _schema_of(root) if schema == AUTO else schema, stream.errors, lines)
            converter.spans[()] = converter.span(root, root)  # the document itself
            try:
                check_expansion(root, limits, aliases)
                data = converter.convert(root, ())
            except Rejected as exc:
                stream.errors.append(InputError(file, lines(exc.line), str(exc)))
                continue
            stream.documents.append(YamlDocument(index, lines(mark_line(root)), data, converter.spans))
    except yaml.YAMLError as exc:
        stream.errors.append(_marked_error(file, exc, text, lines))
    except Rejected as exc:  # the composer stopped at the node budget
        stream.errors.append(InputError(file, lines(exc.line), str(exc)))
    except RecursionError:
        stream.errors.append(InputError(file, 1, "YAML nested too deeply to parse; the file is not evaluated"))
    return stream
