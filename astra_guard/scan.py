"""A scan, end to end: discover, load, merge patches, evaluate, locate. The library entry point."""

from __future__ import annotations

import codecs
import hashlib
import stat
import time
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, Callable

from astra_guard.config import Config, load_config
from astra_guard.discovery import SourceFile, scan_root
from astra_guard.engine.python_rules import run_python_rules
from astra_guard.engine.rego_embedded import EmbeddedRegoEngine, RuleFault
from astra_guard.findings import Finding, ScanResult, Severity, Violation, fingerprint
from astra_guard.gate import gate
from astra_guard.limits import Limits, over_resources
from astra_guard.loaders import TERRAFORM, load_bytes
from astra_guard.loaders.yaml_source import YamlLimits
from astra_guard.loading import load_all, quiet_gc
from astra_guard.masking import mask_scan
from astra_guard.model import InputError, LoadResult, Resource, Skipped
from astra_guard.parse_cache import ParseCache, open_cache
from astra_guard.patches import apply_patches, workload_ref_notes
from astra_guard.rules.catalog import RuleCatalog, load_catalog, rego_root
from astra_guard.rules.meta import RuleMeta
from astra_guard.scope import Scope, discover_context, may_report
from astra_guard.suppressions.comments import MARKER
from astra_guard.target import target_version

MAX_FILE_BYTES = 5 * 1024 * 1024
MARKER_BYTES = MARKER.encode()  # an inline suppression in UTF-8 text, found in the bytes as read
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # UTF-16 text: decoded before it can be searched


@dataclass
class ScanOptions:
    """What a scan may be told; the command line fills it, library users too."""

    root: Path | None = None
    config_path: Path | None = None  # default: .astra-guard.yaml in the scan root, if present
    k8s_version: str | None = None
    max_file_bytes: int | None = None  # None: the configuration's limits.max_file_bytes, else MAX_FILE_BYTES
    limits: Limits | None = None  # every limit at once, over the configuration's `limits:`
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    disabled_rules: frozenset[str] = frozenset()
    policy_dirs: tuple[Path, ...] = ()  # the user's own rules, besides the config's policy_dirs
    only_files: tuple[Path, ...] = ()  # report only on these; the repository still loads as context
    baseline: Path | None = None  # report only findings not accepted in this baseline
    create_baseline: Path | None = None  # write today's findings here, and accept them
    strict_suppressions: bool = False  # report suppressions that match nothing
    today: date | None = None  # the day suppressions expire against (default: today)
    engine: str = "embedded"  # "embedded" (regorus, in-process) or "opa" (an OPA server at opa_url)
    opa_url: str | None = None
    opa_timeout: float = 30.0  # seconds per request to the OPA server
    corroborate: tuple[str, ...] = ()  # independent tools whose verdicts the commands set beside ours ("checkov")
    cache_dir: Path | None = None  # parsed files by content (astra_guard.parse_cache); None: no cache


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


def load_file(source: SourceFile, max_bytes: int = MAX_FILE_BYTES, yaml_limits: YamlLimits | None = None,
              cache: ParseCache | None = None, max_hcl_bytes: int = Limits.max_hcl_bytes) -> LoadResult:
    """Read one file from disk into resources; unreadable or oversized files become errors.

    Only regular files are opened (a FIFO would block the scan forever), and never more than
    `max_bytes` + 1 bytes are read, whatever the size said a moment before.
    """
    result = LoadResult(source.rel, source.family)
    try:
        info = source.path.stat()
        if not stat.S_ISREG(info.st_mode):
            result.skipped.append(Skipped(source.rel, 1, "not a regular file (a FIFO, socket or device); not read"))
            return result
        size = info.st_size
        if size <= max_bytes:
            with source.path.open("rb") as handle:
                raw = handle.read(max_bytes + 1)
            size = len(raw)
        if size > max_bytes:
            result.errors.append(InputError(source.rel, 1, f"file is {size} bytes, over the {max_bytes}-byte limit "
                                            "(limits.max_file_bytes); not evaluated"))
            return result
    except OSError as exc:
        result.errors.append(InputError(source.rel, 1, f"cannot read the file: {exc.strerror or exc}"))
        return result
    if size > max_hcl_bytes and source.family == TERRAFORM and not source.rel.lower().endswith(".json"):
        result.errors.append(InputError(source.rel, 1, f"Terraform file is {size} bytes, over the {max_hcl_bytes}-byte "
                                        "limit for HCL (limits.max_hcl_bytes: its parser takes about 20 s per MiB); "
                                        "not evaluated"))
        return result
    digest = hashlib.sha256(raw).hexdigest()
    if cache is not None:  # the same bytes parsed by the same code before: the same result
        result = cache.load(raw, source.rel, source.family, yaml_limits, digest)
    else:
        result = load_bytes(raw, source.rel, source.family, yaml_limits)
    result.sha256 = digest
    result.may_hold_inline_suppression = MARKER_BYTES in raw or raw.startswith(UTF16_BOMS)  # see read_inline
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
    resources: list[Resource], catalog: RuleCatalog, options: ScanOptions, config: Config, target: str,
    judged: Callable[[Resource], bool] | None = None,
) -> tuple[list[Finding], list[InputError]]:
    """Every enabled rule over the resources: findings, plus errors for rules that failed.

    `judged`: the resources the (single-object) Rego rules need to judge; default all."""
    disabled = options.disabled_rules | config.disabled_rules
    enabled = [m for m in catalog if m.id not in disabled]
    rego_rules = [(m, catalog.rego_files[m.id]) for m in enabled if m.engine == "rego"]
    python_rules = [catalog.python_rules[m.id] for m in enabled if m.id in catalog.python_rules]
    params = {m.id: rule_params(m, config, options, target) for m in enabled}
    if options.engine == "opa":
        from astra_guard.engine.rego_opa import OpaRegoEngine

        engine: EmbeddedRegoEngine | OpaRegoEngine = OpaRegoEngine(
            rego_rules, catalog.rego_libs, params, options.opa_url, options.opa_timeout, trusted=rego_root())
    else:
        engine = EmbeddedRegoEngine(rego_rules, catalog.rego_libs, params, trusted=rego_root())
    python_outcome: list[tuple[list[tuple[str, Violation]], list[RuleFault]]] = []

    def judge_python() -> None:
        python_outcome.append(run_python_rules(python_rules, resources, params))

    if isinstance(engine, EmbeddedRegoEngine):  # the Python rules run here while forked workers judge Rego
        found, faults = engine.evaluate(resources, meanwhile=judge_python, judged=judged)
    else:
        found, faults = engine.evaluate(resources)
        judge_python()
    py_found, py_faults = python_outcome[0]
    if judged is not None:  # out of the report's scope: not worth locating (see judged_by_rego)
        reportable = may_report(resources, judged)
        py_found = [(rule_id, v) for rule_id, v in py_found if reportable(v.resource)]
    findings = [locate(catalog.get(rule_id), v) for rule_id, v in [*found, *py_found]]
    errors: list[InputError] = []
    files = sorted({r.file for r in resources})
    for fault in [*faults, *py_faults]:
        finding, error = fault_finding(catalog.get(fault.rule_id), fault, files)
        findings.append(finding)
        errors.append(error)
    return findings, errors


def judged_by_rego(options: ScanOptions, root: Path) -> Callable[[Resource], bool] | None:
    """With --only-files, the resources of those files (and objects patched from them): a Rego
    rule's verdict on a resource depends on that resource (and data.inventory) alone, and the
    report keeps only theirs. Python rules still see everything (their findings that the report
    could not keep are dropped before being located). Not with --strict-suppressions,
    which needs every verdict to tell which suppressions match nothing."""
    if not options.only_files or options.strict_suppressions:
        return None
    return Scope(options.only_files, root).owns


def scan(paths: list[Path], options: ScanOptions | None = None) -> ScanResult:
    """Scan files and directories; never raises for bad input, only for bad usage or policies."""
    with quiet_gc():  # what a scan builds lives until it ends: see astra_guard.loading
        return _scan(paths, options)


def _scan(paths: list[Path], options: ScanOptions | None) -> ScanResult:
    options = options or ScanOptions()
    started = time.perf_counter()
    root = (options.root or scan_root(paths)).resolve()
    config = load_config(options.config_path, root)
    catalog = catalog_for(config, root, options)
    found = discover_context(paths, root, config.excluded, options.only_files)
    result = ScanResult(root=str(found.root), skipped=list(found.skipped), config_source=config.source,
                        config=config.raw, policy_dirs=catalog.policy_dirs, unrecognised_files=found.unrecognised)
    limits = Limits.for_scan(config.limits, options.limits, options.max_file_bytes)
    resources: list[Resource] = []
    cache = open_cache(options.cache_dir)
    if cache is not None:  # the repository's pack: what its last scan parsed, in one file
        cache.use_pack(hashlib.sha256(result.root.encode()).hexdigest()[:32])
    load = partial(load_file, max_bytes=limits.max_file_bytes, yaml_limits=limits.yaml(), cache=cache,
                   max_hcl_bytes=limits.max_hcl_bytes)
    loaded_files = load_all(found.files, load, collect=cache.take_used if cache else None,
                            absorb=cache.absorb if cache else None)
    for position, loaded in enumerate(loaded_files):  # in order; large inputs over the cores
        result.files.append(loaded)
        result.errors += loaded.errors
        result.skipped += loaded.skipped
        resources += loaded.resources
        if len(resources) > limits.max_resources:
            resources, error, unread = over_resources(resources, found.files[position + 1:], limits.max_resources)
            result.errors.append(error)
            result.skipped += unread
            break
    if cache is not None:
        cache.save_pack()
    resources, patch_notes = apply_patches(resources)
    result.skipped += patch_notes + workload_ref_notes(resources)
    result.resources = len(resources)
    result.target_version, result.target_version_source = target_version(resources, options.k8s_version, config.target_version)
    findings, rule_errors = evaluate(resources, catalog, options, config, result.target_version,
                                     judged_by_rego(options, Path(result.root)))
    result.errors += rule_errors
    findings += [error_finding(catalog, e) for e in result.errors if e not in rule_errors]
    findings = gate(findings, result, resources, catalog, config, options)
    findings = [apply_severity(f, config.severity) for f in findings]
    findings, result.errors = mask_scan(findings, result.errors, result.files)  # no secret reaches a report
    unique = {(f.rule_id, f.file, f.line, f.column, f.message): f for f in findings}
    result.findings = sorted(unique.values(), key=lambda f: f.sort_key)
    result.errors.sort(key=lambda e: (e.file, e.line))
    result.duration_seconds = time.perf_counter() - started
    return result
