"""ConstraintTemplates: reading one as gator does, and compiling its Rego under Gatekeeper's rules.

The Rego source is the legacy `targets[0].rego` (+`libs`) when non-empty, else
`code[engine=Rego].source` (`version: "v1"` selects Rego v1, anything else v0). A
K8sNativeValidation (CEL) entry is ignored, as gator does with `--enable-k8s-native-validation=false`.
The source goes through the compatibility pre-pass (compat.py) unless it is turned off, and is then
compiled under Gatekeeper's rules: the entry module's package becomes `template` and must define
`violation`; libs must be in packages under `lib.`; only `data.lib.*` and `future.*` may be imported
(so `import rego.v1` is a "bad import"); data may be referenced only as `data.lib.*` and
`data.inventory`; every called function must exist. A failure is a TemplateError: the test's
failure, not exit 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from astra_guard.engine.rego_embedded import UNSUPPORTED_BUILTINS, UNSUPPORTED_PREFIXES, clean_error
from astra_guard.gatekeeper.compat import (
    HOIST_PREFIX,
    hoist_edits,
    newline_call_edits,
    split_chained_bodies,
    sprintf_edits,
)
from astra_guard.gatekeeper.compat_builtins import (
    SPRINTF_SHIM,
    V0_EXTENSIONS,
    add_v0_extensions,
    sprintf_shim,
)
from astra_guard.gatekeeper.errors import TemplateError, go_quote
from astra_guard.gatekeeper.rego_ast import (
    RegoModule,
    apply_edits,
    new_engine,
    parse_module,
    ref_parts,
    walk_nodes,
    walk_refs,
)
from astra_guard.gatekeeper.suite import InputFileError, load_documents

TARGET = "admission.k8s.gatekeeper.sh"
TEMPLATE_PACKAGE = "template"
DEPRECATED_BUILTINS = frozenset({"re_match", "any", "all", "set_diff", "cast_array", "cast_set", "cast_string",
                                 "cast_boolean", "cast_null", "cast_object", "net.cidr_overlap"})


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


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
        raise InputFileError(f"missing objects: path {go_quote(path.as_posix())} defines no YAML objects")
    doc = docs[0]
    api_version = doc.get("apiVersion") if isinstance(doc, dict) else None
    group, _, version = (api_version or "").rpartition("/") if isinstance(api_version, str) else ("", "", "")
    if not isinstance(doc, dict) or group != "templates.gatekeeper.sh" or doc.get("kind") != "ConstraintTemplate":
        raise InputFileError(f"path {go_quote(path.as_posix())}: not a ConstraintTemplate")
    spec = _dict(doc.get("spec"))
    crd_spec = _dict(_dict(spec.get("crd")).get("spec"))
    kind = str(((crd_spec.get("names") or {}).get("kind")) or "")
    name = str((doc.get("metadata") or {}).get("name") or "")
    if not kind:
        raise TemplateError("adding template: invalid ConstraintTemplate: spec.crd.spec.names.kind is required")
    if name != kind.lower():
        raise TemplateError(f"adding template: invalid ConstraintTemplate: the ConstraintTemplate's name {go_quote(name)} is "
                            f"not equal to the lowercase of CRD's Kind: {go_quote(kind.lower())}")
    targets = spec.get("targets")
    if not isinstance(targets, list) or not targets:
        raise TemplateError("adding template: invalid ConstraintTemplate: no targets specified: ConstraintTemplate must specify one target")
    if len(targets) > 1:
        raise TemplateError("adding template: invalid ConstraintTemplate: multi-target templates are not currently supported")
    target = targets[0] if isinstance(targets[0], dict) else {}
    if target.get("target") != TARGET:
        raise TemplateError(f"adding template: target {go_quote(target.get('target'))} not recognized; gator knows only {go_quote(TARGET)}")
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
        engine = new_engine(True)
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


def check_modules(entry: RegoModule, libs: list[RegoModule], v1: bool) -> None:
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
                raise TemplateError(f"{invalid}: invalid import: cannot import input: {go_quote(dotted)}")
            if parts[:2] == ["data", "lib"] or parts[:1] == ["future"]:
                continue
            raise TemplateError(f"{invalid}: invalid import: bad import: {go_quote(dotted)}")
    for module in modules:
        refs: list[list[str | None]] = []
        walk_refs(module.ast.get("rules", []), refs.append)
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
        for node in walk_nodes(module.ast.get("rules", [])):
            call = node.get("Call")
            if not isinstance(call, dict):
                continue
            found = ref_parts(call["fcn"])
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
    modules: list[RegoModule] = []
    for index, (name, source) in enumerate(zip(names, sources)):
        if compat and not v1:
            rewritten, changes = split_chained_bodies(source)
            if changes:
                try:
                    parse_module(name, rewritten, v1)
                    source = rewritten
                    notes.append(f"{name}: {changes} chained rule bod{'y' if changes == 1 else 'ies'} split into separate rules")
                except TemplateError:
                    pass
        try:
            module = parse_module(name, source, v1)
        except TemplateError as exc:
            raise TemplateError(f"adding template: invalid ConstraintTemplate: {exc}") from None
        edits = newline_call_edits(module) if compat else []
        if edits:
            try:
                module = parse_module(name, apply_edits(module.source, edits), v1)
                notes.append(f"{name}: {len(edits)} line-leading '(' read as a new expression, as OPA does")
            except TemplateError:
                pass
        if index == 0:   # Gatekeeper rewrites the entry module's package to data.template
            span = module.ast["package"]["span"]
            module = parse_module(name, apply_edits(module.source, [(span["start"], span["end"], f"package {TEMPLATE_PACKAGE}")]), v1)
        modules.append(module)
    check_modules(modules[0], modules[1:], v1)

    engine = new_engine(v1)
    if not v1:
        add_v0_extensions(engine)
    engine.add_extension(SPRINTF_SHIM, 2, sprintf_shim)
    for module in modules:
        globals_ = module.rule_names() | {alias for _, alias in module.imports()} | {"input", "data"}
        edits = hoist_edits(module, globals_) + sprintf_edits(module) if compat else []
        source = module.source
        if edits:
            try:
                parse_module(module.name, apply_edits(source, edits), v1)
                source = apply_edits(source, edits)
                hoisted = sum(1 for start, end, text in edits if start != end and text.startswith(HOIST_PREFIX))
                if hoisted:
                    notes.append(f"{module.name}: {hoisted} call operand(s) under 'not' evaluated first, as OPA does")
                if any(e[2] == SPRINTF_SHIM for e in edits):
                    notes.append(f"{module.name}: sprintf with a mismatched argument count formatted as Go does")
            except TemplateError:
                pass
        try:
            engine.add_policy(module.name, source)
        except BaseException as exc:  # a Rust panic is a BaseException
            if isinstance(exc, KeyboardInterrupt):
                raise
            raise TemplateError(f"adding template: invalid ConstraintTemplate: {clean_error(exc)}") from None
    return CompiledTemplate(template, engine, notes)
