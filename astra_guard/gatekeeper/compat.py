"""The compatibility pre-pass: template Rego rewritten where regorus would read it unlike OPA.

Each rewrite turns the source into what OPA itself makes of it (docs/gatekeeper-verify-parity.md has
a minimal reproduction of each): chained rule bodies `p { a } { b }` (v0) become two rules; a
reference ending a line followed by a line starting with `(` is two expressions, not a call; the
operands of a call under `not` are evaluated outside the negation (OPA's RewriteDynamicTerms stage),
so an undefined operand fails the body; `sprintf` whose literal format and literal arguments disagree
in number is routed to a shim (compat_builtins.py). `template.compile_template` applies them and
keeps a rewrite only if the rewritten module still parses.
"""

from __future__ import annotations

from typing import Any

from astra_guard.gatekeeper.compat_builtins import FORMAT_VERB, SPRINTF_SHIM
from astra_guard.gatekeeper.rego_ast import RegoModule, node_span, ref_parts, unwind_ref, walk_nodes

HOIST_PREFIX = "__astra_h"


def split_chained_bodies(source: str) -> tuple[str, int]:
    """Rego v0 `head { a } { b }` -> `head { a } head { b }` (OPA desugars chained bodies so).

    regorus rejects chained bodies on partial set rules ("else cannot be used with set rules") and
    silently keeps only the first body of a function. A small scanner (strings, raw strings and
    comments skipped) finds a `{` that directly follows a rule body's closing `}` at the top level.
    """
    operators = set("=,:|([{+-*/&<>!")
    edits: list[tuple[int, str]] = []
    i, n, depth = 0, len(source), 0
    stmt_start: int | None = None   # where the current top-level statement began
    head: str | None = None         # its head, once its body opened
    in_body = False                 # the open depth-1 brace is a rule body
    body_closed = False             # the last top-level token closed a rule body
    last = ""                       # the last significant character at the top level
    while i < n:
        c = source[i]
        if c == "#":
            end = source.find("\n", i)
            i = n if end < 0 else end
            continue
        if c.isspace():
            if c == "\n" and depth == 0 and not body_closed and not in_body and last not in operators:
                stmt_start, head = None, None
            i += 1
            continue
        before = depth
        if depth == 0:
            if body_closed:
                body_closed = False
                if c == "{" and head:
                    edits.append((i, head + " "))
                    depth, in_body, last = 1, True, "{"
                    i += 1
                    continue
                stmt_start, head = None, None
            if stmt_start is None:
                stmt_start, head = i, None
            if c == "{" and last not in operators:
                text = source[stmt_start:i].strip()
                head = text if text and not text.startswith("else") and "#" not in text else None
                in_body = True
        if c in "\"`":
            j = i + 1
            while j < n and source[j] != c:
                j += 2 if c == '"' and source[j] == "\\" else 1
            i = j + 1
            if before == 0:
                last = c
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0 and c == "}" and in_body:
                body_closed, in_body = True, False
        if before == 0 or depth == 0:
            last = c
        i += 1
    out = source
    for position, text in reversed(edits):
        out = out[:position] + text + out[position:]
    return out, len(edits)


def newline_call_edits(module: RegoModule) -> list[tuple[int, int, str]]:
    """A reference at the end of a line followed by a line starting with `(` is two expressions in
    OPA; regorus reads a call. Insert `;` after the reference when it ends a whole statement prefix."""
    raw = module.source.encode()
    edits = []
    for node in walk_nodes(module.ast):
        query = node.get("query") if isinstance(node.get("query"), dict) else None
        for stmt in (query or {}).get("stmts", []):
            start = stmt["span"]["start"]
            for inner in walk_nodes(stmt.get("literal")):
                call = inner.get("Call")
                if not isinstance(call, dict) or ref_parts(call["fcn"]) is None:
                    continue
                fcn_end = node_span(call["fcn"])["end"]
                gap = raw[fcn_end:call["span"]["end"]]
                paren = gap.find(b"(")
                if paren < 0 or b"\n" not in gap[:paren] or gap[:paren].strip():
                    continue
                prefix = raw[start:fcn_end].decode()
                if _balanced(prefix):
                    edits.append((fcn_end, fcn_end, ";"))
    return sorted(set(edits))


def _balanced(text: str) -> bool:
    depth = 0
    in_string: str | None = None
    escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\" and in_string == '"':
                escaped = True
            elif ch == in_string:
                in_string = None
            continue
        if ch in "\"`":
            in_string = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0 and in_string is None


_OPERATORS = ("BoolExpr", "ArithExpr", "BinExpr")


def hoist_edits(module: RegoModule, globals_: set[str]) -> list[tuple[int, int, str]]:
    """OPA's compiler (stages RewriteExprTerms and RewriteDynamicTerms, after RewriteEquals) evaluates
    a nested call, and every reference that is an operand of a call or operator, before the
    expression, outside a `not` (OPA issues #1877, #4743, #8387). So `not f(input.missing)`,
    `not input.missing != 1`, `not x in input.missing` and `not obj[input.missing]` fail the body
    in OPA, while `not input.missing == 1` and `not input.missing` succeed (`==` became `=`, whose
    operands stay in place). regorus evaluates everything inside the negation: hoist what OPA hoists.
    """
    edits: list[tuple[int, int, str]] = []
    counter = [0]

    def is_ref(node: dict[str, Any]) -> bool:
        if "RefDot" in node or "RefBrack" in node:
            return True
        return "Var" in node and node["Var"]["value"] in globals_

    def is_call(node: dict[str, Any]) -> bool:
        return "Call" in node or any(k in node for k in _OPERATORS) or "Membership" in node

    def composite(node: dict[str, Any]) -> list[dict[str, Any]]:
        if "Array" in node:
            return list(node["Array"].get("items", []))
        if "Set" in node:
            return list(node["Set"].get("items", []))
        if "Object" in node:
            return [x for _, key, value in node["Object"].get("fields", []) for x in (key, value)]
        return []

    def operand(node: Any, found: list[dict[str, Any]]) -> None:
        """rewriteDynamicsOne: an operand of a call; references and calls are hoisted whole."""
        if not isinstance(node, dict):
            return
        if is_ref(node) or is_call(node):
            found.append(node)
        for item in composite(node):
            operand(item, found)

    def in_term(node: Any, found: list[dict[str, Any]]) -> None:
        """rewriteDynamicsInTerm: a reference keeps its place, its dynamic brackets are hoisted."""
        if not isinstance(node, dict):
            return
        if is_call(node):
            found.append(node)   # a nested call (RewriteExprTerms)
            return
        indexes, base = unwind_ref(node)
        for index in indexes:
            operand(index, found)
        if isinstance(base, dict) and base is not node and is_call(base):
            found.append(base)   # `f(x).y`: the call is hoisted (OPA issue #7558)
        for item in composite(node):
            operand(item, found)

    def hoisted(expr: dict[str, Any]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        if "Call" in expr:
            for param in expr["Call"]["params"]:
                operand(param, found)
        elif "BoolExpr" in expr and expr["BoolExpr"]["op"] == "Eq" or "AssignExpr" in expr and expr["AssignExpr"]["op"] == "Eq":
            node = expr.get("BoolExpr") or expr["AssignExpr"]
            in_term(node["lhs"], found)
            in_term(node["rhs"], found)
        elif any(k in expr for k in _OPERATORS):
            node = next(expr[k] for k in _OPERATORS if k in expr)
            operand(node["lhs"], found)
            operand(node["rhs"], found)
        elif "Membership" in expr:
            node = expr["Membership"]
            for part in (node.get("key"), node.get("value"), node.get("collection")):
                operand(part, found)
        else:
            in_term(expr, found)
        return found

    for node in walk_nodes(module.ast):
        query = node.get("query") if isinstance(node.get("query"), dict) else None
        for stmt in (query or {}).get("stmts", []):
            literal = stmt.get("literal") or {}
            negated = literal.get("NotExpr")
            if not isinstance(negated, dict) or stmt.get("with_mods"):
                continue
            prefix = []
            for found in hoisted(negated["expr"]):
                span = node_span(found)
                name = f"{HOIST_PREFIX}{counter[0]}"
                counter[0] += 1
                prefix.append(f"{name} = ({module.text(span)}); ")
                edits.append((span["start"], span["end"], name))
            if prefix:
                start = negated["span"]["start"]
                edits.append((start, start, "".join(prefix)))
    return edits


def sprintf_edits(module: RegoModule) -> list[tuple[int, int, str]]:
    """`sprintf` whose literal format and literal argument array disagree in number: OPA (Go's fmt)
    prints `%!v(MISSING)` or `%!(EXTRA ...)`, regorus raises. Route those calls to a shim."""
    edits = []
    for node in walk_nodes(module.ast):
        call = node.get("Call")
        if not isinstance(call, dict) or ref_parts(call["fcn"]) != ["sprintf"] or len(call["params"]) != 2:
            continue
        fmt, args = call["params"]
        if "String" not in fmt or "Array" not in args:
            continue
        verbs = [m for m in FORMAT_VERB.finditer(fmt["String"]["value"]) if m.group(1)]
        if len(verbs) != len(args["Array"].get("items", [])):
            span = node_span(call["fcn"])
            edits.append((span["start"], span["end"], SPRINTF_SHIM))
    return edits
