"""Template Rego as regorus parses it: the AST, its references and rules, and source edits.

regorus hands its AST out as JSON (`get_ast_as_json`). These helpers read what Gatekeeper's compile
checks (template.py) and the compatibility pre-pass (compat.py) need: references as dotted parts,
spans as byte offsets into the source, rule names and imports.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import regorus

from astra_guard.engine.rego_embedded import clean_error
from astra_guard.gatekeeper.errors import TemplateError


def ref_parts(node: Any) -> list[str | None] | None:
    """`a.b["c"][x]` -> ["a", "b", "c", None]; None when the node is not a reference."""
    if not isinstance(node, dict):
        return None
    if "Var" in node:
        return [node["Var"]["value"]]
    if "RefDot" in node:
        base = ref_parts(node["RefDot"]["refr"])
        return None if base is None else base + [node["RefDot"]["field"][1]]
    if "RefBrack" in node:
        base = ref_parts(node["RefBrack"]["refr"])
        index = node["RefBrack"]["index"]
        key = index["String"]["value"] if isinstance(index, dict) and "String" in index else None
        return None if base is None else base + [key]
    return None


def walk_nodes(node: Any) -> Iterable[dict[str, Any]]:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))


def node_span(node: dict[str, Any]) -> dict[str, int]:
    inner = next(iter(node.values()))
    return inner["span"] if isinstance(inner, dict) and "span" in inner else node.get("span", {})


def unwind_ref(node: Any) -> tuple[list[Any], Any]:
    """A reference's bracket indexes, outermost first, and the term it starts from (`a[i].b[j]`
    gives [j, i] and `a`); a node that is no reference gives ([], node)."""
    indexes: list[Any] = []
    cursor = node
    while isinstance(cursor, dict) and ("RefDot" in cursor or "RefBrack" in cursor):
        if "RefBrack" in cursor:
            indexes.append(cursor["RefBrack"]["index"])
            cursor = cursor["RefBrack"]["refr"]
        else:
            cursor = cursor["RefDot"]["refr"]
    return indexes, cursor


def walk_refs(node: Any, visit: Callable[[list[str | None]], None]) -> None:
    """Every maximal reference (and bare variable) under `node`, like OPA's ast.WalkRefs."""
    if isinstance(node, list):
        for item in node:
            walk_refs(item, visit)
        return
    if not isinstance(node, dict):
        return
    if "RefDot" in node or "RefBrack" in node:
        parts = ref_parts(node)
        if parts is not None:
            visit(parts)
        indexes, base = unwind_ref(node)
        for index in indexes:
            walk_refs(index, visit)
        if parts is None:
            walk_refs(base, visit)
        return
    if "Var" in node and isinstance(node["Var"], dict):
        visit([node["Var"]["value"]])
        return
    for value in node.values():
        walk_refs(value, visit)


@dataclass
class RegoModule:
    name: str           # as regorus names it in errors
    source: str
    ast: dict[str, Any]
    package: list[str]

    def text(self, span: dict[str, int]) -> str:
        return self.source.encode()[span["start"]:span["end"]].decode()

    def rule_names(self) -> set[str]:
        names = set()
        for rule in self.ast.get("rules", []):
            kind, body = next(iter(rule.items()))
            head = body.get("head") if kind == "Spec" else body
            refr = next(iter(head.values()))["refr"] if kind == "Spec" else head.get("refr")
            parts = ref_parts(refr)
            if parts and parts[0]:
                names.add(parts[0])
        return names

    def imports(self) -> list[tuple[list[str | None], str]]:
        """(path, alias) of every import."""
        found = []
        for imp in self.ast.get("imports", []):
            parts = ref_parts(imp["refr"]) or []
            alias = self.text(imp["as"]) if imp.get("as") else (parts[-1] if parts else "")
            found.append((parts, alias or ""))
        return found


def new_engine(v1: bool) -> Any:
    engine = regorus.Engine()
    engine.set_rego_v0(not v1)
    engine.set_policy_length_config(max_col=20_000, max_file_bytes=4_000_000, max_lines=200_000)
    return engine


def parse_module(name: str, source: str, v1: bool) -> RegoModule:
    engine = new_engine(v1)
    try:
        engine.add_policy(name, source)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise TemplateError(clean_error(exc)) from None
    ast = json.loads(engine.get_ast_as_json())[0]["ast"]
    return RegoModule(name, source, ast, [p or "" for p in (ref_parts(ast["package"]["refr"]) or [])])


def apply_edits(source: str, edits: list[tuple[int, int, str]]) -> str:
    data = source.encode()
    for start, end, text in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        data = data[:start] + text.encode() + data[end:]
    return data.decode()
