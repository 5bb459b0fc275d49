"""Running gator `Suite`s with the embedded Rego engine (regorus), as `gator verify` runs them.

What each step does, and where it comes from (gatekeeper `pkg/gator/verify/runner.go`, frameworks
`constraint/pkg/client`):

- Template: the Rego source is the legacy `targets[0].rego` (+`libs`) when non-empty, else
  `code[engine=Rego].source` (`version: "v1"` selects Rego v1, anything else v0). A
  K8sNativeValidation (CEL) entry is ignored, as gator does with `--enable-k8s-native-validation=false`.
  It is compiled under Gatekeeper's rules: the entry module's package becomes `template` and must
  define `violation`; libs must be in packages under `lib.`; only `data.lib.*` and `future.*` may be
  imported (so `import rego.v1` is a "bad import"); data may be referenced only as `data.lib.*` and
  `data.inventory`; every called function must exist. A failure is the test's failure, not exit 2.
- Constraint: validated against the CRD Gatekeeper generates (name, kind, group/version,
  `spec.parameters` against the template's openAPIV3Schema, `spec.match`, unknown fields, label
  selectors, enforcement action). `invalid: true` passes only on a *schema* error.
- Case: the object (one document; an `admission.k8s.io` AdmissionReview's `request` is used as
  is, strictly) becomes `input.review`; inventory files fill `data.inventory`; the constraint's
  `spec.match` decides whether the template runs (Namespaces known only from the inventory); the
  template's `violation` set is reduced like Gatekeeper's hook (`{msg, details}`, a set, entries
  without `msg` dropped); an evaluation error becomes one result whose msg is the error; a match
  that cannot be decided becomes one "unable to match constraints" result (autoreject).
- Assertions: `violations` yes/no/N over results whose msg matches `message` (a Go RE2 regular
  expression, translated to Python's `re`: see `re2_to_python` for what differs).

Compatibility pre-pass. Three places where regorus parses or evaluates Gatekeeper's Rego unlike OPA are
rewritten before compiling, each to what OPA does (docs/gatekeeper-verify-parity.md has the proofs):
chained rule bodies `p { a } { b }` (v0) become two rules; a reference ending a line followed by a
line starting with `(` is two expressions, not a call; the arguments of a call under `not` are
evaluated outside the negation (OPA's RewriteDynamicTerms stage), so an undefined argument fails the
body. `sprintf` with fewer or more arguments than verbs formats like Go (`%!v(MISSING)`), and v0
templates get OPA's deprecated builtins `re_match`, `any`, `all`, `net.cidr_overlap`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regorus

from astra_guard.engine.rego_embedded import UNSUPPORTED_BUILTINS, UNSUPPORTED_PREFIXES, clean_error
from astra_guard.gatekeeper.match import (
    MATCH_SCHEMA,
    MatchError,
    review_matches,
    selector_errors,
)
from astra_guard.gatekeeper.suite import Case, InputFileError, Suite, Test, load_documents, resolve

TARGET = "admission.k8s.gatekeeper.sh"
GATOR_ENFORCEMENT_POINT = "gator.gatekeeper.sh"
TEMPLATE_PACKAGE = "template"
DEPRECATED_BUILTINS = frozenset({"re_match", "any", "all", "set_diff", "cast_array", "cast_set", "cast_string",
                                 "cast_boolean", "cast_null", "cast_object", "net.cidr_overlap"})
_HOIST_PREFIX = "__astra_h"
_SPRINTF = "__astra_sprintf"


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _q(value: object) -> str:
    """Quoted as Go's %q quotes (double quotes), for messages that match gator's."""
    return json.dumps(value if isinstance(value, str) else str(value), ensure_ascii=False)


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """One Gatekeeper result: what the assertions count."""

    msg: str
    details: Any = None
    engine_error: bool = field(default=False, compare=False)   # the evaluation raised; msg is the error


@dataclass
class CaseResult:
    name: str
    skipped: bool = False
    error: str | None = None
    input_error: bool = False   # the case could not be run as written (exit 2)
    runtime: float = 0.0
    results: list[Result] | None = None   # None when the review never ran
    prints: list[str] = field(default_factory=list)   # Rego print() output

    @property
    def failed(self) -> bool:
        return self.error is not None


@dataclass
class TestResult:
    name: str
    skipped: bool = False
    error: str | None = None
    input_error: bool = False
    runtime: float = 0.0
    cases: list[CaseResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # compatibility rewrites applied to the template

    @property
    def failed(self) -> bool:
        return self.error is not None or any(c.failed for c in self.cases)


@dataclass
class SuiteResult:
    path: str
    skipped: bool = False
    error: str | None = None
    runtime: float = 0.0
    tests: list[TestResult] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.error is not None or any(t.failed for t in self.tests)

    @property
    def input_error(self) -> bool:
        return any(t.input_error or any(c.input_error for c in t.cases) for t in self.tests)


class TemplateError(Exception):
    """The template cannot be added (gator: the test fails)."""


class ConstraintError(Exception):
    """The constraint cannot be added; `schema` when it is a schema validation error."""

    def __init__(self, message: str, schema: bool = False) -> None:
        super().__init__(message)
        self.schema = schema


class CaseError(Exception):
    """The case's review could not run (gator: the case fails)."""


# --- Go RE2 in Python's re ----------------------------------------------------------------------

_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7f", "blank": "\\t ", "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9", "graph": "!-~", "lower": "a-z", "print": " -~", "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ", "upper": "A-Z", "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f",
}


def re2_to_python(pattern: str) -> str:
    """Go's RE2 syntax as a Python `re` pattern (compiled with re.ASCII, as Go's \\d \\w \\s \\b are ASCII).

    Translated: `\\z` (end of text), `$` without `(?m)` (Go's `$` never matches before a final newline),
    `(?<name>...)`, POSIX classes `[[:alpha:]]`, `\\Q...\\E`, `\\x{10FFFF}`, `{,n}` (literal in RE2).
    Rejected as RE2 rejects them: lookaround, backreferences, possessive quantifiers, `\\Z`.
    Rejected because Python cannot express them: Unicode classes `\\pL`/`\\p{Greek}`, `(?U)`.
    Differences left: `(?i)` folds only ASCII letters; Python and RE2 report syntax errors differently.
    """
    multiline = bool(re.search(r"\(\?[a-zA-Z]*m[a-zA-Z]*[:)]", pattern))
    out: list[str] = []
    i, n, in_class = 0, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise ValueError("trailing backslash at end of expression")
            d = pattern[i + 1]
            if d == "Q":
                end = pattern.find("\\E", i + 2)
                literal = pattern[i + 2:] if end < 0 else pattern[i + 2:end]
                out.append("".join("\\" + ch if not ch.isalnum() else ch for ch in literal))
                i = n if end < 0 else end + 2
                continue
            if d == "z" and not in_class:
                out.append("\\Z")
            elif d in "123456789":
                raise ValueError(f"invalid escape sequence: `\\{d}` (RE2 has no backreferences)")
            elif d == "Z":
                raise ValueError("invalid escape sequence: `\\Z`")
            elif d in "pP":
                raise ValueError("Unicode character classes (\\p, \\P) are not supported by this verifier")
            elif d == "x" and i + 2 < n and pattern[i + 2] == "{":
                end = pattern.find("}", i + 3)
                if end < 0:
                    raise ValueError("invalid escape sequence: `\\x{`")
                out.append(f"\\U{int(pattern[i + 3:end] or '0', 16):08x}")
                i = end + 1
                continue
            else:
                out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            if pattern.startswith("[:", i):
                end = pattern.find(":]", i + 2)
                name = pattern[i + 2:end] if end > 0 else ""
                negated = name.startswith("^")
                if name.lstrip("^") not in _POSIX_CLASSES:
                    raise ValueError(f"invalid character class range: `[:{name}:]`")
                if negated:
                    raise ValueError("negated POSIX classes inside a class are not supported by this verifier")
                out.append(_POSIX_CLASSES[name])
                i = end + 2
                continue
            if c == "]":
                in_class = False
                out.append(c)
            elif c in "[&~|":
                out.append("\\" + c)
            else:
                out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            out.append(c)
            i += 1
            if i < n and pattern[i] == "^":
                out.append("^")
                i += 1
            if i < n and pattern[i] == "]":   # a leading ] is a literal in RE2
                out.append("\\]")
                i += 1
            continue
        if c == "(" and pattern.startswith("(?", i):
            if pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
                raise ValueError("invalid or unsupported Perl syntax: lookaround `(?=`, `(?!`, `(?<=`, `(?<!`")
            if pattern.startswith("(?<", i):
                out.append("(?P<")
                i += 3
                continue
            flags = re.match(r"\(\?([a-zA-Z-]*)[:)]", pattern[i:])
            if flags and "U" in flags.group(1):
                raise ValueError("the (?U) flag (ungreedy) is not supported by this verifier")
            if flags and set(flags.group(1)) - set("imsU-"):
                raise ValueError(f"invalid or unsupported Perl syntax: `(?{flags.group(1)}`")
        if c in "*+?}" and i + 1 < n and pattern[i + 1] == "+":
            raise ValueError(f"invalid nested repetition operator: `{c}+`")
        if c == "{" and pattern.startswith("{,", i):
            out.append("\\{")
            i += 1
            continue
        if c == "$" and not multiline:
            out.append("\\Z")
            i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def compile_re2(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(re2_to_python(pattern), re.ASCII)
    except (ValueError, re.error) as exc:
        raise ValueError(f"message contains invalid regular expression: error parsing regexp: {exc}") from None


# --- the regorus AST ----------------------------------------------------------------------------


def _ref_parts(node: Any) -> list[str | None] | None:
    """`a.b["c"][x]` -> ["a", "b", "c", None]; None when the node is not a reference."""
    if not isinstance(node, dict):
        return None
    if "Var" in node:
        return [node["Var"]["value"]]
    if "RefDot" in node:
        base = _ref_parts(node["RefDot"]["refr"])
        return None if base is None else base + [node["RefDot"]["field"][1]]
    if "RefBrack" in node:
        base = _ref_parts(node["RefBrack"]["refr"])
        index = node["RefBrack"]["index"]
        key = index["String"]["value"] if isinstance(index, dict) and "String" in index else None
        return None if base is None else base + [key]
    return None


def _walk(node: Any) -> Iterable[dict[str, Any]]:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))


def _span(node: dict[str, Any]) -> dict[str, int]:
    inner = next(iter(node.values()))
    return inner["span"] if isinstance(inner, dict) and "span" in inner else node.get("span", {})


def _walk_refs(node: Any, visit: Callable[[list[str | None]], None]) -> None:
    """Every maximal reference (and bare variable) under `node`, like OPA's ast.WalkRefs."""
    if isinstance(node, list):
        for item in node:
            _walk_refs(item, visit)
        return
    if not isinstance(node, dict):
        return
    if "RefDot" in node or "RefBrack" in node:
        parts = _ref_parts(node)
        if parts is not None:
            visit(parts)
        cursor = node
        while isinstance(cursor, dict) and ("RefDot" in cursor or "RefBrack" in cursor):
            if "RefBrack" in cursor:
                _walk_refs(cursor["RefBrack"]["index"], visit)
                cursor = cursor["RefBrack"]["refr"]
            else:
                cursor = cursor["RefDot"]["refr"]
        if parts is None:
            _walk_refs(cursor, visit)
        return
    if "Var" in node and isinstance(node["Var"], dict):
        visit([node["Var"]["value"]])
        return
    for value in node.values():
        _walk_refs(value, visit)


@dataclass
class _Module:
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
            parts = _ref_parts(refr)
            if parts and parts[0]:
                names.add(parts[0])
        return names

    def imports(self) -> list[tuple[list[str | None], str]]:
        """(path, alias) of every import."""
        found = []
        for imp in self.ast.get("imports", []):
            parts = _ref_parts(imp["refr"]) or []
            alias = self.text(imp["as"]) if imp.get("as") else (parts[-1] if parts else "")
            found.append((parts, alias or ""))
        return found


def _new_engine(v1: bool) -> Any:
    engine = regorus.Engine()
    engine.set_rego_v0(not v1)
    engine.set_policy_length_config(max_col=20_000, max_file_bytes=4_000_000, max_lines=200_000)
    return engine


def _parse(name: str, source: str, v1: bool) -> _Module:
    engine = _new_engine(v1)
    try:
        engine.add_policy(name, source)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise TemplateError(clean_error(exc)) from None
    ast = json.loads(engine.get_ast_as_json())[0]["ast"]
    return _Module(name, source, ast, [p or "" for p in (_ref_parts(ast["package"]["refr"]) or [])])


def _apply_edits(source: str, edits: list[tuple[int, int, str]]) -> str:
    data = source.encode()
    for start, end, text in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        data = data[:start] + text.encode() + data[end:]
    return data.decode()


# --- compatibility pre-pass -------------------------------------------------------------------


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


def _newline_call_edits(module: _Module) -> list[tuple[int, int, str]]:
    """A reference at the end of a line followed by a line starting with `(` is two expressions in
    OPA; regorus reads a call. Insert `;` after the reference when it ends a whole statement prefix."""
    raw = module.source.encode()
    edits = []
    for node in _walk(module.ast):
        query = node.get("query") if isinstance(node.get("query"), dict) else None
        for stmt in (query or {}).get("stmts", []):
            start = stmt["span"]["start"]
            for inner in _walk(stmt.get("literal")):
                call = inner.get("Call")
                if not isinstance(call, dict) or _ref_parts(call["fcn"]) is None:
                    continue
                fcn_end = _span(call["fcn"])["end"]
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


def _hoist_edits(module: _Module, globals_: set[str]) -> list[tuple[int, int, str]]:
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
        cursor = node
        while isinstance(cursor, dict) and ("RefDot" in cursor or "RefBrack" in cursor):
            if "RefBrack" in cursor:
                operand(cursor["RefBrack"]["index"], found)
                cursor = cursor["RefBrack"]["refr"]
            else:
                cursor = cursor["RefDot"]["refr"]
        if isinstance(cursor, dict) and cursor is not node and is_call(cursor):
            found.append(cursor)   # `f(x).y`: the call is hoisted (OPA issue #7558)
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

    for node in _walk(module.ast):
        query = node.get("query") if isinstance(node.get("query"), dict) else None
        for stmt in (query or {}).get("stmts", []):
            literal = stmt.get("literal") or {}
            negated = literal.get("NotExpr")
            if not isinstance(negated, dict) or stmt.get("with_mods"):
                continue
            prefix = []
            for found in hoisted(negated["expr"]):
                span = _span(found)
                name = f"{_HOIST_PREFIX}{counter[0]}"
                counter[0] += 1
                prefix.append(f"{name} = ({module.text(span)}); ")
                edits.append((span["start"], span["end"], name))
            if prefix:
                start = negated["span"]["start"]
                edits.append((start, start, "".join(prefix)))
    return edits


_VERB = re.compile(r"%(?:%|[-+# 0]*(?:\d+|\*)?(?:\.(?:\d+|\*)?)?([a-zA-Z]))")


def _sprintf_edits(module: _Module) -> list[tuple[int, int, str]]:
    """`sprintf` whose literal format and literal argument array disagree in number: OPA (Go's fmt)
    prints `%!v(MISSING)` or `%!(EXTRA ...)`, regorus raises. Route those calls to a shim."""
    edits = []
    for node in _walk(module.ast):
        call = node.get("Call")
        if not isinstance(call, dict) or _ref_parts(call["fcn"]) != ["sprintf"] or len(call["params"]) != 2:
            continue
        fmt, args = call["params"]
        if "String" not in fmt or "Array" not in args:
            continue
        verbs = [m for m in _VERB.finditer(fmt["String"]["value"]) if m.group(1)]
        if len(verbs) != len(args["Array"].get("items", [])):
            span = _span(call["fcn"])
            edits.append((span["start"], span["end"], _SPRINTF))
    return edits


_inner: Any = None


def _inner_engine() -> Any:
    """A regorus engine the shims delegate to, so they format and match exactly as regorus does."""
    global _inner
    if _inner is None:
        _inner = regorus.Engine()
        _inner.add_policy("astra_compat.rego", "\n".join([
            "package astra_compat",
            "sprintf_out := sprintf(input[0], input[1])",
            "regex_match_out := regex.match(input[0], input[1])",
            "cidr_contains_out := net.cidr_contains(input[0], input[1])",
        ]))
    return _inner


def _delegate(rule: str, *args: Any) -> Any:
    engine = _inner_engine()
    engine.set_input_json(json.dumps(list(args)))
    return json.loads(engine.eval_rule_as_json(f"data.astra_compat.{rule}"))


def _go_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    return "*ast.Term"


def _sprintf_shim(fmt: str, args: list[Any]) -> str:
    verbs = [m for m in _VERB.finditer(fmt) if m.group(1)]
    args = list(args)
    if len(verbs) > len(args):
        pieces, last = [], 0
        for index, match in enumerate(verbs):
            if index >= len(args):
                pieces.append(fmt[last:match.start()] + f"%%!{match.group(1)}(MISSING)")
                last = match.end()
        fmt = "".join(pieces) + fmt[last:]
        return str(_delegate("sprintf_out", fmt, args))
    extra = args[len(verbs):]
    text = str(_delegate("sprintf_out", fmt, args[:len(verbs)]))
    shown = ", ".join(f"{_go_type(v)}={v if isinstance(v, str) else json.dumps(v)}" for v in extra)
    return f"{text}%!(EXTRA {shown})"


def _v0_extensions(engine: Any) -> None:
    """OPA's deprecated builtins, which Gatekeeper keeps for v0 templates and regorus lacks."""
    engine.add_extension("re_match", 2, lambda pattern, value: _delegate("regex_match_out", pattern, value))
    engine.add_extension("any", 1, lambda xs: any(x is True for x in xs))
    engine.add_extension("all", 1, lambda xs: all(x is True for x in xs))
    engine.add_extension("net.cidr_overlap", 2, lambda cidr, ip: _delegate("cidr_contains_out", cidr, ip))


V0_EXTENSIONS = frozenset({"re_match", "any", "all", "net.cidr_overlap"})


# --- templates --------------------------------------------------------------------------------


@dataclass
class Template:
    path: Path
    kind: str
    name: str
    rego: str
    libs: list[str]
    v1: bool
    schema: dict[str, Any] | None
    legacy_schema: bool


def read_template(path: Path) -> Template:
    docs = load_documents(path)
    if not docs:
        raise InputFileError(f"missing objects: path {_q(path.as_posix())} defines no YAML objects")
    doc = docs[0]
    api_version = doc.get("apiVersion") if isinstance(doc, dict) else None
    group, _, version = (api_version or "").rpartition("/") if isinstance(api_version, str) else ("", "", "")
    if not isinstance(doc, dict) or group != "templates.gatekeeper.sh" or doc.get("kind") != "ConstraintTemplate":
        raise InputFileError(f"path {_q(path.as_posix())}: not a ConstraintTemplate")
    spec = _dict(doc.get("spec"))
    crd_spec = _dict(_dict(spec.get("crd")).get("spec"))
    kind = str(((crd_spec.get("names") or {}).get("kind")) or "")
    name = str((doc.get("metadata") or {}).get("name") or "")
    if not kind:
        raise TemplateError("adding template: invalid ConstraintTemplate: spec.crd.spec.names.kind is required")
    if name != kind.lower():
        raise TemplateError(f"adding template: invalid ConstraintTemplate: the ConstraintTemplate's name {_q(name)} is "
                            f"not equal to the lowercase of CRD's Kind: {_q(kind.lower())}")
    targets = spec.get("targets")
    if not isinstance(targets, list) or not targets:
        raise TemplateError("adding template: invalid ConstraintTemplate: no targets specified: ConstraintTemplate must specify one target")
    if len(targets) > 1:
        raise TemplateError("adding template: invalid ConstraintTemplate: multi-target templates are not currently supported")
    target = targets[0] if isinstance(targets[0], dict) else {}
    if target.get("target") != TARGET:
        raise TemplateError(f"adding template: target {_q(target.get('target'))} not recognized; gator knows only {_q(TARGET)}")
    rego, libs, v1 = target.get("rego"), target.get("libs"), False
    if not (isinstance(rego, str) and rego):
        rego, libs = None, None
        for code in target.get("code") or []:
            if isinstance(code, dict) and code.get("engine") == "Rego":
                source = _dict(code.get("source"))
                rego, libs, v1 = source.get("rego"), source.get("libs"), source.get("version") == "v1"
                break
        if rego is None:
            raise TemplateError("adding template: no language driver is installed that handles this constraint "
                                "template (it has no Rego; K8sNativeValidation is not evaluated, as with gator "
                                "--enable-k8s-native-validation=false)")
    if not isinstance(rego, str) or not rego.strip():
        raise TemplateError("adding template: invalid ConstraintTemplate: missing required field: rego")
    if libs is not None and (not isinstance(libs, list) or not all(isinstance(lib, str) for lib in libs)):
        raise TemplateError("adding template: invalid ConstraintTemplate: libs must be a list of strings")
    validation = crd_spec.get("validation") if isinstance(crd_spec.get("validation"), dict) else None
    schema = validation.get("openAPIV3Schema") if validation else None
    legacy = validation.get("legacySchema") if validation else None
    if legacy is None:
        legacy = version != "v1"
    if legacy and schema is None:
        schema = {}
    return Template(path, kind, name, rego, list(libs or []), v1, schema if isinstance(schema, dict) else None, bool(legacy))


@dataclass
class CompiledTemplate:
    template: Template
    engine: Any
    notes: list[str]


_function_probe: dict[str, bool] = {}


def regorus_has_function(name: str) -> bool:
    """Whether regorus knows a builtin (it reports unknown functions only when a rule runs)."""
    if name not in _function_probe:
        engine = _new_engine(True)
        try:
            engine.add_policy("probe.rego", f"package astra_probe\nr := x if {{ x := {name}(input) }}\n")
            engine.set_input_json("{}")
            engine.eval_rule_as_json("data.astra_probe.r")
            _function_probe[name] = True
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            _function_probe[name] = "could not find function" not in str(exc)
    return _function_probe[name]


def _check_modules(entry: _Module, libs: list[_Module], v1: bool) -> None:
    """Gatekeeper's compile rules (frameworks compilers.go and regorewriter), in its order."""
    invalid = "adding template: invalid ConstraintTemplate"
    if "violation" not in entry.rule_names():
        raise TemplateError(f"{invalid}: invalid rego: invalid module: missing required rules: [violation]")
    for lib in libs:
        if len(lib.package) < 2 or lib.package[0] != "lib":
            raise TemplateError(f"{invalid}: invalid lib prefix: path data.{'.'.join(lib.package)} not found in lib prefixes")
    modules = [*libs, entry]
    for module in modules:
        for parts, _ in module.imports():
            dotted = ".".join(p if p is not None else "[_]" for p in parts)
            if parts[:1] == ["input"]:
                raise TemplateError(f"{invalid}: invalid import: cannot import input: {_q(dotted)}")
            if parts[:2] == ["data", "lib"] or parts[:1] == ["future"]:
                continue
            raise TemplateError(f"{invalid}: invalid import: bad import: {_q(dotted)}")
    for module in modules:
        refs: list[list[str | None]] = []
        _walk_refs(module.ast.get("rules", []), refs.append)
        bad = ["disallowed ref " + ".".join(p if p is not None else "[_]" for p in parts) for parts in refs
               if parts[:1] == ["data"] and parts[:2] not in (["data", "inventory"], ["data", "lib"])]
        if bad:
            where = "template" if module is entry else module.name
            raise TemplateError(f"{invalid}: invalid data references: check refs failed on module {where}: {', '.join(bad)}")
    defined: dict[tuple[str, ...], set[str]] = {}
    for module in modules:
        defined.setdefault(tuple(module.package), set()).update(module.rule_names())
    undefined: list[str] = []
    for module in modules:
        aliases = {alias: parts for parts, alias in module.imports()}
        own = defined.get(tuple(module.package), set())
        for node in _walk(module.ast.get("rules", [])):
            call = node.get("Call")
            if not isinstance(call, dict):
                continue
            found = _ref_parts(call["fcn"])
            if not found or None in found:
                continue
            parts = found
            if parts[0] in aliases and parts[0] not in own:
                parts = list(aliases[parts[0]]) + parts[1:]
            if parts[0] == "data":
                path = tuple(p for p in parts[1:-1] if p is not None)
                if parts[-1] not in defined.get(path, set()):
                    undefined.append(".".join(str(p) for p in parts))
                continue
            if len(parts) == 1 and parts[0] in own:
                continue
            name = ".".join(str(p) for p in parts)
            if not v1 and name in V0_EXTENSIONS:
                continue
            if name in UNSUPPORTED_BUILTINS or name.startswith(UNSUPPORTED_PREFIXES):
                undefined.append(f"{name} (an OPA builtin the embedded Rego engine, regorus, does not implement)")
            elif not regorus_has_function(name):
                if name in DEPRECATED_BUILTINS:
                    undefined.append(f"{name} (a deprecated OPA builtin the embedded Rego engine, regorus, does not implement)")
                else:
                    undefined.append(name)
    if undefined:
        listed = "; ".join(f"rego_type_error: undefined function {u}" for u in dict.fromkeys(undefined))
        raise TemplateError(f"adding template: unable to compile modules: {listed}")


def compile_template(template: Template, display: str, compat: bool = True) -> CompiledTemplate:
    """Parse, check and load a template's Rego the way Gatekeeper's driver would accept it.

    `compat=False` skips the compatibility pre-pass (to measure regorus as it is)."""
    v1 = template.v1
    notes: list[str] = []
    sources = [template.rego, *template.libs]
    names = [f"{display}#rego", *(f"{display}#libs[{i}]" for i in range(len(template.libs)))]
    modules: list[_Module] = []
    for index, (name, source) in enumerate(zip(names, sources)):
        if compat and not v1:
            rewritten, changes = split_chained_bodies(source)
            if changes:
                try:
                    _parse(name, rewritten, v1)
                    source = rewritten
                    notes.append(f"{name}: {changes} chained rule bod{'y' if changes == 1 else 'ies'} split into separate rules")
                except TemplateError:
                    pass
        try:
            module = _parse(name, source, v1)
        except TemplateError as exc:
            raise TemplateError(f"adding template: invalid ConstraintTemplate: {exc}") from None
        edits = _newline_call_edits(module) if compat else []
        if edits:
            try:
                module = _parse(name, _apply_edits(module.source, edits), v1)
                notes.append(f"{name}: {len(edits)} line-leading '(' read as a new expression, as OPA does")
            except TemplateError:
                pass
        if index == 0:   # Gatekeeper rewrites the entry module's package to data.template
            span = module.ast["package"]["span"]
            module = _parse(name, _apply_edits(module.source, [(span["start"], span["end"], f"package {TEMPLATE_PACKAGE}")]), v1)
        modules.append(module)
    _check_modules(modules[0], modules[1:], v1)

    engine = _new_engine(v1)
    if not v1:
        _v0_extensions(engine)
    engine.add_extension(_SPRINTF, 2, _sprintf_shim)
    for module in modules:
        globals_ = module.rule_names() | {alias for _, alias in module.imports()} | {"input", "data"}
        edits = _hoist_edits(module, globals_) + _sprintf_edits(module) if compat else []
        source = module.source
        if edits:
            try:
                _parse(module.name, _apply_edits(source, edits), v1)
                source = _apply_edits(source, edits)
                hoisted = sum(1 for start, end, text in edits if start != end and text.startswith(_HOIST_PREFIX))
                if hoisted:
                    notes.append(f"{module.name}: {hoisted} call operand(s) under 'not' evaluated first, as OPA does")
                if any(e[2] == _SPRINTF for e in edits):
                    notes.append(f"{module.name}: sprintf with a mismatched argument count formatted as Go does")
            except TemplateError:
                pass
        try:
            engine.add_policy(module.name, source)
        except BaseException as exc:  # noqa: BLE001 - a Rust panic is a BaseException
            if isinstance(exc, KeyboardInterrupt):
                raise
            raise TemplateError(f"adding template: invalid ConstraintTemplate: {clean_error(exc)}") from None
    return CompiledTemplate(template, engine, notes)


# --- constraints ------------------------------------------------------------------------------

_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


@dataclass
class Constraint:
    name: str
    kind: str
    match: dict[str, Any] | None
    parameters: Any
    enforcement_action: str
    evaluated_by_gator: bool


def _openapi_to_jsonschema(schema: Any) -> Any:
    """OpenAPI v3 (Kubernetes flavour) into JSON Schema draft 4: `nullable`, int-or-string."""
    if isinstance(schema, list):
        return [_openapi_to_jsonschema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _openapi_to_jsonschema(v) for k, v in schema.items() if not k.startswith("x-kubernetes-") and k != "nullable"}
    if schema.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if schema.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"] if isinstance(out["type"], str) else [*out["type"], "null"]
    return out


def _unknown_fields(value: Any, schema: Any, path: str) -> list[str]:
    """Fields Kubernetes would prune as unknown from `value` under a structural `schema`."""
    if not isinstance(schema, dict):
        return []
    found: list[str] = []
    if isinstance(value, dict):
        properties = schema.get("properties")
        additional = schema.get("additionalProperties")
        preserve = bool(schema.get("x-kubernetes-preserve-unknown-fields"))
        if properties is None and not isinstance(additional, dict) and not preserve and schema.get("type") == "object":
            return [f"{path}.{k}" for k in sorted(value)] if value and not schema.get("x-kubernetes-embedded-resource") else []
        for key in sorted(value):
            where = f"{path}.{key}" if path else key
            if isinstance(properties, dict) and key in properties:
                found += _unknown_fields(value[key], properties[key], where)
            elif isinstance(additional, dict):
                found += _unknown_fields(value[key], additional, where)
            elif not preserve and additional is not True:
                found.append(where)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            found += _unknown_fields(item, schema["items"], f"{path}[{i}]")
    return found


def _schema_errors(instance: Any, schema: dict[str, Any]) -> list[str]:
    from jsonschema import Draft4Validator

    validator = Draft4Validator(_openapi_to_jsonschema(schema))
    messages = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path]):
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
        messages.append(f"{where or '<root>'}: {error.message}")
    return messages


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def constraint_schema(template: Template) -> dict[str, Any]:
    """The schema of a Constraint of this template (frameworks crds.CreateSchema)."""
    spec_properties: dict[str, Any] = {
        "match": MATCH_SCHEMA,
        "enforcementAction": {"type": "string"},
        "scopedEnforcementActions": {
            "type": "array",
            "items": {"type": "object", "properties": {
                "action": {"type": "string"},
                "enforcementPoints": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
            }},
        },
    }
    if template.schema is not None:
        parameters = dict(template.schema)
        if template.legacy_schema:
            parameters["x-kubernetes-preserve-unknown-fields"] = True
        spec_properties["parameters"] = parameters
    return {
        "type": "object",
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 63}},
                         "x-kubernetes-preserve-unknown-fields": True},
            "spec": {"type": "object", "properties": spec_properties},
            "status": {"x-kubernetes-preserve-unknown-fields": True},
        },
    }


def read_constraint(path: Path, template: Template) -> Constraint:
    docs = load_documents(path)
    if not docs:
        raise InputFileError(f"missing objects: path {_q(path.as_posix())} defines no YAML objects")
    obj = docs[0]
    if not isinstance(obj, dict) or not obj.get("kind"):
        raise InputFileError(f"reading {_q(path.as_posix())}: Object 'Kind' is missing")
    group, _, version = str(obj.get("apiVersion") or "").rpartition("/")
    if group != "constraints.gatekeeper.sh":
        raise InputFileError(f"path {_q(path.as_posix())}: not a Constraint")
    name = str((obj.get("metadata") or {}).get("name") or "") if isinstance(obj.get("metadata"), dict) else ""
    invalid = "adding constraint: invalid Constraint"
    if not name or len(name) > 253 or not _DNS1123_SUBDOMAIN.match(name):
        raise ConstraintError(f"{invalid}: invalid name: {_q(name)} must be a lowercase RFC 1123 subdomain")
    if obj["kind"] != template.kind:
        raise ConstraintError(f"{invalid}: wrong kind {_q(obj['kind'])} for constraint {_q(name)}; want {_q(template.kind)}")
    if version not in ("v1alpha1", "v1beta1"):
        raise ConstraintError(f"{invalid}: unsupported version {_q(version)} for Constraint {_q(name)}; supported versions: v1alpha1, v1beta1")
    schema = constraint_schema(template)
    errors = _schema_errors(_drop_nulls(obj), schema)
    if errors:
        raise ConstraintError(f"adding constraint: schema validation failed: {'; '.join(errors)}", schema=True)
    unknown = _unknown_fields({k: v for k, v in obj.items() if k not in ("metadata", "status")}, schema, "")
    if unknown:
        raise ConstraintError(f"{invalid}: unknown fields: [{' '.join(unknown)}]")
    spec = _dict(obj.get("spec"))
    match = spec["match"] if isinstance(spec.get("match"), dict) else None
    problems = selector_errors((match or {}).get("labelSelector"), "spec.labelSelector") + \
        selector_errors((match or {}).get("namespaceSelector"), "spec.labelSelector")
    if problems:
        raise ConstraintError(f"adding constraint: {'; '.join(problems)}")
    action = spec.get("enforcementAction", "deny")
    evaluated = True
    if action == "scoped":
        scoped = spec.get("scopedEnforcementActions")
        if scoped is None:
            raise ConstraintError("adding constraint: missing required field: spec.scopedEnforcementActions must be defined")
        evaluated = any(
            isinstance(entry, dict) and any(isinstance(ep, dict) and ep.get("name") in ("*", GATOR_ENFORCEMENT_POINT)
                                            for ep in entry.get("enforcementPoints") or [])
            for entry in scoped or []
        )
    parameters = spec.get("parameters", {})
    return Constraint(name, obj["kind"], match, {} if parameters is None else parameters, str(action), evaluated)


# --- objects, reviews, inventory ----------------------------------------------------------------

_REQUEST_FIELDS = {
    "uid", "kind", "resource", "subResource", "requestKind", "requestResource", "requestSubResource", "name",
    "namespace", "operation", "userInfo", "object", "oldObject", "dryRun", "options",
}
_GVK = ("group", "version", "kind")
_GVR = ("group", "version", "resource")
_USER_INFO = ("username", "uid", "groups", "extra")


def read_objects(path: Path) -> list[dict[str, Any]]:
    docs = load_documents(path)
    if not docs:
        raise InputFileError(f"missing objects: path {_q(path.as_posix())} defines no YAML objects")
    for doc in docs:
        if not isinstance(doc, dict) or not isinstance(doc.get("kind"), str) or not doc.get("kind"):
            raise InputFileError(f"reading {_q(path.as_posix())}: invalid yaml: Object 'Kind' is missing")
    return docs


def _strict(value: Any, fields: Iterable[str], where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputFileError(f"not a valid AdmissionReview object: {where} must be an object")
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise InputFileError(f"not a valid AdmissionReview object: unknown field \"{where}.{unknown[0]}\"")
    return value


def _strings(value: dict[str, Any], keys: Iterable[str], where: str) -> dict[str, str]:
    out = {}
    for key in keys:
        item = value.get(key, "")
        if not isinstance(item, str):
            raise InputFileError(f"not a valid AdmissionReview object: {where}.{key} must be a string")
        out[key] = item
    return out


def admission_request(review_doc: dict[str, Any]) -> dict[str, Any]:
    """The `request` of an AdmissionReview file, as gator hands it on (strict: unknown fields rejected)."""
    _strict(review_doc, ("apiVersion", "kind", "metadata", "request", "response"), "AdmissionReview")
    request = review_doc.get("request")
    if request is None:
        raise CaseError("missing an AdmissionRequest object: request did not actually pass in an AdmissionRequest")
    request = _strict(request, _REQUEST_FIELDS, "request")
    out: dict[str, Any] = {"uid": request.get("uid", "")}
    if not isinstance(out["uid"], str):
        raise InputFileError("not a valid AdmissionReview object: request.uid must be a string")
    out["kind"] = _strings(_strict(request.get("kind"), _GVK, "request.kind"), _GVK, "request.kind")
    out["resource"] = _strings(_strict(request.get("resource"), _GVR, "request.resource"), _GVR, "request.resource")
    for key, keys in (("subResource", None), ("requestKind", _GVK), ("requestResource", _GVR), ("requestSubResource", None)):
        if request.get(key) not in (None, ""):
            out[key] = request[key] if keys is None else _strings(_strict(request[key], keys, f"request.{key}"), keys, f"request.{key}")
    for key in ("name", "namespace"):
        if request.get(key):
            out[key] = request[key]
    out["operation"] = request.get("operation") or ""
    user = _strict(request.get("userInfo"), _USER_INFO, "request.userInfo")
    out["userInfo"] = {k: v for k, v in user.items() if v not in (None, "", [], {})}
    for key in ("object", "oldObject"):
        value = request.get(key)
        if value is not None and (not isinstance(value, dict) or not value.get("kind")):
            raise CaseError(f"object or oldObject cannot be unmarshalled: Object 'Kind' is missing in {json.dumps(value)}")
        out[key] = value
    if out["object"] is None and out["oldObject"] is None:
        raise CaseError("no object or oldObject found to review: AdmissionRequest does not contain an \"object\" or \"oldObject\" to review")
    if request.get("dryRun") is not None:
        out["dryRun"] = request["dryRun"]
    out["options"] = request.get("options")
    if out["operation"] == "DELETE":   # Gatekeeper's setObjectOnDelete
        if out["oldObject"] is None:
            raise CaseError("oldObject cannot be nil for DELETE operations")
        out["object"] = out["oldObject"]
    return out


def plain_review(obj: dict[str, Any]) -> dict[str, Any]:
    """The AdmissionRequest gator builds for a plain object (target.unstructuredToAdmissionRequest)."""
    from astra_guard.gatekeeper.match import group_version_kind, name_of, namespace_of

    group, version, kind = group_version_kind(obj)
    review: dict[str, Any] = {
        "uid": "",
        "kind": {"group": group, "version": version, "kind": kind},
        "resource": {"group": "", "version": "", "resource": ""},
    }
    if name_of(obj):
        review["name"] = name_of(obj)
    if namespace_of(obj):
        review["namespace"] = namespace_of(obj)
    review.update({"operation": "", "userInfo": {}, "object": obj, "oldObject": None, "options": None})
    return review


def build_review(obj: dict[str, Any]) -> dict[str, Any]:
    group = str(obj.get("apiVersion") or "").rpartition("/")[0]
    if obj.get("kind") == "AdmissionReview" and group == "admission.k8s.io":
        review = admission_request(obj)
    else:
        review = plain_review(obj)
    review["namespaceObject"] = None
    return review


def build_inventory(objects: list[dict[str, Any]], where: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """`data.inventory` and the Namespaces gator's cache learns from the same objects."""
    from astra_guard.gatekeeper.match import group_version_kind, name_of, namespace_of

    tree: dict[str, Any] = {}
    namespaces: dict[str, dict[str, Any]] = {}
    for obj in objects:
        group, version, kind = group_version_kind(obj)
        name, namespace = name_of(obj), namespace_of(obj)
        if not version:
            raise CaseError(f"unable to add object to data.inventory: {where}: invalid request object: resource {name} has no version")
        gv = f"{group}/{version}" if group else version
        if namespace:
            tree.setdefault("namespace", {}).setdefault(namespace, {}).setdefault(gv, {}).setdefault(kind, {})[name] = obj
        else:
            tree.setdefault("cluster", {}).setdefault(gv, {}).setdefault(kind, {})[name] = obj
            if kind == "Namespace" and group == "" and version == "v1":
                namespaces[name] = obj
    return tree, namespaces


# --- evaluation -------------------------------------------------------------------------------


def _reduce(raw: Any) -> list[Result]:
    """Gatekeeper's hook: `{msg, details}` per violation with a msg; a set."""
    items = raw if isinstance(raw, list) else list(raw.values()) if isinstance(raw, dict) else []
    seen: dict[str, Result] = {}
    for item in items:
        if not isinstance(item, dict) or "msg" not in item:
            continue
        msg = item["msg"]
        if not isinstance(msg, str):
            raise CaseError(f"extracting message binding: .msg accessor error: {json.dumps(msg)} is of the type "
                            f"{type(msg).__name__}, expected string")
        details = item.get("details", {})
        seen.setdefault(json.dumps([msg, details], sort_keys=True), Result(msg, details))
    return sorted(seen.values(), key=lambda r: (r.msg, json.dumps(r.details, sort_keys=True)))


def evaluate(compiled: CompiledTemplate, constraint: Constraint, review: dict[str, Any], inventory: dict[str, Any],
             namespaces: dict[str, dict[str, Any]], prints: list[str] | None = None) -> list[Result]:
    """The results gator's client.Review returns for this one constraint (Rego `print` output into `prints`)."""
    if not constraint.evaluated_by_gator:
        return []
    try:
        if not review_matches(constraint.match, review, namespaces):
            return []
    except MatchError as exc:
        return [Result(f"unable to match constraints: {exc}", None)]
    engine = compiled.engine.clone()
    engine.set_gather_prints(True)   # gator shows print() output only with --verbose
    engine.add_data_json(json.dumps({"inventory": inventory}))
    engine.set_input_json(json.dumps({"review": review, "parameters": constraint.parameters}))
    try:
        raw = json.loads(engine.eval_rule_as_json(f"data.{TEMPLATE_PACKAGE}.violation"))
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        return [Result(clean_error(exc), {}, engine_error=True)]
    finally:
        if prints is not None:
            try:
                prints += [str(line) for line in engine.take_prints()]
            except Exception:  # noqa: BLE001, S110 - prints are a convenience, never a failure
                pass
    return _reduce(raw)


def _go_list(messages: list[str]) -> str:
    return "[" + " ".join(messages) + "]"


def check_assertion(violations: int | str, message: str | None, results: list[Result]) -> str | None:
    """gator's Assertion.Run: None when it holds, else the failure text."""
    regex = compile_re2(message) if message is not None else None
    matching = sum(1 for r in results if regex is None or regex.search(r.msg))
    got = f"got messages {_go_list([r.msg for r in results])}"
    containing = f" containing {json.dumps(message)}" if message is not None else ""
    prefix = "unexpected number of violations"
    if isinstance(violations, int):
        if violations < 0:
            raise ValueError('invalid yaml: assertion.violation, if set, must be a nonnegative integer, "yes", or "no"')
        if matching != violations:
            return f"{prefix}: got {matching} violations{containing} but want exactly {violations}: {got}"
        return None
    if violations == "yes":
        return None if matching else f"{prefix}: got 0 violations{containing} but want at least 1: {got}"
    if violations == "no":
        return None if not matching else f"{prefix}: got {matching} violations{containing} but want none: {got}"
    raise ValueError('invalid yaml: assertion.violation, if set, must be a nonnegative integer, "yes", or "no"')


# --- the runner -------------------------------------------------------------------------------


class Filter:
    """gator's `--run`: a regex on test or case names, or `test-regex//case-regex`."""

    def __init__(self, expression: str = "") -> None:
        parts = expression.split("//") if expression else []
        if len(parts) > 2:
            raise ValueError('invalid test filter: a filter may include at most one "//"')
        try:
            self.compiled = [compile_re2(p) for p in parts]
        except ValueError as exc:
            raise ValueError(f"invalid test filter: {exc}") from None

    def matches_test(self, test: Test) -> bool:
        if not self.compiled:
            return True
        if len(self.compiled) == 2:
            return bool(self.compiled[0].search(test.name))
        return bool(self.compiled[0].search(test.name)) or any(self.matches_case(test.name, c.name) for c in test.cases)

    def matches_case(self, test_name: str, case_name: str) -> bool:
        if not self.compiled:
            return True
        if len(self.compiled) == 2:
            return bool(self.compiled[1].search(case_name)) and bool(self.compiled[0].search(test_name))
        return bool(self.compiled[0].search(case_name)) or bool(self.compiled[0].search(test_name))


class Runner:
    """Runs suites; templates are compiled once per file content and reused across tests."""

    def __init__(self, run_filter: Filter | None = None, compat: bool = True) -> None:
        self.filter = run_filter or Filter()
        self.compat = compat
        self._templates: dict[tuple[Path, str], CompiledTemplate | TemplateError] = {}

    def template(self, path: Path, display: str) -> CompiledTemplate:
        template = read_template(path)
        key = (path.resolve(), path.read_text(encoding="utf-8"))
        cached = self._templates.get(key)
        if cached is None:
            try:
                cached = compile_template(template, display, self.compat)
            except TemplateError as exc:
                cached = exc
            self._templates[key] = cached
        if isinstance(cached, TemplateError):
            raise cached
        return cached

    def run_suite(self, suite: Suite) -> SuiteResult:
        start = time.perf_counter()
        if suite.skip:
            return SuiteResult(suite.display, skipped=True)
        tests = []
        for test in suite.tests:
            if test.skip or not self.filter.matches_test(test):
                tests.append(TestResult(test.name, skipped=True))
            else:
                tests.append(self.run_test(suite, test))
        return SuiteResult(suite.display, runtime=time.perf_counter() - start, tests=tests)

    def run_test(self, suite: Suite, test: Test) -> TestResult:
        start = time.perf_counter()
        result = TestResult(test.name)
        try:
            template_path = resolve(suite, test.template, "template")
            display = _display(suite, test.template)
            compiled = self.template(template_path, display)
            result.notes = compiled.notes
            if not test.constraint:
                raise InputFileError("invalid Suite: missing constraint")
            constraint = read_constraint(resolve(suite, test.constraint, "constraint"), compiled.template)
            if test.expansion:
                raise InputFileError("expansion templates are not supported by astra-guard gatekeeper verify")
        except InputFileError as exc:
            result.error, result.input_error = str(exc), True
        except TemplateError as exc:
            result.error = str(exc)
            if test.invalid:
                result.error = f"constraint should have failed schema validation: got error {exc} but want schema validation failed"
        except ConstraintError as exc:
            if not (test.invalid and exc.schema):
                result.error = str(exc) if not test.invalid else \
                    f"constraint should have failed schema validation: got error {exc} but want schema validation failed"
        else:
            if test.invalid:
                result.error = "constraint should have failed schema validation: got error <nil> but want schema validation failed"
            else:
                result.cases = [self.run_case(suite, test, case, compiled, constraint) for case in test.cases]
        result.runtime = time.perf_counter() - start
        return result

    def run_case(self, suite: Suite, test: Test, case: Case, compiled: CompiledTemplate, constraint: Constraint) -> CaseResult:
        if case.skip or not self.filter.matches_case(test.name, case.name):
            return CaseResult(case.name, skipped=True)
        start = time.perf_counter()
        result = CaseResult(case.name)
        try:
            if not case.object:
                raise InputFileError("invalid Case: must define object")
            if not case.assertions:
                raise InputFileError("invalid Case: assertions must be non-empty")
            object_path = resolve(suite, case.object, "object")
            objects = read_objects(object_path)
            if len(objects) != 1:
                raise InputFileError(f"object file must contain exactly one object: {_q(object_path.as_posix())} defines {len(objects)} objects")
            inventory_objects: list[dict[str, Any]] = []
            for relative in case.inventory:
                inventory_objects += read_objects(resolve(suite, relative, "inventory"))
            inventory, namespaces = build_inventory(inventory_objects, _display(suite, ", ".join(case.inventory)))
            review = build_review(objects[0])
            result.results = evaluate(compiled, constraint, review, inventory, namespaces, result.prints)
            for assertion in case.assertions:
                try:
                    failure = check_assertion(assertion.violations, assertion.message, result.results)
                except ValueError as exc:
                    result.error, result.input_error = str(exc), True
                    break
                if failure:
                    result.error = failure
                    break
        except InputFileError as exc:
            result.error, result.input_error = str(exc), True
        except CaseError as exc:
            result.error = str(exc)
        result.runtime = time.perf_counter() - start
        return result


def _display(suite: Suite, relative: str) -> str:
    return (Path(suite.display).parent / relative).as_posix() if relative else suite.display
