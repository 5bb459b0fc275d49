"""The embedded Rego engine (regorus): one engine per scan, policies compiled once,
every rule evaluated over the whole batch of resources in a single call.

Rules are Gatekeeper-shaped: they read `input.review.object` and `input.parameters` and
produce `violation` entries `{"msg": ..., "details": {"path": [...]}}`. The input is every
resource once, as `input.<family>.<API group>.<kind>`; a generated driver package runs each
rule with `with input as` over the kinds its metadata names (what its Gatekeeper Constraint
matches at admission; every kind of its family when it names none) and the API groups it names
(`groups`: every group when it names none), so one evaluation judges every resource a rule
applies to and none it does not: a resource outside a rule's scope never reaches regorus. Large batches are shared between forked
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
from typing import Any, TypeVar

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
# Below this many (rule, resource) judgements a scan is evaluated in this process: forking
# costs more than it saves.
PARALLEL_MIN_JUDGEMENTS = 2_000
CHUNK_RESOURCES = 1_500  # at most this many resources are regorus's input at once (about 1 MB of JSON)
CHUNKS_PER_JOB = 4  # when shared, at least this many chunks per process, so the processes finish together

T = TypeVar("T")
Outcome = tuple[int, str, int | None, Any]  # (rule index, "v" | "f", resource position, violation | message)


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
            kinds, groups = scoped_kinds(meta), scoped_groups(meta)
            # Scopes are looked up, not iterated: a resource out of scope costs the rule nothing.
            each = [f"\tsome group in {json.dumps(groups)}" if groups else f"\tsome group, _ in input[{family}]"]
            each += ([f"\tsome kind in {json.dumps(kinds)}", f"\titems := input[{family}][group][kind]"] if kinds else
                     [f"\tsome kind, items in input[{family}][group]"])
            lines += [
                f"r{index} contains [group, kind, i, v] if {{",
                *each,
                "\tsome i, item in items",
                f"\tsome v in data.{meta.package}.violation with input as {{\"review\": item, \"parameters\": {parameters}}}",
                "}",
                "",
            ]
        return "\n".join(lines)

    def evaluate(self, resources: list[Resource], meanwhile: Callable[[], None] | None = None,
                 judged: Callable[[Resource], bool] | None = None) -> tuple[list[tuple[str, Violation]], list[RuleFault]]:
        """Judge every resource with every rule: (rule id, violation) pairs and rule faults.

        The resources go to regorus in chunks of `CHUNK_RESOURCES` (its copy of the input is
        bounded by a chunk, not by the repository), every rule judging a whole chunk in one
        evaluation; large scans share the chunks with forked workers (see `parallel`), and
        `meanwhile` (the Python rules, say) runs in this process while they start. `judged`
        narrows which resources are judged; all of them still fill `data.inventory`.
        """
        if any(meta.referential for meta, _ in self.rules):
            from astra_guard.engine.inventory import build_inventory, synced_kinds

            kinds = synced_kinds(k for meta, _ in self.rules for k in meta.sync)
            self.engine.clear_data()
            self.engine.add_data_json(json.dumps({"inventory": build_inventory(resources, kinds)}))
        in_scope = _scope_test([meta for meta, _ in self.rules])
        queue = [(p, r) for p, r in enumerate(resources) if in_scope(r) and (judged is None or judged(r))]
        everything = group_by_scope(queue)
        judgements = sum(len(m) for meta, _ in self.rules for _, _, m in _members(meta, everything))
        jobs = available_jobs() if judgements >= PARALLEL_MIN_JUDGEMENTS else 1
        count = max(-(-len(queue) // CHUNK_RESOURCES), CHUNKS_PER_JOB * jobs if jobs > 1 else 1)
        size = max(-(-len(queue) // count), 1)
        chunks = [queue[i:i + size] for i in range(0, len(queue), size)]
        outcomes = [o for chunk in run_tasks([partial(self._judge, c) for c in chunks], jobs, meanwhile) for o in chunk]
        outcomes.sort(key=lambda o: (o[0], o[2] if o[2] is not None else -1))  # rule, then input order
        found: list[tuple[str, Violation]] = []
        faults: list[RuleFault] = []
        failed_whole: set[int] = set()  # a rule that fails on a whole chunk is reported once
        for index, what, position, value in outcomes:
            meta = self.rules[index][0]
            if what == "v":
                found.append((meta.id, _violation(resources[position], value, meta.id)))
            elif position is not None:
                faults.append(RuleFault(meta.id, resources[position], value))
            elif index not in failed_whole:
                failed_whole.add(index)
                faults.append(RuleFault(meta.id, None, value))
        return found, faults

    def _judge(self, chunk: list[tuple[int, Resource]]) -> list[Outcome]:
        """Every rule over one chunk: (rule, "v", position, violation) and (rule, "f", position, message)."""
        groups = group_by_scope(chunk)
        batch = json.dumps({family: {group: {kind: [review(r) for _, r in members] for kind, members in of_group.items()}
                                     for group, of_group in of_family.items()}
                            for family, of_family in groups.items()})
        self.engine.set_input_json(batch)
        outcomes: list[Outcome] = []
        for index, (meta, _) in enumerate(self.rules):
            members = _members(meta, groups)
            if not members:
                continue
            try:
                results = json.loads(self.engine.eval_rule_as_json(f"data.{DRIVER_PACKAGE}.r{index}"))
            except BaseException as exc:  # noqa: BLE001 - a Rust panic is a BaseException
                if isinstance(exc, KeyboardInterrupt):
                    raise
                isolated = self._isolate(index, meta, members)
                self.engine.set_input_json(batch)
                outcomes += isolated
                if not any(what == "f" for _, what, _, _ in isolated):  # no one object to blame
                    outcomes.append((index, "f", None, clean_error(exc)))
                continue
            of_family = groups[meta.family]
            outcomes += [(index, "v", of_family[group][kind][i][0], v) for group, kind, i, v in results or ()]
        return outcomes

    def _isolate(self, index: int, meta: RuleMeta, members: list[tuple[str, str, list[tuple[int, Resource]]]]) -> list[Outcome]:
        """After a chunk failed: evaluate resource by resource, so one bad object costs one error."""
        outcomes: list[Outcome] = []
        for group, kind, of_kind in members:
            for position, resource in of_kind:
                self.engine.set_input_json(json.dumps({meta.family: {group: {kind: [review(resource)]}}}))
                try:
                    results = json.loads(self.engine.eval_rule_as_json(f"data.{DRIVER_PACKAGE}.r{index}"))
                except BaseException as exc:  # noqa: BLE001
                    if isinstance(exc, KeyboardInterrupt):
                        raise
                    outcomes.append((index, "f", position, clean_error(exc)))
                    continue
                outcomes += [(index, "v", position, v) for _, _, _, v in results or ()]
        return outcomes


def scoped_kinds(meta: RuleMeta) -> list[str]:
    """The Kubernetes kinds a rule is given, as its Gatekeeper Constraint matches them; [] = all."""
    return sorted(set(meta.kinds)) if meta.family == "kubernetes" else []


def scoped_groups(meta: RuleMeta) -> list[str]:
    """The API groups a rule is given ("" is the core group); [] = all."""
    return sorted(set(meta.groups)) if meta.family == "kubernetes" else []


def api_group(resource: Resource) -> str:
    """The API group of a resource's apiVersion, as `review()` reports it ("" for the core group)."""
    return (resource.api_version or "").rpartition("/")[0]


Grouped = dict[str, dict[str, dict[str, list[T]]]]  # family -> API group -> kind -> members


def group_by_scope(items: list[tuple[int, Resource]]) -> Grouped[tuple[int, Resource]]:
    """(position, resource) pairs as the driver's input holds them: by family, API group and kind."""
    groups: Grouped[tuple[int, Resource]] = {}
    for item in items:
        resource = item[1]
        groups.setdefault(resource.family, {}).setdefault(api_group(resource), {}).setdefault(resource.kind, []).append(item)
    return groups


def _members(meta: RuleMeta, groups: Grouped[T]) -> list[tuple[str, str, list[T]]]:
    """(API group, kind, members) the rule judges."""
    of_family = groups.get(meta.family, {})
    kinds, scoped = scoped_kinds(meta), scoped_groups(meta)
    return [
        (group, kind, members)
        for group in (scoped or list(of_family))
        for kind, members in ([(k, of_family.get(group, {}).get(k)) for k in kinds] if kinds else of_family.get(group, {}).items())
        if members
    ]


def _scope_test(metas: list[RuleMeta]) -> Callable[[Resource], bool]:
    """Whether some rule judges a resource: the others are not sent to regorus at all."""
    scopes = {(m.family, frozenset(scoped_kinds(m)), frozenset(scoped_groups(m))) for m in metas}
    unscoped = {family for family, kinds, groups in scopes if not kinds and not groups}
    scoped = [scope for scope in scopes if scope[0] not in unscoped]
    known: dict[tuple[str, str, str], bool] = {}

    def test(resource: Resource) -> bool:
        if resource.family in unscoped:
            return True
        key = (resource.family, api_group(resource), resource.kind)
        if key not in known:
            known[key] = any(key[0] == family and (not kinds or key[2] in kinds) and (not groups or key[1] in groups)
                             for family, kinds, groups in scoped)
        return known[key]
    return test


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
