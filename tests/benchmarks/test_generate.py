"""The benchmark's corpus generator: the same bytes for the same N, and the counts it states."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import yaml

from astra_guard.discovery import discover
from astra_guard.scan import load_file

REPO = Path(__file__).resolve().parents[2]


def _generator():  # noqa: ANN202 - a module loaded from benchmarks/, which is not a package
    spec = importlib.util.spec_from_file_location("benchmark_generate", REPO / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


generate = _generator()


def test_the_same_n_gives_the_same_bytes_and_a_service_does_not_depend_on_n(tmp_path: Path) -> None:
    generate.generate(100, tmp_path / "a")
    generate.generate(100, tmp_path / "b")
    a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()}
    b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file()}
    assert a == b
    large = generate.files(250)
    assert all(large[rel] == text for rel, text in generate.files(100).items() if rel.startswith("services/svc-0007"))


def test_one_thousand_services_are_the_issue_s_1160_files() -> None:
    made = generate.counts(1000)
    assert (made.files, made.services, made.namespaces, made.dockerfiles, made.terraform_files) == (1160, 1000, 40, 100, 20)
    assert len(generate.files(1000)) == 1160


def test_the_files_hold_the_stated_objects_per_service_and_namespace() -> None:
    files = generate.files(100)
    kinds = Counter(doc["kind"] for rel, text in files.items() if rel.endswith(".yaml") for doc in yaml.safe_load_all(text))
    assert kinds == {"Deployment": 100, "Service": 100, "ServiceAccount": 100, "Role": 100, "RoleBinding": 100,
                     "NetworkPolicy": 100 + 4, "Namespace": 4 + 1}
    assert sum(kinds.values()) == generate.counts(100).kubernetes_objects
    assert sorted(rel for rel in files if not rel.endswith(".yaml")) == sorted(
        [f"services/svc-{i:05d}/Dockerfile" for i in range(0, 100, 10)] + ["infra/svc-00000/main.tf", "infra/svc-00050/main.tf"]
    )


def test_astra_guard_reads_every_generated_file_without_an_input_error(tmp_path: Path) -> None:
    generate.generate(60, tmp_path)
    found = discover([tmp_path], tmp_path)
    loaded = [load_file(source) for source in found.files]
    assert len(found.files) == generate.counts(60).files
    assert [e for result in loaded for e in result.errors] == []
    families = Counter(r.family for result in loaded for r in result.resources)
    assert families["kubernetes"] == generate.counts(60).kubernetes_objects
    assert families["dockerfile"] == 6
