"""A scan, end to end: discover, load, merge patches, evaluate, locate. The library entry point."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from astra_guard.config import Config, load_config
from astra_guard.discovery import SourceFile, discover, scan_root
from astra_guard.engine.python_rules import run_python_rules
from astra_guard.engine.rego_embedded import EmbeddedRegoEngine, RuleFault
from astra_guard.findings import Finding, ScanResult, Severity, Violation, fingerprint
from astra_guard.loaders import load_bytes
from astra_guard.model import InputError, LoadResult, Resource
from astra_guard.patches import apply_patches, workload_ref_notes
from astra_guard.rules.catalog import RuleCatalog, load_catalog, rego_root
from astra_guard.rules.meta import RuleMeta
from astra_guard.target import target_version

MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass
class ScanOptions:
    """What a scan may be told; the command line fills it, library users too."""

    root: Path | None = None
    config_path: Path | None = None  # default: .astra-guard.yaml in the scan root, if present
    k8s_version: str | None = None
    max_file_bytes: int = MAX_FILE_BYTES
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    disabled_rules: frozenset[str] = frozenset()
    policy_dirs: tuple[Path, ...] = ()  # the user's own rules, besides the config's policy_dirs


def catalog_for(config: Config, root: Path, options: ScanOptions) -> RuleCatalog:
    """The built-in rules plus the user's (from --policy-dir and the config), ids checked."""
    dirs = tuple(dict.fromkeys(p.resolve() for p in (*options.policy_dirs, *config.policy_paths(root))))
    catalog = load_catalog(dirs)
    config.check_rule_ids(set(catalog.rules))
    return catalog


def rule_params(meta: RuleMeta, config: Config, options: ScanOptions, target: str) -> dict[str, Any]:
    """Defaults, then configured settings of the same name, then what the scan resolved."""
    params = meta.default_params()
    for name in params:
        if name in config.settings:
            params[name] = config.settings[name]
    if "target_version" in params:
        params["target_version"] = target
    params.update(options.params.get(meta.id, {}))
    return params


def load_file(source: SourceFile, max_bytes: int = MAX_FILE_BYTES) -> LoadResult:
    """Read one file from disk into resources; unreadable or oversized files become errors."""
    try:
        size = source.path.stat().st_size
        if size > max_bytes:
            result = LoadResult(source.rel, source.family)
            result.errors.append(InputError(source.rel, 1, f"file is {size} bytes, over the {max_bytes}-byte limit; not evaluated"))
            return result
        raw = source.path.read_bytes()
    except OSError as exc:
        result = LoadResult(source.rel, source.family)
        result.errors.append(InputError(source.rel, 1, f"cannot read the file: {exc.strerror or exc}"))
        return result
    result = load_bytes(raw, source.rel, source.family)
    result.sha256 = hashlib.sha256(raw).hexdigest()
    return result


def locate(meta: RuleMeta, violation: Violation) -> Finding:
    """Turn a rule's path into the exact line, and stamp the rule's metadata on it."""
    resource = violation.resource
    span, _ = resource.locate(violation.path)
    kubernetes = resource.family == "kubernetes"
    return Finding(
        rule_id=meta.id,
        title=meta.title,
        severity=violation.severity or meta.severity,
        checklist_item=meta.checklist_item,
        message=violation.message,
        file=span.file,
        line=span.line,
        end_line=span.line,
        column=span.column,
        resource_kind=resource.kind,
        resource_name=resource.name,
        resource_namespace=resource.namespace if kubernetes else None,
        path=violation.path,
        fingerprint=fingerprint(meta.id, resource.file, resource.identity, violation.path),
    )


def apply_severity(finding: Finding, overrides: dict[str, Severity]) -> Finding:
    """The configuration's severity for a rule replaces the rule's (and the case's) own."""
    severity = overrides.get(finding.rule_id)
    return finding if severity is None else replace(finding, severity=severity)


def error_finding(catalog: RuleCatalog, error: InputError) -> Finding:
    meta = catalog.get("input-error")
    return Finding(
        rule_id=meta.id, title=meta.title, severity=meta.severity, checklist_item=None,
        message=error.message, file=error.file, line=error.line, end_line=error.line, column=error.column,
        resource_kind=None, resource_name=None, resource_namespace=None, path=(),
        fingerprint=fingerprint(meta.id, error.file, "", ("line", error.line)),
    )


def fault_finding(meta: RuleMeta, fault: RuleFault, root_files: list[str]) -> tuple[Finding, InputError]:
    resource = fault.resource
    file = resource.file if resource else (root_files[0] if root_files else ".")
    line = resource.locate(())[0].line if resource else 1
    message = f"rule {meta.id} could not be evaluated{' on ' + resource.kind + ' ' + resource.name if resource else ''}: {fault.message}"
    finding = Finding(
        rule_id=meta.id, title=meta.title, severity=max(meta.severity, Severity.HIGH, key=lambda s: s.rank),
        checklist_item=meta.checklist_item, message=message, file=file, line=line, end_line=line, column=1,
        resource_kind=resource.kind if resource else None, resource_name=resource.name if resource else None,
        resource_namespace=resource.namespace if resource else None, path=(),
        fingerprint=fingerprint(meta.id, file, resource.identity if resource else "", ("fault",)),
    )
    return finding, InputError(file, line, message)


def evaluate(
    resources: list[Resource], catalog: RuleCatalog, options: ScanOptions, config: Config, target: str
) -> tuple[list[Finding], list[InputError]]:
    """Every enabled rule over the resources: findings, plus errors for rules that failed."""
    disabled = options.disabled_rules | config.disabled_rules
    enabled = [m for m in catalog if m.id not in disabled]
    rego_rules = [(m, catalog.rego_files[m.id]) for m in enabled if m.engine == "rego"]
    python_rules = [catalog.python_rules[m.id] for m in enabled if m.id in catalog.python_rules]
    params = {m.id: rule_params(m, config, options, target) for m in enabled}
    engine = EmbeddedRegoEngine(rego_rules, catalog.rego_libs, params, trusted=rego_root())
    found, faults = engine.evaluate(resources)
    py_found, py_faults = run_python_rules(python_rules, resources, params)
    findings = [locate(catalog.get(rule_id), v) for rule_id, v in [*found, *py_found]]
    errors: list[InputError] = []
    files = sorted({r.file for r in resources})
    for fault in [*faults, *py_faults]:
        finding, error = fault_finding(catalog.get(fault.rule_id), fault, files)
        findings.append(finding)
        errors.append(error)
    return findings, errors


def scan(paths: list[Path], options: ScanOptions | None = None) -> ScanResult:
    """Scan files and directories; never raises for bad input, only for bad usage or policies."""
    options = options or ScanOptions()
    started = time.perf_counter()
    root = (options.root or scan_root(paths)).resolve()
    config = load_config(options.config_path, root)
    catalog = catalog_for(config, root, options)
    found = discover(paths, root, config.excluded)
    result = ScanResult(root=str(found.root), skipped=list(found.skipped), config_source=config.source,
                        config=config.raw, policy_dirs=catalog.policy_dirs, unrecognised_files=found.unrecognised)
    resources: list[Resource] = []
    for source in found.files:
        loaded = load_file(source, options.max_file_bytes)
        result.files.append(loaded)
        result.errors += loaded.errors
        result.skipped += loaded.skipped
        resources += loaded.resources
    resources, patch_notes = apply_patches(resources)
    result.skipped += patch_notes + workload_ref_notes(resources)
    result.resources = len(resources)
    result.target_version, result.target_version_source = target_version(resources, options.k8s_version, config.target_version)
    findings, rule_errors = evaluate(resources, catalog, options, config, result.target_version)
    result.errors += rule_errors
    findings += [error_finding(catalog, e) for e in result.errors if e not in rule_errors]
    findings = [apply_severity(f, config.severity) for f in findings]
    unique = {(f.rule_id, f.file, f.line, f.column, f.message): f for f in findings}
    result.findings = sorted(unique.values(), key=lambda f: f.sort_key)
    result.errors.sort(key=lambda e: (e.file, e.line))
    result.duration_seconds = time.perf_counter() - started
    return result
