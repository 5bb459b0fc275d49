"""Composing a YAML stream within bounds: the node graph of each document, never bigger than allowed.

Scalars are left untyped (`UNTAGGED`) so the caller can type them as the document's consumer
would; only `<<` is resolved, to the merge tag. Two checks keep an input from making us build
what it wants:

- while composing: when the text could hold more nodes than the budget, the document is
  composed in Python from LibYAML's events and stopped at the budget (LibYAML's own composer
  would build it whole first: 1 GB of memory for 5 MB of `1,1,1,...`);
- after composing: `check_expansion` measures the size and height the document would expand
  to, each anchored node once, so an alias bomb (a small graph that expands to billions of
  nodes) is rejected in milliseconds, and a recursive alias is an error instead of a hang.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:  # LibYAML is what makes this fast; the pure-Python loader gives the same marks.
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without LibYAML
    _Base = yaml.SafeLoader

MERGE_TAG = "tag:yaml.org,2002:merge"
UNTAGGED = "tag:astra-guard,2026:untagged"  # typed later, once the document's consumer is known
_EXTRA_BREAKS = "\x85\u2028\u2029"


@dataclass(frozen=True)
class YamlLimits:
    """Bounds on what one file may make us build (see `astra_guard.limits`)."""

    max_depth: int = 200
    max_nodes: int = 1_000_000
    max_documents: int = 10_000


class Rejected(Exception):
    """The document (or the rest of the file) cannot be evaluated: the message says why, and
    `line` (LibYAML's 0-based line) where."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


_MERGE_KEY = re.compile(r"^(?:<<)$")


class _Composer(_Base):  # type: ignore[misc, valid-type]
    """Composes without typing scalars: only `<<` is resolved (to the merge tag)."""

    # LibYAML's composer calls back into Python for every node to resolve its tag and to
    # track path resolvers. With `<<` the only implicit resolver and no path resolvers, these
    # are what PyYAML's general versions return, without their lookups (a sixth of a parse).
    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if implicit[0] and value[:1] == "<" and _MERGE_KEY.match(value):
                return MERGE_TAG
            return UNTAGGED
        return self.DEFAULT_SEQUENCE_TAG if kind is SequenceNode else self.DEFAULT_MAPPING_TAG

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


_Composer.yaml_implicit_resolvers = {}
_Composer.add_implicit_resolver(MERGE_TAG, _MERGE_KEY, ["<"])
_Composer.DEFAULT_SCALAR_TAG = UNTAGGED


class _CountingComposer(Composer, _Composer):  # type: ignore[misc, valid-type]
    """The same, composed in Python from LibYAML's events so nodes can be counted as they are
    built: a document of millions of nodes is stopped at the budget instead of filling memory
    (LibYAML's own composer builds the whole document first: 1 GB for 5 MB of `1,1,1,...`)."""

    def __init__(self, text: str, budget: int) -> None:
        _Composer.__init__(self, text)  # type: ignore[call-arg]
        Composer.__init__(self)
        self.budget, self.composed = budget, 0

    def compose_document(self) -> Node:
        self.composed = 0
        return super().compose_document()

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        if not self.check_event(AliasEvent):
            self.composed += 1
            if self.composed > self.budget:
                raise Rejected(f"a YAML document of more than {self.budget} nodes (limits.max_yaml_nodes); the "
                               "rest of the file is not evaluated", self.peek_event().start_mark.line)
        return super().compose_node(parent, index)


def _may_exceed(text: str, budget: int) -> bool:
    """Whether `text` could compose to more than `budget` nodes: every node needs a separator."""
    if 2 * len(text) + 1 <= budget:  # too short to hold that many separators: no need to count them
        return False
    return 2 * sum(text.count(c) for c in "\n,:-[{?") + 1 > budget


def compose_all(text: str, budget: int) -> Iterator[Node]:
    loader = _CountingComposer(text, budget) if _may_exceed(text, budget) else _Composer(text)
    try:
        while loader.check_node():
            yield loader.get_node()
    finally:
        loader.dispose()


def mark_line(node: Node) -> int:
    """LibYAML's 0-based line of a node; `LineTable` turns it into the editor's line."""
    return node.start_mark.line


class LineTable:
    """LibYAML also breaks lines at NEL, LS and PS (YAML 1.1); editors and the other loaders
    count `\n` only. Maps LibYAML's 0-based lines to those 1-based lines."""

    def __init__(self, text: str) -> None:
        self.real: list[int] | None = None
        if any(c in text for c in _EXTRA_BREAKS):
            self.real, line = [1], 1
            for match in re.finditer("[\n" + _EXTRA_BREAKS + "]", text):
                line += match.group() == "\n"
                self.real.append(line)

    def __call__(self, yaml_line: int) -> int:
        return yaml_line + 1 if self.real is None else self.real[min(yaml_line, len(self.real) - 1)]


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return node.value
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _tree_within(root: Node, limits: YamlLimits) -> bool:
    """For a document without aliases (a tree): whether its node count and height are within
    the limits. A count and a depth, three times cheaper than measuring every node's size."""
    count, height = 0, 0
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        height = max(height, depth)
        if isinstance(node, MappingNode):
            for key, value in node.value:
                stack += ((key, depth + 1), (value, depth + 1))
        elif isinstance(node, SequenceNode):
            stack += [(child, depth + 1) for child in node.value]
    return count <= limits.max_nodes and height <= limits.max_depth + 1


def check_expansion(root: Node, limits: YamlLimits, aliases: bool = True) -> None:
    """Raise `Rejected` when the document would expand past the limits, or into itself.

    One pass over the node graph, each node once however many aliases point at it: a node's
    expanded size is 1 plus its children's, its height 1 plus its tallest child's. With
    `aliases=False` (the text holds no `*`, so no node is reached twice) a tree within the
    limits passes after a quick count; anything else gets the full pass and its exact message.
    """
    if not aliases and _tree_within(root, limits):
        return
    measured: dict[int, tuple[int, int]] = {}  # id -> (expanded size, height)
    open_nodes: set[int] = set()  # the ancestors of the node being visited
    stack: list[tuple[Node, list[Node] | None]] = [(root, None)]
    while stack:
        node, children = stack.pop()
        key = id(node)
        if children is not None:  # all children measured: measure the node
            open_nodes.discard(key)
            size, height = 1, 0
            for child in children:
                child_size, child_height = measured[id(child)]
                size += child_size
                height = max(height, child_height)
            if size > limits.max_nodes:
                raise Rejected(f"this YAML node expands to more than {limits.max_nodes} YAML nodes (aliases "
                               "expanded; limits.max_yaml_nodes); the document is not evaluated", mark_line(node))
            measured[key] = (size, height + 1)
        elif key not in measured:
            if key in open_nodes:
                raise Rejected("recursive alias: a node contains itself; the document is not evaluated", mark_line(node))
            open_nodes.add(key)
            children = _children(node)
            stack.append((node, children))
            stack += [(c, None) for c in reversed(children) if id(c) not in measured]
    if measured[id(root)][1] > limits.max_depth + 1:
        node = root
        for _ in range(limits.max_depth + 1):  # walk down the tallest branch to where it is too deep
            node = max(_children(node), key=lambda c: measured[id(c)][1])
        raise Rejected(f"YAML nesting deeper than {limits.max_depth} levels (limits.max_depth); "
                       "the document is not evaluated", mark_line(node))


