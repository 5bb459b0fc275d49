"""Builtins the compatibility pre-pass (compat.py) adds to a template's engine.

`sprintf` with fewer or more arguments than verbs formats as Go's fmt does (`%!v(MISSING)`,
`%!(EXTRA type=value)`), and v0 templates get OPA's deprecated builtins `re_match`, `any`, `all` and
`net.cidr_overlap`, which Gatekeeper keeps for them. The shims delegate to regorus' own builtins, so
they format and match exactly as regorus does.
"""

from __future__ import annotations

import json
import re
from typing import Any

import regorus

SPRINTF_SHIM = "__astra_sprintf"
FORMAT_VERB = re.compile(r"%(?:%|[-+# 0]*(?:\d+|\*)?(?:\.(?:\d+|\*)?)?([a-zA-Z]))")

_inner: Any = None


def _inner_engine() -> Any:
    """A regorus engine the shims delegate to, so they format and match exactly as regorus does."""
    global _inner
    if _inner is None:
        _inner = regorus.Engine()
        _inner.add_policy("astra_compat.rego", (
            "package astra_compat\n"
            "sprintf_out := sprintf(input[0], input[1])\n"
            "regex_match_out := regex.match(input[0], input[1])\n"
            "cidr_contains_out := net.cidr_contains(input[0], input[1])"
        ))
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


def sprintf_shim(fmt: str, args: list[Any]) -> str:
    verbs = [m for m in FORMAT_VERB.finditer(fmt) if m.group(1)]
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


def add_v0_extensions(engine: Any) -> None:
    """OPA's deprecated builtins, which Gatekeeper keeps for v0 templates and regorus lacks."""
    engine.add_extension("re_match", 2, lambda pattern, value: _delegate("regex_match_out", pattern, value))
    engine.add_extension("any", 1, lambda xs: any(x is True for x in xs))
    engine.add_extension("all", 1, lambda xs: all(x is True for x in xs))
    engine.add_extension("net.cidr_overlap", 2, lambda cidr, ip: _delegate("cidr_contains_out", cidr, ip))


V0_EXTENSIONS = frozenset({"re_match", "any", "all", "net.cidr_overlap"})
