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
import sys
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
    MEMO_LENGTH,
    PLAIN_SCALAR,
    REMEMBERED_PLAIN_SCALAR,
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


class _TooBig(Exception):
    """A tree went past the node budget or the depth limit while it was being converted."""


_span = tuple.__new__  # `_span(Span, fields)` is `Span(*fields)` without the generated __new__'s call


class _Converter:
    """Turns one composed node graph into data and spans.

    It also counts the nodes it converts and the depth it reaches (the root is at depth 1), and
    raises `_TooBig` when a tree goes past `limits`: for a document without aliases, that is the
    measuring `check_expansion` would otherwise do in a walk of its own (see `_convert_document`).
    """

    _constructor = yaml.constructor.SafeConstructor()

    def __init__(self, file: str, schema: str, errors: list[InputError], lines: LineTable,
                 limits: YamlLimits | None = None) -> None:
        self.file = file
        self.lines = lines
        self.real_lines = lines.real  # None: an editor's line is LibYAML's + 1 (the common case, inlined)
        self.kubernetes_keys = schema == KUBERNETES
        self.plain = PLAIN_SCALAR[schema]
        self.remembered = REMEMBERED_PLAIN_SCALAR[schema]
        self.errors = errors
        self.spans: dict[Path, Span] = {}
        self.deepest = limits.max_depth + 1 if limits else sys.maxsize  # the deepest depth a node may have
        self.nodes_left = limits.max_nodes - 1 if limits else sys.maxsize  # the root is one

    def document(self, root: Node) -> tuple[Any, SpanIndex]:
        self.spans[()] = self.span(root, root)  # the document itself
        return self.convert(root, ()), self.spans

    def span(self, start: Node, end: Node) -> Span:
        sm, em = start.start_mark, end.end_mark
        line, end_line, end_column = sm.line, em.line, em.column
        if end_column == 0 and end_line > line:  # a block ends where the next token starts: column 1 of its last line
            end_line -= 1
        if self.real_lines is None:
            line, end_line = line + 1, end_line + 1
        else:
            line, end_line = self.lines(line), self.lines(end_line)
        return _span(Span, (self.file, line, sm.column + 1, end_line, end_column + 1))

    def count(self, children: int, depth: int) -> None:
        """Account for `children` nodes at `depth`; `_TooBig` past the budget or the depth limit."""
        self.nodes_left -= children
        if self.nodes_left < 0 or depth > self.deepest:
            raise _TooBig

    def convert(self, node: Node, path: Path, depth: int = 1) -> Any:
        kind = node.__class__
        if kind is ScalarNode:
            return self.scalar(node)
        if kind is MappingNode:
            return self.mapping(node, path, depth)
        if kind is SequenceNode:
            items = []
            if node.value:
                self.count(len(node.value), depth + 1)
            spans, span, convert = self.spans, self.span, self.convert
            for i, child in enumerate(node.value):
                child_path = path + (i,)
                spans[child_path] = span(child, child)
                items.append(convert(child, child_path, depth + 1))
            return items
        raise Rejected(f"unsupported YAML node {type(node).__name__}", mark_line(node))

    def scalar(self, node: ScalarNode) -> Any:
        try:  # no message quotes the value: it may be a secret
            if node.tag == UNTAGGED:
                text = node.value
                if node.style:
                    return text
                return self.remembered(text) if len(text) <= MEMO_LENGTH else self.plain(text)
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

    def mapping(self, node: MappingNode, path: Path, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        seen: dict[str, ScalarNode] = {}  # key -> the key node that last wrote it
        pairs = node.value
        if pairs:
            self.count(2 * len(pairs), depth + 1)
        spans, span, convert, kubernetes_keys = self.spans, self.span, self.convert, self.kubernetes_keys
        for key_node, value_node in pairs:
            tag = key_node.tag
            if tag == MERGE_TAG:
                if isinstance(value_node, SequenceNode):
                    sources, source_depth = value_node.value, depth + 2
                    if sources:
                        self.count(len(sources), source_depth)
                else:
                    sources, source_depth = [value_node], depth + 1
                for source in reversed(sources):  # earlier sources win, as YAML says
                    if not isinstance(source, MappingNode):
                        raise Rejected("merge key '<<' needs a mapping", mark_line(source))
                    merged.update(self.mapping(source, path, source_depth))
                continue
            if key_node.__class__ is not ScalarNode:
                raise Rejected("a mapping key must be a scalar", mark_line(key_node))
            key = key_node.value
            if kubernetes_keys and tag == UNTAGGED and not key_node.style:
                try:
                    key = kubernetes_key(key)
                except ValueError as exc:
                    raise Rejected(str(exc), mark_line(key_node)) from None
            key_span = span(key_node, value_node)
            if key in seen:
                self.duplicate(key, seen[key], key_node, key_span.line)
            seen[key] = key_node
            key_path = path + (key,)
            spans[key_path] = key_span
            result[key] = convert(value_node, key_path, depth + 1)
        if merged:
            return {**merged, **result}
        return result

    def duplicate(self, key: str, first_node: ScalarNode, key_node: ScalarNode, line: int) -> None:
        first_line, written = self.lines(mark_line(first_node)), first_node.value
        first = (f"first on line {first_line}" if written == key_node.value == key else
                 f"kubectl reads it as '{key}', like '{written}' on line {first_line}")
        self.errors.append(InputError(
            self.file, line,
            f"duplicate key '{key_node.value}' ({first}): the Kubernetes API "
            "server keeps the last value, so the file says two things; remove one",
            key_node.start_mark.column + 1,
        ))


def _convert_document(root: Node, file: str, schema: str, errors: list[InputError], lines: LineTable,
                      limits: YamlLimits, aliases: bool) -> tuple[Any, SpanIndex]:
    """The data and spans of one document, or `Rejected` as if `check_expansion` had measured it first.

    A document that may hold aliases is measured first (an alias bomb must not be expanded to
    find out). A tree is measured while it is converted; if the conversion stops early (past the
    limits, on a bad value, or nested too deeply for Python) the measuring pass runs after all,
    so its verdict, message and line come first, and the duplicate keys found before it are dropped.
    """
    if aliases:
        check_expansion(root, limits, aliases)
        return _Converter(file, schema, errors, lines).document(root)
    first_error = len(errors)
    try:
        return _Converter(file, schema, errors, lines, limits).document(root)
    except (Rejected, _TooBig, RecursionError) as exc:
        try:
            check_expansion(root, limits, aliases)
        except Rejected:
            del errors[first_error:]
            raise
        if not isinstance(exc, _TooBig):
            raise
    # Not reached while the conversion counts what `check_expansion` measures; were they ever to
    # disagree, the measuring pass decides and the tree is converted again without a bound.
    del errors[first_error:]
    return _Converter(file, schema, errors, lines).document(root)


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
    # An alias (`*a`) needs an anchor (`&a`): without both, every document is a tree (see _convert_document)
    aliases = "*" in text and "&" in text
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
            document_schema = _schema_of(root) if schema == AUTO else schema
            try:
                data, spans = _convert_document(root, file, document_schema, stream.errors, lines, limits, aliases)
            except Rejected as exc:
                stream.errors.append(InputError(file, lines(exc.line), str(exc)))
                continue
            stream.documents.append(YamlDocument(index, lines(mark_line(root)), data, spans))
    except yaml.YAMLError as exc:
        stream.errors.append(_marked_error(file, exc, text, lines))
    except Rejected as exc:  # the composer stopped at the node budget
        stream.errors.append(InputError(file, lines(exc.line), str(exc)))
    except RecursionError:
        stream.errors.append(InputError(file, 1, "YAML nested too deeply to parse; the file is not evaluated"))
    return stream
