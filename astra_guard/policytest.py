"""`astra-guard policy test`: run `*_test.rego` files through the embedded engine, as `opa test` does.

Every rule whose name starts with `test_` in a test file is a test: it passes when it
evaluates to true, fails when it is false or undefined, and errors when evaluation raises.
Test files see the policies of the directory, the built-in libraries (`data.lib.astra.*`),
and use `with input as` / `with data.x as` to set what a rule sees.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import regorus

from astra_guard.engine.rego_embedded import check_builtins, clean_error
from astra_guard.errors import PolicyError


@dataclass(frozen=True)
class TestResult:
    name: str  # data.<package>.<rule>
    file: str
    line: int
    outcome: str  # PASS | FAIL | ERROR
    detail: str = ""
    seconds: float = 0.0


def _package(module: dict[str, Any]) -> str:
    parts: list[str] = []
    node = module["ast"]["package"]["refr"]
    while True:
        if "Var" in node:
            parts.insert(0, node["Var"]["value"])
            return ".".join(parts)
        parts.insert(0, node["RefDot"]["field"][1])
        node = node["RefDot"]["refr"]


def _tests(module: dict[str, Any]) -> Iterator[tuple[str, int]]:
    seen = set()
    for rule in module["ast"]["rules"]:
        head = rule.get("Spec", {}).get("head", {})
        for shape in head.values():
            var = shape.get("refr", {}).get("Var", {}) if isinstance(shape, dict) else {}
            name = var.get("value", "")
            if name.startswith("test_") and name not in seen:
                seen.add(name)
                yield name, var["span"]["line"]


def discover(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(policy files, test files) under the given files and directories."""
    files: list[Path] = []
    for path in paths:
        files += sorted(path.rglob("*.rego")) if path.is_dir() else [path]
    tests = [f for f in files if f.name.endswith("_test.rego")]
    return [f for f in files if f not in tests], tests


def run_tests(paths: list[Path], libs: list[Path], run_filter: str = "") -> list[TestResult]:
    """Load the policies, the libraries and the tests into one engine and evaluate every test."""
    policies, tests = discover(paths)
    engine = regorus.Engine()
    engine.set_policy_length_config(max_col=20_000, max_file_bytes=4_000_000, max_lines=200_000)
    loaded = {p.resolve() for p in policies + tests}
    try:
        for path in [*(lib for lib in libs if lib.resolve() not in loaded), *policies, *tests]:
            engine.add_policy(str(path), path.read_text(encoding="utf-8"))
    except BaseException as exc:  # noqa: BLE001 - regorus raises RuntimeError or a PanicException
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise PolicyError(f"cannot compile the policies: {clean_error(exc)}") from None
    check_builtins(engine)
    test_files = {str(t) for t in tests}
    results = []
    for module in json.loads(engine.get_ast_as_json()):
        file = module["source"]["file"]
        if file not in test_files:
            continue
        package = _package(module)
        for name, line in _tests(module):
            full = f"data.{package}.{name}"
            if run_filter and run_filter not in full:
                continue
            started = time.perf_counter()
            try:
                value = json.loads(engine.eval_rule_as_json(full))
                outcome, detail = ("PASS", "") if value is True else ("FAIL", "undefined" if value == "<undefined>" else f"= {json.dumps(value)}")
            except BaseException as exc:  # noqa: BLE001
                if isinstance(exc, KeyboardInterrupt):
                    raise
                outcome, detail = "ERROR", clean_error(exc)
            results.append(TestResult(full, file, line, outcome, detail, time.perf_counter() - started))
    return results
