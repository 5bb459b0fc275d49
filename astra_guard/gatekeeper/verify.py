"""Running gator `Suite`s with the embedded Rego engine (regorus), as `gator verify` runs them.

What each step does, and where it comes from (gatekeeper `pkg/gator/verify/runner.go`, frameworks
`constraint/pkg/client`):

- Template (template.py): the Rego of the ConstraintTemplate, through the compatibility pre-pass
  (compat.py: where regorus parses or evaluates Gatekeeper's Rego unlike OPA, the source is
  rewritten to what OPA does; docs/gatekeeper-verify-parity.md has the proofs), compiled under
  Gatekeeper's rules. A failure is the test's failure, not exit 2.
- Constraint (constraint.py): validated against the CRD Gatekeeper generates. `invalid: true`
  passes only on a *schema* error.
- Case (review.py, then here): the object becomes `input.review`; inventory files fill
  `data.inventory`; the constraint's `spec.match` decides whether the template runs (Namespaces
  known only from the inventory); the template's `violation` set is reduced like Gatekeeper's hook
  (`{msg, details}`, a set, entries without `msg` dropped); an evaluation error becomes one result
  whose msg is the error; a match that cannot be decided becomes one "unable to match constraints"
  result (autoreject).
- Assertions (here): `violations` yes/no/N over results whose msg matches `message` (a Go RE2
  regular expression, translated to Python's `re`: see `re2.re2_to_python` for what differs).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from astra_guard.engine.rego_embedded import clean_error
from astra_guard.gatekeeper.constraint import Constraint, read_constraint
from astra_guard.gatekeeper.errors import CaseError, ConstraintError, TemplateError, go_quote
from astra_guard.gatekeeper.match import MatchError, review_matches
from astra_guard.gatekeeper.re2 import compile_re2, re2_to_python
from astra_guard.gatekeeper.review import build_inventory, build_review, plain_review, read_objects
from astra_guard.gatekeeper.suite import Case, InputFileError, Suite, Test, resolve
from astra_guard.gatekeeper.template import (
    TEMPLATE_PACKAGE,
    CompiledTemplate,
    compile_template,
    read_template,
)

__all__ = [   # re2_to_python and plain_review are re-exported: callers and tests import them from here
    "CaseResult", "Filter", "Result", "Runner", "SuiteResult", "TestResult", "check_assertion",
    "compile_re2", "evaluate", "plain_review", "re2_to_python",
]


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """One Gatekeeper result: what the assertions count."""

    msg: str
    details: Any = None
    engine_error: bool = field(default=False, compare=False)   # the evaluation raised; msg is the error


@dataclass
class CaseResult:
    name: str
    skipped: bool = False
    error: str | None = None
    input_error: bool = False   # the case could not be run as written (exit 2)
    runtime: float = 0.0
    results: list[Result] | None = None   # None when the review never ran
    prints: list[str] = field(default_factory=list)   # Rego print() output

    @property
    def failed(self) -> bool:
        return self.error is not None


@dataclass
class TestResult:
    name: str
    skipped: bool = False
    error: str | None = None
    input_error: bool = False
    runtime: float = 0.0
    cases: list[CaseResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # compatibility rewrites applied to the template

    @property
    def failed(self) -> bool:
        return self.error is not None or any(c.failed for c in self.cases)


@dataclass
class SuiteResult:
    path: str
    skipped: bool = False
    error: str | None = None
    runtime: float = 0.0
    tests: list[TestResult] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.error is not None or any(t.failed for t in self.tests)

    @property
    def input_error(self) -> bool:
        return any(t.input_error or any(c.input_error for c in t.cases) for t in self.tests)


# --- evaluation -------------------------------------------------------------------------------


def _reduce(raw: Any) -> list[Result]:
    """Gatekeeper's hook: `{msg, details}` per violation with a msg; a set."""
    items = raw if isinstance(raw, list) else list(raw.values()) if isinstance(raw, dict) else []
    seen: dict[str, Result] = {}
    for item in items:
        if not isinstance(item, dict) or "msg" not in item:
            continue
        msg = item["msg"]
        if not isinstance(msg, str):
            raise CaseError(f"extracting message binding: .msg accessor error: {json.dumps(msg)} is of the type "
                            f"{type(msg).__name__}, expected string")
        details = item.get("details", {})
        seen.setdefault(json.dumps([msg, details], sort_keys=True), Result(msg, details))
    return sorted(seen.values(), key=lambda r: (r.msg, json.dumps(r.details, sort_keys=True)))


def evaluate(compiled: CompiledTemplate, constraint: Constraint, review: dict[str, Any], inventory: dict[str, Any],
             namespaces: dict[str, dict[str, Any]], prints: list[str] | None = None) -> list[Result]:
    """The results gator's client.Review returns for this one constraint (Rego `print` output into `prints`)."""
    if not constraint.evaluated_by_gator:
        return []
    try:
        if not review_matches(constraint.match, review, namespaces):
            return []
    except MatchError as exc:
        return [Result(f"unable to match constraints: {exc}", None)]
    engine = compiled.engine.clone()
    engine.set_gather_prints(True)   # gator shows print() output only with --verbose
    engine.add_data_json(json.dumps({"inventory": inventory}))
    engine.set_input_json(json.dumps({"review": review, "parameters": constraint.parameters}))
    try:
        raw = json.loads(engine.eval_rule_as_json(f"data.{TEMPLATE_PACKAGE}.violation"))
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        return [Result(clean_error(exc), {}, engine_error=True)]
    finally:
        if prints is not None:
            try:
                prints += [str(line) for line in engine.take_prints()]
            except Exception:  # noqa: BLE001, S110 - prints are a convenience, never a failure
                pass
    return _reduce(raw)


def _go_list(messages: list[str]) -> str:
    return "[" + " ".join(messages) + "]"


def check_assertion(violations: int | str, message: str | None, results: list[Result]) -> str | None:
    """gator's Assertion.Run: None when it holds, else the failure text."""
    regex = compile_re2(message) if message is not None else None
    matching = sum(1 for r in results if regex is None or regex.search(r.msg))
    got = f"got messages {_go_list([r.msg for r in results])}"
    containing = f" containing {json.dumps(message)}" if message is not None else ""
    prefix = "unexpected number of violations"
    if isinstance(violations, int):
        if violations < 0:
            raise ValueError('invalid yaml: assertion.violation, if set, must be a nonnegative integer, "yes", or "no"')
        if matching != violations:
            return f"{prefix}: got {matching} violations{containing} but want exactly {violations}: {got}"
        return None
    if violations == "yes":
        return None if matching else f"{prefix}: got 0 violations{containing} but want at least 1: {got}"
    if violations == "no":
        return None if not matching else f"{prefix}: got {matching} violations{containing} but want none: {got}"
    raise ValueError('invalid yaml: assertion.violation, if set, must be a nonnegative integer, "yes", or "no"')


# --- the runner -------------------------------------------------------------------------------


class Filter:
    """gator's `--run`: a regex on test or case names, or `test-regex//case-regex`."""

    def __init__(self, expression: str = "") -> None:
        parts = expression.split("//") if expression else []
        if len(parts) > 2:
            raise ValueError('invalid test filter: a filter may include at most one "//"')
        try:
            self.compiled = [compile_re2(p) for p in parts]
        except ValueError as exc:
            raise ValueError(f"invalid test filter: {exc}") from None

    def matches_test(self, test: Test) -> bool:
        if not self.compiled:
            return True
        if len(self.compiled) == 2:
            return bool(self.compiled[0].search(test.name))
        return bool(self.compiled[0].search(test.name)) or any(self.matches_case(test.name, c.name) for c in test.cases)

    def matches_case(self, test_name: str, case_name: str) -> bool:
        if not self.compiled:
            return True
        if len(self.compiled) == 2:
            return bool(self.compiled[1].search(case_name)) and bool(self.compiled[0].search(test_name))
        return bool(self.compiled[0].search(case_name)) or bool(self.compiled[0].search(test_name))


class Runner:
    """Runs suites; templates are compiled once per file content and reused across tests."""

    def __init__(self, run_filter: Filter | None = None, compat: bool = True) -> None:
        self.filter = run_filter or Filter()
        self.compat = compat
        self._templates: dict[tuple[Path, str], CompiledTemplate | TemplateError] = {}

    def template(self, path: Path, display: str) -> CompiledTemplate:
        template = read_template(path)
        key = (path.resolve(), path.read_text(encoding="utf-8"))
        cached = self._templates.get(key)
        if cached is None:
            try:
                cached = compile_template(template, display, self.compat)
            except TemplateError as exc:
                cached = exc
            self._templates[key] = cached
        if isinstance(cached, TemplateError):
            raise cached
        return cached

    def run_suite(self, suite: Suite) -> SuiteResult:
        start = time.perf_counter()
        if suite.skip:
            return SuiteResult(suite.display, skipped=True)
        tests = []
        for test in suite.tests:
            if test.skip or not self.filter.matches_test(test):
                tests.append(TestResult(test.name, skipped=True))
            else:
                tests.append(self.run_test(suite, test))
        return SuiteResult(suite.display, runtime=time.perf_counter() - start, tests=tests)

    def run_test(self, suite: Suite, test: Test) -> TestResult:
        start = time.perf_counter()
        result = TestResult(test.name)
        try:
            template_path = resolve(suite, test.template, "template")
            display = _display(suite, test.template)
            compiled = self.template(template_path, display)
            result.notes = compiled.notes
            if not test.constraint:
                raise InputFileError("invalid Suite: missing constraint")
            constraint = read_constraint(resolve(suite, test.constraint, "constraint"), compiled.template)
            if test.expansion:
                raise InputFileError("expansion templates are not supported by astra-guard gatekeeper verify")
        except InputFileError as exc:
            result.error, result.input_error = str(exc), True
        except TemplateError as exc:
            result.error = str(exc)
            if test.invalid:
                result.error = f"constraint should have failed schema validation: got error {exc} but want schema validation failed"
        except ConstraintError as exc:
            if not (test.invalid and exc.schema):
                result.error = str(exc) if not test.invalid else \
                    f"constraint should have failed schema validation: got error {exc} but want schema validation failed"
        else:
            if test.invalid:
                result.error = "constraint should have failed schema validation: got error <nil> but want schema validation failed"
            else:
                result.cases = [self.run_case(suite, test, case, compiled, constraint) for case in test.cases]
        result.runtime = time.perf_counter() - start
        return result

    def run_case(self, suite: Suite, test: Test, case: Case, compiled: CompiledTemplate, constraint: Constraint) -> CaseResult:
        if case.skip or not self.filter.matches_case(test.name, case.name):
            return CaseResult(case.name, skipped=True)
        start = time.perf_counter()
        result = CaseResult(case.name)
        try:
            if not case.object:
                raise InputFileError("invalid Case: must define object")
            if not case.assertions:
                raise InputFileError("invalid Case: assertions must be non-empty")
            object_path = resolve(suite, case.object, "object")
            objects = read_objects(object_path)
            if len(objects) != 1:
                raise InputFileError(f"object file must contain exactly one object: {go_quote(object_path.as_posix())} defines {len(objects)} objects")
            inventory_objects: list[dict[str, Any]] = []
            for relative in case.inventory:
                inventory_objects += read_objects(resolve(suite, relative, "inventory"))
            inventory, namespaces = build_inventory(inventory_objects, _display(suite, ", ".join(case.inventory)))
            review = build_review(objects[0])
            result.results = evaluate(compiled, constraint, review, inventory, namespaces, result.prints)
            for assertion in case.assertions:
                try:
                    failure = check_assertion(assertion.violations, assertion.message, result.results)
                except ValueError as exc:
                    result.error, result.input_error = str(exc), True
                    break
                if failure:
                    result.error = failure
                    break
        except InputFileError as exc:
            result.error, result.input_error = str(exc), True
        except CaseError as exc:
            result.error = str(exc)
        result.runtime = time.perf_counter() - start
        return result


def _display(suite: Suite, relative: str) -> str:
    return (Path(suite.display).parent / relative).as_posix() if relative else suite.display
