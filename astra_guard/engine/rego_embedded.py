"""The embedded Rego engine (regorus): one engine per scan, policies compiled once,
every rule evaluated over the whole batch of resources in a single call.

Rules are Gatekeeper-shaped: they read `input.review.object` and `input.parameters` and
produce `violation` entries `{"msg": ..., "details": {"path": [...]}}`. A generated driver
package runs each rule over `input.<family>` with `with input as`, so one evaluation judges
every resource of a family. A Rust panic inside regorus arrives as `PanicException`, a
`BaseException`: it is caught per rule and becomes an error for that rule, never a crash.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import regorus

from astra_guard.errors import PolicyError
from astra_guard.findings import Severity, Violation
from astra_guard.model import Resource
from astra_guard.rules.meta import RuleMeta

# Builtins regorus 0.13 does not implement (measured against OPA 1.20's capabilities).
UNSUPPORTED_PREFIXES = ("crypto.", "io.jwt.", "graphql.", "providers.aws.")
UNSUPPORTED_BUILTINS = frozenset(
    {
        "net.cidr_contains_matches", "net.cidr_intersects", "net.cidr_merge", "net.lookup_ip_addr",
        "uri.parse", "uri.is_valid", "strings.split_n", "strings.render_template", "array.flatten",
        "regex.globs_match", "rego.metadata.chain", "rego.metadata.rule", "rego.parse_module",
        "http.send",
    }
)
DRIVER_PACKAGE = "astra.driver"


@dataclass(frozen=True)
class RuleFault:
    """A rule that could not be evaluated on a resource (or on the whole batch)."""

    rule_id: str
    resource: Resource | None
    message: str


def policy_name(path: Path) -> str:
    """How a policy file is named in messages: from its `rego/` folder down."""
    parts = path.parts
    return "/".join(parts[len(parts) - 1 - parts[::-1].index("rego"):]) if "rego" in parts else path.name


def clean_error(exc: BaseException) -> str:
    """regorus errors carry a Rust backtrace after the message: keep the message."""
    text = str(exc).split("Stack backtrace:")[0].strip()
    return " ".join(text.split()) or type(exc).__name__


def review(resource: Resource) -> dict[str, Any]:
    """The Gatekeeper `input.review` for a resource (an AdmissionRequest's useful subset)."""
    group, _, version = (resource.api_version or "").rpartition("/")
    return {
        "object": resource.data,
        "kind": {"group": group, "version": version, "kind": resource.kind},
        "name": resource.name,
        "namespace": resource.namespace or "",
        "operation": "CREATE",
    }


def _call_names(node: Any) -> Iterable[tuple[str, int]]:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            call = item.get("Call")
            if isinstance(call, dict):
                name = _dotted(call.get("fcn"))
                if name:
                    span = next(iter(call["fcn"].values())).get("span", {})
                    yield name, span.get("line", 0)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _dotted(fcn: Any) -> str | None:
    if not isinstance(fcn, dict):
        return None
    if "Var" in fcn:
        return str(fcn["Var"]["value"])
    if "RefDot" in fcn:
        head = _dotted(fcn["RefDot"]["refr"])
        return f"{head}.{fcn['RefDot']['field'][1]}" if head else None
    return None


def check_builtins(engine: Any, only: set[str] | None = None) -> None:
    """Refuse, at load time, a policy that calls a builtin regorus lacks (`only`: these files)."""
    for module in json.loads(engine.get_ast_as_json()):
        if only is not None and module["source"]["file"] not in only:
            continue
        for name, line in _call_names(module.get("ast")):
            if name in UNSUPPORTED_BUILTINS or name.startswith(UNSUPPORTED_PREFIXES):
                raise PolicyError(
                    f"{module['source']['file']}:{line}: builtin '{name}' is not available in the "
                    "embedded Rego engine (regorus); rewrite the rule without it or run with "
                    "--engine opa"
                )


class EmbeddedRegoEngine:
    """regorus loaded with the libraries and the rules of one scan."""

    def __init__(self, rules: list[tuple[RuleMeta, Path]], libs: list[Path], params: dict[str, dict[str, Any]],
                 trusted: Path | None = None) -> None:
        """`trusted`: a directory whose policies were already checked for missing builtins (the shipped ones)."""
        self.rules = rules
        self.engine = regorus.Engine()
        self.engine.set_policy_length_config(max_col=20_000, max_file_bytes=4_000_000, max_lines=200_000)
        try:
            unchecked: set[str] = set()
            for path in [*libs, *(p for _, p in rules)]:
                name = policy_name(path) if trusted and path.is_relative_to(trusted) else str(path)
                self.engine.add_policy(name, path.read_text(encoding="utf-8"))
                if name == str(path):
                    unchecked.add(name)
            self.engine.add_policy("astra_driver.rego", self._driver(params))
        except BaseException as exc:  # regorus raises RuntimeError, or a PanicException
            raise PolicyError(f"cannot compile the Rego policies: {clean_error(exc)}") from None
        if unchecked:
            check_builtins(self.engine, unchecked)

    def _driver(self, params: dict[str, dict[str, Any]]) -> str:
        lines = [f"package {DRIVER_PACKAGE}", ""]
        for index, (meta, _) in enumerate(self.rules):
            family = json.dumps(meta.family)
            parameters = json.dumps(params.get(meta.id, meta.default_params()), sort_keys=True)
            lines += [
                f"r{index} contains [i, v] if {{",
                f"\tsome i, item in input[{family}]",
                f"\tsome v in data.{meta.package}.violation with input as {{\"review\": item, \"parameters\": {parameters}}}",
                "}",
                "",
            ]
        return "\n".join(lines)

    def evaluate(self, resources: list[Resource]) -> tuple[list[tuple[str, Violation]], list[RuleFault]]:
        """Judge every resource with every rule: (rule id, violation) pairs and rule faults."""
        if any(meta.referential for meta, _ in self.rules):
            from astra_guard.engine.inventory import build_inventory

            self.engine.clear_data()
            self.engine.add_data_json(json.dumps({"inventory": build_inventory(resources)}))
        by_family: dict[str, list[Resource]] = {}
        for resource in resources:
            by_family.setdefault(resource.family, []).append(resource)
        families = {meta.family for meta, _ in self.rules}
        batch = {family: [review(r) for r in by_family.get(family, [])] for family in families}
        self.engine.set_input_json(json.dumps(batch))
        found: list[tuple[str, Violation]] = []
        faults: list[RuleFault] = []
        for index, (meta, _) in enumerate(self.rules):
            members = by_family.get(meta.family, [])
            if not members:
                continue
            try:
                results = json.loads(self.engine.eval_rule_as_json(f"data.{DRIVER_PACKAGE}.r{index}"))
            except BaseException as exc:  # noqa: BLE001 - a Rust panic is a BaseException
                if isinstance(exc, KeyboardInterrupt):
                    raise
                found_one, faults_one = self._isolate(index, meta, members)
                found += found_one
                faults += faults_one or [RuleFault(meta.id, None, clean_error(exc))]
                self.engine.set_input_json(json.dumps(batch))
                continue
            found += [(meta.id, _violation(members[i], v, meta.id)) for i, v in results or ()]
        return found, faults

    def _isolate(self, index: int, meta: RuleMeta, members: list[Resource]) -> tuple[list[tuple[str, Violation]], list[RuleFault]]:
        """After a batch failed: evaluate resource by resource, so one bad object costs one error."""
        found: list[tuple[str, Violation]] = []
        faults: list[RuleFault] = []
        for resource in members:
            self.engine.set_input_json(json.dumps({meta.family: [review(resource)]}))
            try:
                results = json.loads(self.engine.eval_rule_as_json(f"data.{DRIVER_PACKAGE}.r{index}"))
            except BaseException as exc:  # noqa: BLE001
                if isinstance(exc, KeyboardInterrupt):
                    raise
                faults.append(RuleFault(meta.id, resource, clean_error(exc)))
                continue
            found += [(meta.id, _violation(resource, v, meta.id)) for _, v in results or ()]
        return found, faults


def _violation(resource: Resource, raw: Any, rule_id: str) -> Violation:
    if not isinstance(raw, dict) or not isinstance(raw.get("msg"), str):
        return Violation(resource, (), f"rule {rule_id} returned a violation without a msg: {raw!r}")
    details = raw.get("details") if isinstance(raw.get("details"), dict) else {}
    path = details.get("path") if isinstance(details.get("path"), list) else []
    severity = details.get("severity")
    return Violation(
        resource,
        tuple(p for p in path if isinstance(p, (str, int))),
        raw["msg"],
        Severity(severity) if severity in {s.value for s in Severity} else None,
    )
