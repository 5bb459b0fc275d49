"""`.astra-guard.yaml`: read with positions, validated by its JSON Schema, turned into settings.

A bad configuration is a usage error (exit 2) that names the key, the line and why.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from astra_guard.errors import UsageError
from astra_guard.findings import Severity
from astra_guard.loaders.text import decode
from astra_guard.loaders.yaml_source import load_yaml_stream

CONFIG_NAME = ".astra-guard.yaml"
MAX_CONFIG_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Config:
    """What the configuration says, with defaults for everything it does not."""

    source: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)  # rule parameters by name
    disabled_rules: frozenset[str] = frozenset()
    severity: dict[str, Severity] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    target_version: str | None = None
    attestations: str | None = None
    checklist_fail_on: str | None = None
    policy_dirs: tuple[str, ...] = ()
    policy_dir_lines: tuple[int, ...] = ()  # the line of each entry of `policy_dirs`, in order
    rule_id_lines: dict[tuple[str, str], int] = field(default_factory=dict)
    waiver_lines: tuple[int, ...] = ()  # the line of each entry of `waivers`, in order
    limits: dict[str, int] = field(default_factory=dict)  # the `limits:` section (see astra_guard.limits)

    def check_rule_ids(self, known_rules: set[str]) -> None:
        """Every rule id the configuration names must exist (built-in or from policy_dirs)."""
        for (section, rule_id), line in self.rule_id_lines.items():
            if rule_id not in known_rules:
                raise UsageError(f"invalid configuration {self.source}:{line}: rules.{section}: unknown rule id '{rule_id}'")

    def policy_paths(self, root: Path) -> tuple[Path, ...]:
        """policy_dirs, relative to the scan root, which they may not leave.

        A repository's configuration loads rules from the repository only: its Python rules run
        as code, and a pull request that edits the configuration must not reach, through `..` or
        a symbolic link, whatever else the runner holds. `--policy-dir` is the user's own choice
        and may point anywhere."""
        top = root.resolve()
        paths = []
        for i, d in enumerate(self.policy_dirs):
            path = (root / d).resolve()
            if not path.is_relative_to(top):
                line = self.policy_dir_lines[i] if i < len(self.policy_dir_lines) else 1
                raise UsageError(f"invalid configuration {self.source}:{line}: policy_dirs: '{d}' is outside the scan "
                                 f"root ({path}); a repository's configuration loads rules from the repository only: "
                                 "pass that directory with --policy-dir to trust it")
            paths.append(path)
        return tuple(paths)

    def excluded(self, rel_path: str) -> bool:
        """True when a path (relative to the scan root) matches an `exclude` glob."""
        return any(_glob(rel_path, pattern) for pattern in self.exclude)


def _glob(path: str, pattern: str) -> bool:
    pattern = pattern.rstrip("/")
    candidates = {pattern, pattern[3:] if pattern.startswith("**/") else pattern}
    for p in candidates:
        if fnmatch.fnmatchcase(path, p) or fnmatch.fnmatchcase(path, p + "/**") or (
            p.endswith("/**") and path == p[:-3]
        ):
            return True
    return False


def _schema() -> dict[str, Any]:
    return json.loads(resources.files("astra_guard").joinpath("schemas/config.schema.json").read_text())


def _where(error: Any) -> str:
    return ".".join(str(p) for p in error.absolute_path) or "(top level)"


def _validate(data: Any, source: str, spans: dict[Any, Any]) -> None:
    from jsonschema import Draft202012Validator

    errors = sorted(Draft202012Validator(_schema()).iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    error = errors[0]
    key = _where(error)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        key = ".".join([*(str(p) for p in error.absolute_path), extra[0]]) if extra else key
        reason = f"unknown key '{key}'"
        path = tuple(error.absolute_path) + (extra[0],) if extra else tuple(error.absolute_path)
    else:
        reason = f"{key}: {error.message}"
        path = tuple(error.absolute_path)
    span = spans.get(path)
    line = f":{span.line}" if span else ""
    raise UsageError(f"invalid configuration {source}{line}: {reason}")


def load_config(path: Path | None, root: Path, known_rules: set[str] | None = None) -> Config:
    """The explicit `--config`, else `.astra-guard.yaml` in the scan root, else defaults."""
    if path is None:
        candidate = root / CONFIG_NAME
        if not candidate.is_file():
            return Config()
        if not candidate.resolve().is_relative_to(root.resolve()):  # the repository's own file, not /etc/passwd
            raise UsageError(f"the configuration {candidate} is a symbolic link out of the scan root; not read")
        path = candidate
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
        if len(raw) > MAX_CONFIG_BYTES:
            raise UsageError(f"the configuration {path} is over {MAX_CONFIG_BYTES} bytes; not read")
        decoded = decode(raw)
    except OSError as exc:
        raise UsageError(f"cannot read the configuration {path}: {exc.strerror or exc}") from None
    source = str(path)
    if decoded.error or decoded.binary:
        raise UsageError(f"invalid configuration {source}: {decoded.error or 'binary content'}")
    stream = load_yaml_stream(decoded.text, source)
    if stream.errors:
        first = stream.errors[0]
        raise UsageError(f"invalid configuration {source}:{first.line}: {first.message}")
    if not stream.documents:
        return Config(source=source)
    doc = stream.documents[0]
    data = doc.data if doc.data is not None else {}
    _validate(data, source, doc.spans)
    config = _build(data, source, doc.spans)
    if known_rules is not None:
        config.check_rule_ids(known_rules)
    return config


def _build(data: dict[str, Any], source: str, spans: dict[Any, Any]) -> Config:
    rules = data.get("rules", {})
    lines: dict[tuple[str, str], int] = {}
    for section, ids in (("disabled", rules.get("disabled", [])), ("severity", list(rules.get("severity", {})))):
        for i, rule_id in enumerate(ids):
            span = spans.get(("rules", section, i if section == "disabled" else rule_id))
            lines[(section, rule_id)] = span.line if span else 1
    settings: dict[str, Any] = {}
    if "namespace_selector" in data.get("gateway", {}):
        settings["gateway_namespace_selector"] = data["gateway"]["namespace_selector"]
    if "also_admit" in data.get("gateway", {}):
        settings["also_admit_namespace_selectors"] = data["gateway"]["also_admit"]
    if "allowed" in data.get("registries", {}):
        settings["allowed_registries"] = data["registries"]["allowed"]
    if "allowed_add" in data.get("capabilities", {}):
        settings["allowed_add"] = data["capabilities"]["allowed_add"]
    checklist = data.get("checklist", {})
    return Config(
        source=source,
        raw=data,
        settings=settings,
        disabled_rules=frozenset(rules.get("disabled", [])),
        severity={k: Severity(v) for k, v in rules.get("severity", {}).items()},
        exclude=tuple(data.get("exclude", [])),
        target_version=data.get("kubernetes", {}).get("target_version"),
        attestations=checklist.get("attestations"),
        checklist_fail_on=checklist.get("fail_on"),
        policy_dirs=tuple(data.get("policy_dirs", [])),
        policy_dir_lines=tuple(_line(spans, ("policy_dirs", i)) for i in range(len(data.get("policy_dirs", [])))),
        rule_id_lines=lines,
        waiver_lines=tuple(_line(spans, ("waivers", i)) for i in range(len(data.get("waivers", [])))),
        limits=dict(data.get("limits", {})),
    )


def _line(spans: dict[Any, Any], path: tuple[Any, ...]) -> int:
    span = spans.get(path)
    return span.line if span else 1
