"""Secrets never reach a report: values of names that look like secrets are masked.

A report goes where the repository does not (a CI log, an auditor's inbox, GitHub code
scanning), and its messages and quoted lines come from the repository: a rule quoting a
command (`TRIVY_PASSWORD=hunter2 trivy image ...`) or the HTML checklist quoting a source
line could carry a credential along. So every message and quoted line passes `Masker.mask`:

- text: a value assigned to a name containing TOKEN, PASSWORD (PASSWD), SECRET or KEY, in
  any case (`NAME=value`, `NAME: value`, `"NAME": "value"`, `--name value`, `ENV NAME value`,
  `{name: NAME, value: value}`), a bearer/basic credential and the password of a URL;
- values: every literal the scan read under such a name (a container's env entry, a
  workflow's `env:`/`with:`, a Dockerfile ENV/ARG, a Jenkinsfile `environment`, a Terraform
  attribute) and every value of a Kubernetes Secret is masked wherever else it shows up.

Names that refer to a secret rather than hold one (`secretName`, `secretKeyRef`,
`kms_key_id`, `key_name`, a bare `key`), or name an error (`KeyError`), are not secret-like; references (`$TOKEN`,
`${{ secrets.X }}`) and booleans are not masked; values shorter than 4 characters are only
masked next to their name, since masking them everywhere would mask line numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache
from typing import Any

from astra_guard.findings import Finding
from astra_guard.model import InputError, LoadResult, Resource

MASK = "****"
MIN_VALUE_LENGTH = 4

_SECRET_WORD = re.compile(r"token|passw(?:or)?d|secret|key", re.IGNORECASE)
_SECRET_WORDS = ("token", "passw", "secret", "key")  # casefolded text holding none cannot match _SECRET_WORD
_REFERENCE_SUFFIX = re.compile(
    r"(?:name|names|id|ids|arn|arns|ref|refs|selector|path|file|version|type|length|size|error|exception)$", re.IGNORECASE
)
_NOT_VALUES = frozenset({"true", "false", "yes", "no", "on", "off", "null", "none", "~", "", "read", "write"})
_NAME = r"[A-Za-z0-9_.-]*(?:token|passw(?:or)?d|secret|key)[A-Za-z0-9_.-]*"
_VALUE = r"(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s\"',;}\]\)(]++(?!\())"  # a call (credentials('x')) refers
_PATTERNS = [
    # {name: API_TOKEN, value: abc} (Kubernetes env entries, flow style)
    re.compile(rf"(?P<lead>\bname[\"']?\s*:\s*[\"']?(?P<name>{_NAME})[\"']?\s*,\s*[\"']?value[\"']?\s*:\s*)(?P<value>{_VALUE})", re.IGNORECASE),
    # NAME=value, NAME: value, "NAME": "value", NAME = 'value'
    re.compile(rf"(?P<lead>(?P<name>{_NAME})[\"']?\s*(?::|=)\s*(?:[!&]\S*\s+)*)(?P<value>{_VALUE})", re.IGNORECASE),
    # --password value (command-line flags)
    re.compile(rf"(?P<lead>(?<![\w-])(?P<name>--?{_NAME})\s+)(?P<value>(?!-){_VALUE})", re.IGNORECASE),
    # ENV API_KEY value (Dockerfile's legacy ENV form)
    re.compile(rf"(?P<lead>\bENV\s+(?P<name>[A-Za-z_]\w*)\s+)(?P<value>{_VALUE})"),
]
_BEARER = re.compile(r"(?P<lead>\b(?:bearer|basic)\s+)(?P<value>[A-Za-z0-9._~+/=-]{8,})", re.IGNORECASE)
_URL_PASSWORD = re.compile(r"(?P<lead>://[^/\s:@]+:)(?P<value>[^/\s@]+)(?=@)")
_ENV_PAIR = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:=|\s+)(?P<value>\"[^\"]*\"|'[^']*'|\S+)")


@lru_cache(maxsize=65536)  # a scan asks about the same few hundred keys a million times
def looks_secret(name: str) -> bool:
    """Whether a name looks like it holds a secret (not one that merely refers to a secret)."""
    stripped = name.strip("-\"' ")
    if stripped.lower() in ("key", "keys") or not _SECRET_WORD.search(stripped):
        return False
    return not _REFERENCE_SUFFIX.search(stripped)


def _maskable(value: str) -> bool:
    bare = value.strip("\"'")
    return bool(bare) and bare.lower() not in _NOT_VALUES and not bare.startswith("$")


def _quoted_mask(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[0] + MASK + value[0]
    return MASK


def _mask_named(match: re.Match[str]) -> str:
    name, value = match.group("name"), match.group("value")
    if not looks_secret(name) or not _maskable(value):
        return match.group(0)
    return match.group("lead") + _quoted_mask(value)


class Masker:
    """Masks secret-looking assignments, and the secret values a scan read, in any text."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        usable = sorted({v for v in values if len(v) >= MIN_VALUE_LENGTH and _maskable(v)}, key=len, reverse=True)
        self._values = re.compile("|".join(map(re.escape, usable))) if usable else None

    @classmethod
    def for_resources(cls, resources: Iterable[Resource]) -> Masker:
        return cls(v for r in resources for v in secret_values(r))

    def mask(self, text: str) -> str:
        if not text:
            return text
        folded = text.casefold()  # the gates below: a substring test is ten times a case-blind regex
        if any(word in folded for word in _SECRET_WORDS):  # every named pattern needs a secret-looking name
            for pattern in _PATTERNS:
                text = pattern.sub(_mask_named, text)
        if "bearer" in folded or "basic" in folded:  # what _BEARER needs to match at all
            text = _BEARER.sub(lambda m: m.group("lead") + MASK, text)
        if "://" in text:
            text = _URL_PASSWORD.sub(lambda m: m.group("lead") + MASK, text)
        if self._values is not None:
            text = self._values.sub(MASK, text)
        return text


def _walk(value: Any) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """(key, value, the mapping holding it) for every mapping entry, depth first, no recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, inner in item.items():
                yield str(key), inner, item
                stack.append(inner)
        elif isinstance(item, list):
            stack.extend(item)


def secret_values(resource: Resource) -> Iterator[str]:
    """The literal values a resource assigns to secret-looking names (all of a Secret's)."""
    if resource.family == "kubernetes" and resource.kind == "Secret":
        for section in ("data", "stringData"):
            entries = resource.data.get(section)
            if isinstance(entries, dict):
                yield from (v for v in entries.values() if isinstance(v, str))
    for key, value, holder in _walk(resource.data):
        if isinstance(value, str) and looks_secret(key) or key == "value" and isinstance(value, str) and isinstance(holder.get("name"), str) and looks_secret(holder["name"]):
            yield value
        elif key == "cmd" and value in ("ENV", "ARG") and isinstance(holder.get("value"), str):
            for pair in _ENV_PAIR.finditer(holder["value"]):
                if looks_secret(pair.group("name")):
                    yield pair.group("value").strip("\"'")


def file_secrets(loaded: LoadResult) -> tuple[str, ...]:
    """The secret values a file's resources hold (what `LoadResult.secrets` caches)."""
    return tuple(dict.fromkeys(v for r in loaded.resources for v in secret_values(r)))


def mask_scan(findings: list[Finding], errors: list[InputError], files: Iterable[LoadResult]) -> tuple[list[Finding], list[InputError]]:
    """Findings and input errors with their messages masked, using the secrets the scan read."""
    masker = Masker(v for loaded in files for v in (file_secrets(loaded) if loaded.secrets is None else loaded.secrets))
    def masked(item: Any) -> Any:
        message = masker.mask(item.message)
        return item if message == item.message else replace(item, message=message)

    return [masked(f) for f in findings], [masked(e) for e in errors]
