"""gator `Suite` files for the exported templates, built from each rule's own fixtures.

For every exported rule, each Kubernetes object of its `tests/rules/<family>/<name>/{pass,fail}`
fixture files becomes a case; the expected number of violations is what the scan reports for
that object, so `gator verify constraints/` (or `astra-guard gatekeeper verify constraints/`)
checks that admission reaches the verdict CI reached. Cross-file fixtures (directories) are left
out: admission sees one object at a time. Outside a source checkout there are no fixtures and no
suites are written.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from astra_guard.gatekeeper.export import constraint, constraint_kind, dump
from astra_guard.rules.meta import RuleMeta

def fixtures_root() -> Path:
    """tests/rules of the source checkout: beside the package, or (installed package) the working directory's."""
    for candidate in (Path(__file__).resolve().parents[2] / "tests" / "rules", Path.cwd() / "tests" / "rules"):
        if candidate.is_dir():
            return candidate
    return Path(__file__).resolve().parents[2] / "tests" / "rules"


def fixture_files(meta: RuleMeta) -> list[Path]:
    """The rule's fixture cases: files, and for a referential rule also directories (its inventory)."""
    folder = fixtures_root() / meta.family / meta.id.split("-", 1)[1].replace("-", "_")
    return sorted(
        p for kind in ("fail", "pass") for p in (folder / kind).glob("*")
        if (p.is_file() and p.suffix in (".yaml", ".yml", ".json")) or (p.is_dir() and meta.referential)
    )


def _synced(meta: RuleMeta, resource: Any) -> bool:
    group, _, version = (resource.api_version or "").rpartition("/")
    return any(k["group"] == group and k["version"] == version and k["kind"] == resource.kind for k in meta.sync)


def suite_files(meta: RuleMeta) -> dict[str, str]:
    """Relative path (under suites/<name>/) -> text, for one exported rule."""
    from astra_guard.scan import ScanOptions, scan

    cases: list[dict[str, Any]] = []
    files: dict[str, str] = {}
    kinds = set(meta.kinds)
    for fixture in fixture_files(meta):
        result = scan([fixture], ScanOptions(root=fixture if fixture.is_dir() else fixture.parent))
        inventory = [r for loaded in result.files for r in loaded.resources if meta.referential and _synced(meta, r)]
        counts = Counter(
            (f.resource_kind, f.resource_namespace, f.resource_name)
            for f in {(f.resource_kind, f.resource_namespace, f.resource_name, f.message): f for f in result.findings
                      if f.rule_id == meta.id}.values()
        )
        for loaded in result.files:
            for index, resource in enumerate(loaded.resources):
                if resource.family != "kubernetes" or (kinds and resource.kind not in kinds) or resource.merged_from:
                    continue
                within = f"{Path(loaded.file).stem}-" if fixture.is_dir() else ""
                case = f"{fixture.parent.name}-{fixture.stem}-{within}{index}"
                files[f"samples/{case}.yaml"] = dump(resource.data)
                expected = counts[(resource.kind, resource.namespace, resource.name)]
                entry: dict[str, Any] = {"name": case, "object": f"samples/{case}.yaml",
                                         "assertions": [{"violations": expected if expected else "no"}]}
                if inventory:
                    files[f"samples/{case}-inventory.yaml"] = "---\n".join(dump(r.data) for r in inventory)
                    entry["inventory"] = [f"samples/{case}-inventory.yaml"]
                cases.append(entry)
    if not cases:
        return {}
    name = constraint_kind(meta.id).lower()
    files["template.yaml"] = f"# the exported template: ../../templates/{name}.yaml\n"
    files["constraint.yaml"] = dump(constraint(meta, meta.default_params(), "deny", ()))
    files["suite.yaml"] = dump({
        "apiVersion": "test.gatekeeper.sh/v1alpha1",
        "kind": "Suite",
        "metadata": {"name": meta.id},
        "tests": [{"name": meta.id, "template": f"../../templates/{name}.yaml", "constraint": "constraint.yaml",
                   "cases": cases}],
    })
    del files["template.yaml"]
    return files
