"""JSON text for reports: indented where a reader looks, one line per item below.

`json.dumps(..., indent=2)` runs the standard library's pure-Python encoder (only unindented
output gets the C one): a report of 40,000 findings then takes seconds to write. Here the top
levels are laid out by hand, and every value from `flat_from` levels down is encoded by the C
encoder on one line: a finding, a SARIF result or a rule is one line, which also diffs well.
"""

from __future__ import annotations

import json
from typing import Any


_ENCODERS = {ascii_only: json.JSONEncoder(ensure_ascii=ascii_only) for ascii_only in (True, False)}  # built once


def dumps(value: Any, flat_from: int = 2, ensure_ascii: bool = False) -> str:
    """`value` as JSON text ending in a newline; containers above depth `flat_from` are indented."""
    flat = _ENCODERS[ensure_ascii].encode

    def encode(item: Any, depth: int, pad: str) -> str:
        if depth >= flat_from or not isinstance(item, (dict, list)) or not item:
            return flat(item)
        inner = pad + "  "
        if isinstance(item, dict):
            lines = [f"{inner}{flat(str(k))}: {encode(v, depth + 1, inner)}" for k, v in item.items()]
            return "{\n" + ",\n".join(lines) + "\n" + pad + "}"
        return "[\n" + ",\n".join(inner + encode(v, depth + 1, inner) for v in item) + "\n" + pad + "]"

    return encode(value, 0, "") + "\n"
