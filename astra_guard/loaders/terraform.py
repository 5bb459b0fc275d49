"""Terraform: HCL (`.tf`, `.tfvars`), their JSON forms, and `terraform show -json` plans.

HCL is parsed by python-hcl2 into its typed rule tree; one walk over it builds the data (values
as python-hcl2 serialises them: literals as Python values, anything computed as its
`${...}` text) and a span for every attribute, nested block, object key and tuple item. JSON
forms are read with `json` for the data and with the YAML loader (JSON is YAML) for positions.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from itertools import accumulate, islice
from typing import Any, Iterator

import hcl2
from hcl2.rules.base import AttributeRule, BlockRule
from hcl2.rules.containers import ObjectRule, TupleRule
from hcl2.rules.expressions import ExprTermRule
from hcl2.utils import SerializationContext, SerializationOptions
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from astra_guard.loaders.yaml_source import load_yaml_stream
from astra_guard.model import InputError, LoadResult, Path, Resource, Span, SpanIndex

FAMILY = "terraform"
# How many labels each top-level block type takes; others are read as taking none.
LABEL_COUNTS = {
    "resource": 2, "data": 2, "ephemeral": 2, "module": 1, "variable": 1, "output": 1,
    "provider": 1, "check": 1, "terraform": 0, "locals": 0, "moved": 0, "import": 0, "removed": 0,
}
_OPTIONS = SerializationOptions(  # values as Python values, computed ones as their "${...}" text
    with_comments=False, explicit_blocks=False, strip_string_quotes=True, preserve_heredocs=False,
    preserve_scientific_notation=False,
)
_BRACKETS = re.compile(r"[\[\]{}()]")
_NOT_BRACKETS = re.compile(r"[^\[\]{}()]+")
_BRACKET_DELTA = {"[": 1, "{": 1, "(": 1, "]": -1, "}": -1, ")": -1}
_PLAN_FORMAT = re.compile(r'"format_version"\s*:')
_PLAN_KEYS = ("planned_values", "resource_changes", "configuration")
_PLAN_HINT = re.compile(
    r'"(?:planned_values|resource_changes|configuration|terraform_version)"\s*:'
)


def _serialize(rule: Any) -> Any:
    return rule.serialize(_OPTIONS, SerializationContext())


class _HclWalker:
    """Turns python-hcl2 rule trees into plain data and spans, recording input errors."""

    def __init__(self, file: str, text: str, errors: list[InputError]) -> None:
        self.file = file
        self.lines = text.split("\n")
        self.errors = errors

    def span(self, rule: Any, fallback: Span) -> Span:
        meta = getattr(rule, "_meta", None)
        if meta is None or getattr(meta, "empty", True):
            return fallback
        end_line, end_column = meta.end_line, meta.end_column
        if end_column == 1 and end_line > meta.line:  # a heredoc ends after its newline
            end_line -= 1
            end_column = len(self.lines[end_line - 1]) + 1 if end_line <= len(self.lines) else 1
        return Span(self.file, meta.line, meta.column, end_line, end_column)

    def body(self, children: list[Any], path: Path, spans: SpanIndex, parent: Span) -> dict:
        """A body as python-hcl2 shapes it: attributes as values, blocks as lists by type."""
        result: dict[str, Any] = {}
        defined: dict[str, tuple[str, int]] = {}  # name -> ("attribute" | "block", first line)
        for child in children:
            if isinstance(child, AttributeRule):
                key, span = str(_serialize(child.identifier)), self.span(child, parent)
                if key in defined:
                    what, first = defined[key]
                    self.error(span, f"'{key}' is defined more than once (first as {what} "
                                     f"on line {first}); Terraform rejects this, the value read "
                                     "here is the last one")
                defined[key] = ("an attribute", span.line)
                spans[path + (key,)] = span
                result[key] = self.value(child.expression, path + (key,), spans, span)
            elif isinstance(child, BlockRule):
                labels = [str(_serialize(label)) for label in child.labels]
                span = self.span(child, parent)
                what, first = defined.setdefault(labels[0], ("a block", span.line))
                if what != "a block":
                    self.error(span, f"block '{labels[0]}' has the name of an attribute (line "
                                     f"{first}); Terraform rejects this")
                    defined[labels[0]] = ("a block", span.line)
                if what != "a block" or labels[0] not in result:
                    result[labels[0]] = []
                blocks = result[labels[0]]
                block_path = path + (labels[0], len(blocks))
                for depth in range(1, len(labels) + 1):
                    spans[block_path + tuple(labels[1:depth])] = span
                inner_path = block_path + tuple(labels[1:])
                inner: Any = self.body(child.body.children, inner_path, spans, span)
                for label in reversed(labels[1:]):
                    inner = {label: inner}
                blocks.append(inner)
        return result

    def value(self, expression: Any, path: Path, spans: SpanIndex, parent: Span) -> Any:
        """An expression's value; objects and tuples become dicts and lists with spans inside."""
        node = expression
        while isinstance(node, ExprTermRule) and not node.parentheses:
            node = node.expression
        if isinstance(node, ObjectRule):
            result: dict[str, Any] = {}
            for element in node.elements:
                key, span = str(_serialize(element.key)), self.span(element, parent)
                spans[path + (key,)] = span
                result[key] = self.value(element.expression, path + (key,), spans, span)
            return result
        if isinstance(node, TupleRule):
            items = []
            for i, element in enumerate(node.elements):
                span = spans[path + (i,)] = self.span(element, parent)
                items.append(self.value(element, path + (i,), spans, span))
            return items
        return _serialize(expression)

    def error(self, span: Span, message: str) -> None:
        self.errors.append(InputError(self.file, span.line, message, span.column))


def _syntax_error(file: str, text: str, exc: Exception) -> InputError:
    """An HCL syntax error as an input error on its line."""
    last_line = text.count("\n") + 1
    if not isinstance(exc, UnexpectedInput):
        return InputError(file, 1, f"invalid HCL: {type(exc).__name__}: {exc}")
    line = min(max(getattr(exc, "line", 1) or 1, 1), last_line)
    column = max(getattr(exc, "column", 1) or 1, 1)
    expected: list[str] = sorted(exc.expected) if isinstance(exc, UnexpectedToken) else []
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        found = repr(str(exc.token).split("\n")[0][:30])
    elif isinstance(exc, UnexpectedCharacters):
        found = repr(exc.char)
    else:  # UnexpectedEOF, or the end-of-input token
        found = "end of file"
    message = f"invalid HCL: unexpected {found} at line {line}, column {column}"
    if expected:
        more = ", ..." if len(expected) > 8 else ""
        message += "; expected one of " + ", ".join(expected[:8]) + more
    return InputError(file, line, message, column)


def _too_deep(text: str, max_depth: int) -> tuple[int, int] | None:
    """(line, column) of the first bracket nested deeper than `max_depth`, counted over the raw
    text (a bracket inside a string counts too: real configurations stay far below the limit).
    The parser would spend seconds on such a file only to fail with a RecursionError."""
    brackets = _NOT_BRACKETS.sub("", text)
    depths = list(accumulate(map(_BRACKET_DELTA.__getitem__, brackets)))
    if not depths or max(depths) <= max_depth:
        return None
    k = next(i for i, d in enumerate(depths) if d > max_depth)
    offset = next(islice((m.start() for m in _BRACKETS.finditer(text)), k, None))
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _load_hcl(text: str, file: str, result: LoadResult, tfvars: bool, max_depth: int) -> None:
    deep = _too_deep(text, max_depth)
    if deep is not None:
        message = f"brackets nested deeper than {max_depth} levels (limits.max_depth); the file is not evaluated"
        result.errors.append(InputError(file, deep[0], message, deep[1]))
        return
    try:
        tree = hcl2.parses(text)
    except Exception as exc:  # noqa: BLE001 - lark and python-hcl2 raise several kinds
        result.errors.append(_syntax_error(file, text, exc))
        return
    walker = _HclWalker(file, text, result.errors)
    top = Span(file, 1, 1, 1, 1)
    children = tree.body.children
    misplaced = BlockRule if tfvars else AttributeRule
    for child in children:
        if isinstance(child, misplaced):
            what = "a block in a .tfvars file: only variable assignments" if tfvars else (
                "an attribute at the top level of a .tf file: only blocks")
            walker.error(walker.span(child, top), f"{what} belong here")
    if tfvars:
        spans: SpanIndex = {(): top}
        data = walker.body([c for c in children if isinstance(c, AttributeRule)], (), spans, top)
        result.resources.append(Resource(FAMILY, "tfvars", file, file, data, spans))
        return
    for block in (c for c in children if isinstance(c, BlockRule)):
        labels = [str(_serialize(label)) for label in block.labels]
        spans = {(): walker.span(block, top)}
        expected_labels = LABEL_COUNTS.get(labels[0])
        if expected_labels is not None and len(labels) - 1 != expected_labels:
            walker.error(spans[()], f"a '{labels[0]}' block takes {expected_labels} label(s), "
                                    f"this one has {len(labels) - 1}")
        data = walker.body(block.body.children, (), spans, spans[()])
        name = ".".join(labels[1:])
        result.resources.append(Resource(FAMILY, labels[0], name, file, data, spans))


def _json_spans(text: str, file: str, errors: list[InputError]) -> SpanIndex:
    """Positions of a JSON document (through the YAML loader); duplicate keys become errors."""
    stream = load_yaml_stream(text, file)
    for error in stream.errors:
        if error.message.startswith("duplicate key"):
            message = error.message.split(":", 1)[0] + (
                ": Terraform rejects duplicate properties; the value read here is the last one"
            )
            errors.append(InputError(file, error.line, message, error.column))
    return stream.documents[0].spans if stream.documents else {}


def _parse_json(text: str, file: str, result: LoadResult) -> tuple[dict, SpanIndex] | None:
    """A JSON object and its spans, or None with the error recorded."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        line, column = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
        message = f"invalid JSON: {getattr(exc, 'msg', exc)}"
        result.errors.append(InputError(file, line, message, column))
        return None
    if not isinstance(data, dict):
        message = "the top level of a Terraform JSON file must be an object"
        result.errors.append(InputError(file, 1, message))
        return None
    return data, _json_spans(text, file, result.errors)


def _bucket(spans: SpanIndex, depth: int, first: str | None = None) -> dict[Path, SpanIndex]:
    """Spans grouped by their first `depth` parts (the first being `first`), keyed by the rest."""
    buckets: dict[Path, SpanIndex] = defaultdict(dict)
    for path, span in spans.items():
        if len(path) >= depth and (first is None or path[0] == first):
            buckets[path[:depth]][path[depth:]] = span
    return buckets


def _json_blocks(value: Any, labels_left: int, path: Path, labels: tuple = ()) -> Iterator[tuple]:
    """(labels, body, path) of each block in a JSON block-type property; arrays at any level."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from _json_blocks(item, labels_left, path + (i,), labels)
    elif labels_left == 0 or not isinstance(value, dict):
        yield labels, value, path
    else:
        for key, inner in value.items():
            yield from _json_blocks(inner, labels_left - 1, path + (key,), labels + (key,))


def _load_tf_json(text: str, file: str, result: LoadResult) -> None:
    parsed = _parse_json(text, file, result)
    if parsed is None:
        return
    data, spans = parsed
    buckets: dict[int, dict[Path, SpanIndex]] = {}
    for kind, value in data.items():
        if kind == "//":
            continue
        for labels, body, origin in _json_blocks(value, LABEL_COUNTS.get(kind, 0), (kind,)):
            if len(origin) not in buckets:
                buckets[len(origin)] = _bucket(spans, len(origin))
            block_spans = buckets[len(origin)].get(origin, {})
            if not isinstance(body, dict):
                line = block_spans[()].line if () in block_spans else 1
                message = f"the body of a '{kind}' block must be an object"
                result.errors.append(InputError(file, line, message))
                continue
            name = ".".join(labels)
            result.resources.append(Resource(FAMILY, kind, name, file, body, dict(block_spans)))


def load(text: str, file: str, max_depth: int = 200) -> LoadResult:
    """Load a `.tf`, `.tf.json`, `.tfvars` or `.tfvars.json` file; no exception escapes."""
    result = LoadResult(file=file, family=FAMILY)
    lower = file.lower()
    try:
        if lower.endswith(".tfvars.json"):
            parsed = _parse_json(text, file, result)
            if parsed is not None:
                spans = {(): Span(file, 1, 1, 1, 1), **parsed[1]}
                result.resources.append(Resource(FAMILY, "tfvars", file, file, parsed[0], spans))
        elif lower.endswith(".tf.json"):
            _load_tf_json(text, file, result)
        else:
            _load_hcl(text, file, result, lower.endswith(".tfvars"), max_depth)
    except Exception as exc:  # noqa: BLE001 - last resort: the file is reported, the scan goes on
        result.resources.clear()
        message = f"could not read the Terraform file: {type(exc).__name__}: {exc}"
        result.errors.append(InputError(file, 1, message))
    return result


def looks_like_plan(text: str) -> bool:
    """Whether a JSON file is `terraform show -json` output (a plan or its configuration)."""
    head = text[:8192]
    if not head.lstrip("\ufeff \t\r\n").startswith("{") or not _PLAN_FORMAT.search(head):
        return False
    if not _PLAN_HINT.search(head) and not any(f'"{key}"' in text for key in _PLAN_KEYS):
        return False
    try:
        data = json.loads(text)
    except ValueError:
        return False
    if not isinstance(data, dict) or "format_version" not in data:
        return False
    return any(key in data for key in _PLAN_KEYS)


def _plan_resource_spans(bucket: SpanIndex) -> SpanIndex:
    """Spans of a `resource_changes[i]` entry, keyed by paths into its plan_resource data."""
    spans: SpanIndex = {}
    for rest, span in bucket.items():
        if rest[:2] in (("change", "after"), ("change", "actions")):
            spans[rest[1:]] = span
        elif rest in ((), ("type",), ("name",), ("address",), ("mode",), ("module_address",)):
            spans[rest] = span
    return spans


def _module_call_spans(bucket: SpanIndex, data: dict[str, Any]) -> SpanIndex:
    """Spans of a `module_calls` entry, keyed by paths into its module data (inputs flattened)."""
    spans: SpanIndex = {}
    for rest, span in bucket.items():
        if rest[:1] == ("expressions",) and len(rest) >= 2 and rest[1] in data:
            if rest[2:3] in ((), ("constant_value",)):
                spans.setdefault(rest[1:2] + rest[3:], span)
        elif rest in ((), ("source",), ("version_constraint",)):
            spans[rest] = span
    return spans


def load_plan(text: str, file: str) -> LoadResult:
    """Resources of a `terraform show -json` plan: each resource change and root module call."""
    result = LoadResult(file=file, family=FAMILY)
    try:
        parsed = _parse_json(text, file, result)
        if parsed is None:
            return result
        plan, spans = parsed
        changes = _bucket(spans, 2, "resource_changes")
        for i, change in enumerate(plan.get("resource_changes") or []):
            if not isinstance(change, dict):
                continue
            body = change.get("change") if isinstance(change.get("change"), dict) else {}
            data = {key: change.get(key) for key in ("type", "name", "address", "mode")}
            data.update(actions=body.get("actions", []), after=body.get("after"))
            data["module_address"] = change.get("module_address")
            resource_spans = _plan_resource_spans(changes.get(("resource_changes", i), {}))
            address = str(data["address"] or "")
            resource = Resource(FAMILY, "plan_resource", address, file, data, resource_spans)
            result.resources.append(resource)
        root = (plan.get("configuration") or {}).get("root_module") or {}
        calls = _bucket(spans, 4, "configuration")
        for name, call in (root.get("module_calls") or {}).items():
            if not isinstance(call, dict):
                continue
            expressions = call.get("expressions") or {}
            data = {key: call.get(key) for key in ("source", "version_constraint")}
            for key, expression in expressions.items():
                if isinstance(expression, dict) and "constant_value" in expression:
                    data[key] = expression["constant_value"]
            bucket = calls.get(("configuration", "root_module", "module_calls", name), {})
            call_spans = _module_call_spans(bucket, data)
            result.resources.append(Resource(FAMILY, "module", name, file, data, call_spans))
    except Exception as exc:  # noqa: BLE001 - last resort: the file is reported, the scan goes on
        result.resources.clear()
        message = f"could not read the Terraform plan: {type(exc).__name__}: {exc}"
        result.errors.append(InputError(file, 1, message))
    return result
