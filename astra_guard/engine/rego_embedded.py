"""The embedded Rego engine (regorus): one engine per scan, policies compiled once,
every rule evaluated over the whole batch of resources in a single call.

Rules are Gatekeeper-shaped: they read `input.review.object` and `input.parameters` and
produce `violation` entries `{"msg": ..., "details": {"path": [...]}}`. The input is every
resource once, as `input.<family>.<kind>`; a generated driver package runs each rule with
`with input as` over the kinds its metadata names (what its Gatekeeper Constraint matches at
admission; every kind of its family when it names none), so one evaluation judges every
resource a rule applies to and none it does not. Large batches are shared between forked
processes, rule by rule (`parallel`). A Rust panic inside regorus arrives as `PanicException`, a
`BaseException`: it is caught per rule and becomes an error for that rule, never a crash.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import regorus

from astra_guard.errors import PolicyError
from astra_guard.findings import Severity, Violation
from astra_guard.model import Resource
from astra_guard.parallel import available_jobs, run_tasks
from astra_guard.rules.meta import RuleMeta

# regorus reports an undefined lookup through an error value; with RUST_BACKTRACE=1 in the
# environment (common on developers' machines and CI images) every one of them also captures a
# Rust backtrace, which doubles the cost of rules that probe optional fields. Error backtraces
# never reach the user (`clean_error` drops them); panics keep theirs (RUST_BACKTRACE).
os.environ.setdefault("RUST_LIB_BACKTRACE", "0")

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
# Below this many (rule, resource) judgements a batch is evaluated in this process: forking
# costs more than it saves.
PARALLEL_MIN_JUDGEMENTS = 5_000

Groups = dict[str, dict[str, list[Resource]]]  # family -> kind -> resources, in input order
Outcome = tuple[str, str | None, int | None, Any]  # ("v" | "f", kind, index in kind, violation | message)


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
            kinds = scoped_kinds(meta)
            each = ([f"\tsome kind in {json.dumps(kinds)}", f"\tsome i, item in input[{family}][kind]"] if kinds else
                    [f"\tsome kind, items in input[{family}]", "\tsome i, item in items"])
            lines += [
                f"r{index} contains [kind, i, v] if {{",
                *each,
                f"\tsome v in data.{meta.package}.violation with input as {{\"review\": item, \"parameters\": {parameters}}}",
                "}",
                "",
            ]
        return "\n".join(lines)

    def evaluate(self, resources: list[Resource], meanwhile: Callable[[], None] | None = None,
                 judged: Callable[[Resource], bool] | None = None) -> tuple[list[tuple[str, Violation]], list[RuleFault]]:
        """Judge every resource with every rule: (rule id, violation) pairs and rule faults.

        Rules are shared with forked workers when the batch is large (see `parallel`);
        `meanwhile` (the Python rules, say) runs in this process while they start. `judged`
        narrows which resources are judged; all of them still fill `data.inventory`.
        """
        if any(meta.referential for meta, _ in self.rules):
            from astra_guard.engine.inventory import build_inventory, synced_kinds

            kinds = synced_kinds(k for meta, _ in self.rules for k in meta.sync)
            self.engine.clear_data()
            self.engine.add_data_json(json.dumps({"inventory": build_inventory(resources, kinds)}))
        groups = group_by_kind(resources if judged is None else [r for r in resources if judged(r)])
        families = {meta.family for meta, _ in self.rules}
        batch = json.dumps({family: {kind: [review(r) for r in members] for kind, members in groups.get(family, {}).items()}
                            for family in families})
        self.engine.set_input_json(batch)
        work = sorted(((index, meta, size) for index, (meta, _) in enumerate(self.rules)
                       if (size := sum(len(m) for _, m in _members(meta, groups)))), key=lambda w: -w[2])
        tasks = [partial(self._judge, index, meta, groups, batch) for index, meta, _ in work]
        jobs = available_jobs() if sum(size for *_, size in work) >= PARALLEL_MIN_JUDGEMENTS else 1
        outcomes = run_tasks(tasks, jobs, meanwhile)
        position = {id(r): p for p, r in enumerate(resources)}
        found: list[tuple[str, Violation]] = []
        faults: list[RuleFault] = []
        for (index, meta, _), outcome in sorted(zip(work, outcomes), key=lambda pair: pair[0][0]):
            rule_found: list[tuple[int, Violation]] = []
            rule_faults: list[tuple[int, RuleFault]] = []
            for what, kind, i, value in outcome:
                resource = groups[meta.family][kind][i] if kind is not None else None
                at = position[id(resource)] if resource is not None else -1
                if what == "v":
                    rule_found.append((at, _violation(resource, value, meta.id)))
                else:
                    rule_faults.append((at, RuleFault(meta.id, resource, value)))
            found += [(meta.id, v) for _, v in sorted(rule_found, key=lambda pair: pair[0])]
            faults += [f for _, f in sorted(rule_faults, key=lambda pair: pair[0])]
        return found, faults

    def _judge(self, index: int, meta: RuleMeta, groups: Groups, batch: str) -> list[Outcome]:
        """One rule over its whole batch: ("v", kind, i, violation) and ("f", kind, i, message) outcomes."""
        try:
            results = json.loads(self.engine.eval_rule_as_json(f"data.{DRIVER_PACKAGE}.r{index}"))
        except BaseException as exc:  # noqa: BLE001 - a Rust panic is a BaseException
            if isinstance(exc, KeyboardInterrupt):
                raise
            outcomes = self._isolate(index, meta, groups)
            self.engine.set_input_json(batch)
            if not any(what == "f" for what, *_ in outcomes):
                outcomes.append(("f", None, None, clean_error(exc)))
            return outcomes
        return [("v", kind, i, v) for kind, i, v in results or ()]

    def _isolate(self, index: int, meta: RuleMeta, groups: Groups) -> list[Outcome]:
        """After a batch failed: evaluate resource by resource, so one bad object costs one error."""
        outcomes: list[Outcome] = []
        for kind, members in _members(meta, groups):
            for i, resource in enumerate(members):
                self.engine.set_input_json(json.dumps({meta.family: {kind: [review(resource)]}}))
                try:
                    results = json.loads(self.engine.eval_rule_as_json(f"data.{DRIVER_PACKAGE}.r{index}"))
                except BaseException as exc:  # noqa: BLE001
                    if isinstance(exc, KeyboardInterrupt):
                        raise
                    outcomes.append(("f", kind, i, clean_error(exc)))
                    continue
                outcomes += [("v", kind, i, v) for _, _, v in results or ()]
        return outcomes


def scoped_kinds(meta: RuleMeta) -> list[str]:
    """The Kubernetes kinds a rule is given, as its Gatekeeper Constraint matches them; [] = all."""
    return sorted(set(meta.kinds)) if meta.family == "kubernetes" else []


def group_by_kind(resources: list[Resource]) -> Groups:
    groups: Groups = {}
    for resource in resources:
        groups.setdefault(resource.family, {}).setdefault(resource.kind, []).append(resource)
    return groups


def _members(meta: RuleMeta, groups: Groups) -> list[tuple[str, list[Resource]]]:
    """(kind, resources) the rule judges, in the driver's order."""
    of_family = groups.get(meta.family, {})
    kinds = scoped_kinds(meta)
    return [(k, of_family[k]) for k in kinds if k in of_family] if kinds else list(of_family.items())


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
