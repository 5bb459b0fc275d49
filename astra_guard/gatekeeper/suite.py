"""gator `Suite` files: finding them, reading them, and the YAML dialect gator reads.

gator (gatekeeper `pkg/gator/verify`) treats any `*.yaml`/`*.yml` whose first document has an
`apiVersion` in the group `test.gatekeeper.sh` and `kind: Suite` as a suite; every other YAML file
is ignored. Paths inside a suite are relative to the suite file. Suites, templates, constraints
and objects are read with go-yaml v3 and then round-tripped through JSON, so:

- `yes`, `no`, `on`, `off` stay strings (YAML 1.2), timestamps stay strings;
- a float with no fraction becomes an integer (Go writes `1.0` as `1` and reads it back as int64).

Differences from gator, on purpose:
- Directories are always walked recursively (gator needs `dir/...`; a trailing `/...` is accepted
  and ignored here). Directories astra-guard never walks (`.git`, `node_modules`, virtualenvs, ...)
  are skipped.
- A YAML file that does not parse stops gator's whole run; here it stops the run (exit 2) only if
  it was named on the command line or mentions `test.gatekeeper.sh`; other broken YAML files met
  while walking a directory (Helm templates, say) are skipped, as they cannot be suites.
- An absolute path inside a suite is an input error (gator joins it under the suite's directory).
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from astra_guard.discovery import SKIPPED_DIRS
from astra_guard.errors import UsageError

SUITE_GROUP = "test.gatekeeper.sh"
SUITE_KIND = "Suite"
YAML_SUFFIXES = (".yaml", ".yml")


def _q(value: object) -> str:
    """Quoted as Go's %q quotes (double quotes), for messages that match gator's."""
    return json.dumps(value if isinstance(value, str) else str(value), ensure_ascii=False)


class SuiteError(UsageError):
    """A suite file cannot be used at all (exit 2)."""


class InputFileError(Exception):
    """A file a suite refers to cannot be used: missing, unreadable, not YAML, absolute path."""


# --- the YAML dialect -------------------------------------------------------------------------

try:
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without LibYAML
    _Base = yaml.SafeLoader


class GoYamlLoader(_Base):  # type: ignore[misc, valid-type]
    """PyYAML's safe loader with go-yaml v3's scalar typing: only true/false are booleans."""


def _resolvers() -> dict[str | None, list[tuple[str, re.Pattern[str]]]]:
    table: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}
    rules = [
        ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", list("~nN") + [""]),
        ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
        ("tag:yaml.org,2002:int", r"^[-+]?(?:0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[1-9][0-9_]*|0)$", list("-+0123456789")),
        ("tag:yaml.org,2002:float",
         (r"^(?:[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
          r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"), list("-+0123456789.")),
        ("tag:yaml.org,2002:merge", r"^<<$", ["<"]),
    ]
    for tag, pattern, firsts in rules:
        for first in firsts:
            table.setdefault(first or None, []).append((tag, re.compile(pattern)))
    return table


GoYamlLoader.yaml_implicit_resolvers = _resolvers()


def _string_constructor(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(node.value)


GoYamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _string_constructor)


def normalize(value: Any) -> Any:
    """What a JSON round trip through Go's unstructured decoder leaves of a YAML value."""
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, bool) else str(k).lower(): normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ValueError(f"{value} cannot be represented in JSON")
        if value.is_integer() and abs(value) < 2**63:
            return int(value)
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode()
    return value


def load_documents(path: Path) -> list[Any]:
    """Every non-empty document of a YAML (or JSON) file, normalized; InputFileError if unusable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(f"open {path}: no such file or directory") from None
    except IsADirectoryError:
        raise InputFileError(f"read {path}: is a directory") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"reading {path}: {exc}") from None
    try:
        docs = [normalize(d) for d in yaml.load_all(text, Loader=GoYamlLoader) if d is not None]
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        raise InputFileError(f"invalid yaml: parsing {path}: {' '.join(str(exc).split())}") from None
    return docs


# --- the Suite model --------------------------------------------------------------------------


@dataclass
class Assertion:
    violations: int | str = "yes"
    message: str | None = None


@dataclass
class Case:
    name: str
    object: str = ""
    inventory: list[str] = field(default_factory=list)
    assertions: list[Assertion] = field(default_factory=list)
    skip: bool = False


@dataclass
class Test:
    name: str
    template: str = ""
    constraint: str = ""
    expansion: str = ""
    cases: list[Case] = field(default_factory=list)
    invalid: bool = False
    skip: bool = False


@dataclass
class Suite:
    path: Path          # the file
    display: str        # how it is named in output (as given on the command line, joined)
    name: str = ""
    tests: list[Test] = field(default_factory=list)
    skip: bool = False

    @property
    def directory(self) -> Path:
        return self.path.parent


def _expect(value: Any, kind: type | tuple[type, ...], where: str, default: Any) -> Any:
    if value is None:
        return default
    if kind is bool and not isinstance(value, bool) or (kind is not bool and (not isinstance(value, kind) or isinstance(value, bool))):
        names = {str: "string", bool: "bool", list: "list", dict: "object"}
        wanted = names.get(kind, "value") if isinstance(kind, type) else "value"
        raise SuiteError(f"{where}: expected a {wanted}, got {type(value).__name__} {_q(value)}")
    return value


def _assertion(raw: Any, where: str) -> Assertion:
    raw = _expect(raw, dict, where, {})
    violations = raw.get("violations", "yes")
    if violations is None:
        violations = "yes"
    if isinstance(violations, bool) or not isinstance(violations, (int, str)):
        raise SuiteError(f"{where}.violations: must be a nonnegative integer, \"yes\", or \"no\"; got {_q(violations)}")
    message = _expect(raw.get("message"), str, f"{where}.message", None)
    return Assertion(violations, message)


def _case(raw: Any, where: str) -> Case:
    raw = _expect(raw, dict, where, {})
    inventory = _expect(raw.get("inventory"), list, f"{where}.inventory", [])
    return Case(
        name=str(_expect(raw.get("name"), str, f"{where}.name", "")),
        object=_expect(raw.get("object"), str, f"{where}.object", ""),
        inventory=[_expect(p, str, f"{where}.inventory[{i}]", "") for i, p in enumerate(inventory)],
        assertions=[_assertion(a, f"{where}.assertions[{i}]")
                    for i, a in enumerate(_expect(raw.get("assertions"), list, f"{where}.assertions", []))],
        skip=_expect(raw.get("skip"), bool, f"{where}.skip", False),
    )


def _test(raw: Any, where: str) -> Test:
    raw = _expect(raw, dict, where, {})
    return Test(
        name=str(_expect(raw.get("name"), str, f"{where}.name", "")),
        template=_expect(raw.get("template"), str, f"{where}.template", ""),
        constraint=_expect(raw.get("constraint"), str, f"{where}.constraint", ""),
        expansion=_expect(raw.get("expansion"), str, f"{where}.expansion", ""),
        cases=[_case(c, f"{where}.cases[{i}]") for i, c in enumerate(_expect(raw.get("cases"), list, f"{where}.cases", []))],
        invalid=_expect(raw.get("invalid"), bool, f"{where}.invalid", False),
        skip=_expect(raw.get("skip"), bool, f"{where}.skip", False),
    )


def is_suite(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    api_version = doc.get("apiVersion")
    group = api_version.rpartition("/")[0] if isinstance(api_version, str) else ""
    return group == SUITE_GROUP and doc.get("kind") == SUITE_KIND


def parse_suite(doc: dict[str, Any], path: Path, display: str) -> Suite:
    where = display
    metadata: dict[str, Any] = doc["metadata"] if isinstance(doc.get("metadata"), dict) else {}
    return Suite(
        path=path,
        display=display,
        name=str(metadata.get("name", "")),
        tests=[_test(t, f"{where}: tests[{i}]") for i, t in enumerate(_expect(doc.get("tests"), list, f"{where}: tests", []))],
        skip=_expect(doc.get("skip"), bool, f"{where}: skip", False),
    )


def read_suite(path: Path, display: str, explicit: bool) -> Suite | None:
    """The suite in `path`, None when the file is not a suite; SuiteError when it cannot be read."""
    try:
        docs = load_documents(path)
    except InputFileError as exc:
        if explicit:
            raise SuiteError(str(exc)) from None
        try:
            mentions = SUITE_GROUP in path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            mentions = False
        if mentions:
            raise SuiteError(str(exc)) from None
        return None
    # gator decodes the first document only (yaml.Unmarshal).
    if not docs or not is_suite(docs[0]):
        return None
    return parse_suite(docs[0], path, display)


def discover(targets: list[str]) -> list[Suite]:
    """Every suite under the given files and directories, in path order (as gator sorts them)."""
    found: dict[Path, Suite] = {}
    for target in targets:
        given = target[:-4] or "/" if target.endswith("/...") else target
        given = "." if given in ("", "...") else given
        root = Path(given)
        if not root.exists():
            raise SuiteError(f"{target}: no such file or directory")
        if root.is_file():
            if root.suffix not in YAML_SUFFIXES:
                raise SuiteError(f"{target}: unsupported extension: {_q(root.suffix)} (a suite is a .yaml or .yml file)")
            suite = read_suite(root, root.as_posix(), explicit=True)
            if suite is None:
                raise SuiteError(f"{target}: not a gator Suite (apiVersion test.gatekeeper.sh/*, kind Suite)")
            found.setdefault(root.resolve(), suite)
            continue
        for here, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
            for name in sorted(files):
                if not name.endswith(YAML_SUFFIXES):
                    continue
                path = Path(here) / name
                suite = read_suite(path, path.as_posix(), explicit=False)
                if suite is not None:
                    found.setdefault(path.resolve(), suite)
    return [found[p] for p in sorted(found)]


def resolve(suite: Suite, relative: str, what: str) -> Path:
    """A path named in a suite, relative to the suite's directory."""
    if not relative:
        raise InputFileError(f"invalid Suite: missing {what}")
    if os.path.isabs(relative) or relative.startswith(("/", "\\")):
        raise InputFileError(f"invalid Suite: {what} path {_q(relative)} is absolute; paths in a suite are relative to the suite file")
    return suite.directory / relative
