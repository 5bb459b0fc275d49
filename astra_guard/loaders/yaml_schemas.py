"""What an unquoted YAML scalar means, to the program that will consume the file.

A checker that reads `privileged: y` as the string "y" while the API server reads `true` can be
walked past. So plain (unquoted, untagged) scalars are typed the way their consumer types them:

- `KUBERNETES`: kubectl and the API server read manifests with sigs.k8s.io/yaml, i.e. go-yaml
  v2 (YAML 1.1-ish) into untyped maps, then JSON. Booleans are y/Y/yes/on/n/no/off and
  true/false in three casings; integers are Go's `strconv.ParseInt(s, 0, 64)` after removing
  `_` (`010` is 8, `0o10` is 8, `0x1F`, `0b11`; out of range still an integer), floats need
  only digits and an exponent (`1e3`, `09` is 9.0); no base-60 numbers; timestamps stay
  strings. Keys are typed too, then turned back into strings: `on:` is the key "true", `010:`
  the key "8". A null or fractional key is an input error here (kubectl rejects a null key;
  a float key becomes Go's float32 formatting, which no manifest means to rely on).
- `GITHUB_ACTIONS`: the Actions runner's reader (actions/runner YamlObjectReader) types plain
  scalars by the YAML 1.2 core schema: only true/false are booleans, so
  `continue-on-error: yes` is the string "yes" (which GitHub rejects for a boolean; the CI
  rules count any string but "false" there as possibly true, so it still fails closed),
  `010` is 10, `0o10` is 8. Keys stay as written: the trigger key `on` is "on".
- `YAML_1_1`: PyYAML's safe schema, for astra-guard's own files (configuration,
  attestations), timestamps kept as strings.

NaN and infinities stay their text: JSON, and so Rego, has no such numbers.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

import yaml
from yaml.nodes import ScalarNode

KUBERNETES, GITHUB_ACTIONS, YAML_1_1 = "kubernetes", "github-actions", "yaml-1.1"
MAX_DIGITS = 4000  # Python refuses to convert longer digit strings; no consumer means them either

_GO_WORDS: dict[str, Any] = {
    **dict.fromkeys(["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"], True),
    **dict.fromkeys(["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"], False),
    **dict.fromkeys(["", "~", "null", "Null", "NULL"], None),
}
_SPECIAL_FLOATS = frozenset(
    [".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"]
)
_GO_INT = re.compile(r"[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_GO_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_GO_DOT_FLOAT = re.compile(r"\.[0-9]+(?:[eE][-+]?[0-9]+)?")

_CORE_WORDS: dict[str, Any] = {
    **dict.fromkeys(["", "~", "null", "Null", "NULL"], None),
    **dict.fromkeys(["true", "True", "TRUE"], True),
    **dict.fromkeys(["false", "False", "FALSE"], False),
}
_CORE_INT = re.compile(r"[-+]?[0-9]+")
_CORE_FLOAT = _GO_FLOAT

_PYYAML_RESOLVER = yaml.resolver.Resolver()
_PYYAML_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _go_int(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    prefix = body[:2].lower()
    if prefix in ("0x", "0o", "0b"):
        return sign * int(body[2:], {"0x": 16, "0o": 8, "0b": 2}[prefix])
    if len(body) > 1 and body.startswith("0"):
        return sign * int(body[1:], 8)
    return sign * int(body)


def _check_digits(text: str) -> None:
    if len(text) > MAX_DIGITS:
        raise ValueError(f"a number of {len(text)} digits; no consumer reads it as written")


def _finite(value: float, text: str) -> Any:
    return value if math.isfinite(value) else text


def go_yaml_v2(text: str) -> Any:
    """A plain scalar as go-yaml v2 (sigs.k8s.io/yaml) reads it into an untyped value."""
    if text in _GO_WORDS:
        return _GO_WORDS[text]
    if text in _SPECIAL_FLOATS or not text or text[0] not in "+-.0123456789":
        return text
    if text[0] == ".":
        return _finite(float(text), text) if _GO_DOT_FLOAT.fullmatch(text) else text
    plain = text.replace("_", "")
    if _GO_INT.fullmatch(plain):
        _check_digits(plain)
        return _go_int(plain)
    if _GO_FLOAT.fullmatch(plain):
        _check_digits(plain)
        return _finite(float(plain), text)
    return text


def yaml_1_2_core(text: str) -> Any:
    """A plain scalar as the GitHub Actions runner reads it (YAML 1.2 core schema)."""
    if text in _CORE_WORDS:
        return _CORE_WORDS[text]
    if text in _SPECIAL_FLOATS:
        return text
    if _CORE_INT.fullmatch(text):
        _check_digits(text)
        return int(text)
    if re.fullmatch(r"0x[0-9a-fA-F]+|0o[0-7]+", text):
        _check_digits(text)
        return int(text, 0)
    if _CORE_FLOAT.fullmatch(text):
        _check_digits(text)
        return _finite(float(text), text)
    return text


def pyyaml_1_1(text: str) -> Any:
    """A plain scalar as PyYAML's safe loader reads it, timestamps kept as strings."""
    tag = _PYYAML_RESOLVER.resolve(ScalarNode, text, (True, False))
    if tag == "tag:yaml.org,2002:timestamp":
        return text
    if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
        _check_digits(text)
    value = _PYYAML_CONSTRUCTOR.construct_object(ScalarNode(tag, text), deep=True)
    if isinstance(value, float):
        return _finite(value, text)
    return value


PLAIN_SCALAR = {KUBERNETES: go_yaml_v2, GITHUB_ACTIONS: yaml_1_2_core, YAML_1_1: pyyaml_1_1}

# Manifests repeat their keys and many values (name, image, "true", apiVersion, ...): typing a
# short text is remembered, in bounded LRU memos, so no input can make them grow: at most
# MEMO_SIZE texts of MEMO_LENGTH characters each. A text that raises is not remembered.
MEMO_SIZE = 4096
MEMO_LENGTH = 64
REMEMBERED_PLAIN_SCALAR = {schema: functools.lru_cache(maxsize=MEMO_SIZE)(plain) for schema, plain in PLAIN_SCALAR.items()}
"""`PLAIN_SCALAR`, remembered: for texts of at most MEMO_LENGTH characters (all return immutable values)."""


def kubernetes_key(text: str) -> str:
    """A plain mapping key as sigs.k8s.io/yaml turns it into a JSON key; ValueError if it cannot."""
    if len(text) <= MEMO_LENGTH:
        return _remembered_kubernetes_key(text)
    return _kubernetes_key(text)


def _kubernetes_key(text: str) -> str:
    value = go_yaml_v2(text)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if value is None:
        raise ValueError(f"the key '{text}' is null to kubectl, which rejects it; quote it")
    if isinstance(value, float):
        raise ValueError(f"the key '{text}' is a float to kubectl, which rewrites it; quote it")  # noqa: TRY004
    return value


_remembered_kubernetes_key = functools.lru_cache(maxsize=MEMO_SIZE)(_kubernetes_key)
