"""--only-files: report on the files given, judge them with the whole repository as context."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from astra_guard.cli import main
from astra_guard.model import Resource, Span
from astra_guard.scope import Scope, context_root, git_tracked_files, may_report
from tests.suppressions.scanning import DEPLOYMENT, write

NETPOL = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
"""


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    write(root, {"k8s/deploy.yaml": DEPLOYMENT, "k8s/netpol.yaml": NETPOL, "Dockerfile": "FROM alpine:3.20\nUSER root\n"})
    git(root, "init", "-q")
    git(root, "add", "-A")
    monkeypatch.chdir(root / "k8s")  # pre-commit runs from the top; any directory of the work tree will do
    return root


def report(tmp_path: Path, *args: str) -> tuple[int, dict]:
    out = tmp_path / "report.json"
    code = main(["scan", "--format", "json", "--output", str(out), *args])
    return code, json.loads(out.read_text())


def rules_by_file(document: dict) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for f in document["findings"]:
        found.setdefault(f["file"], []).append(f["rule_id"])
    return found


def test_only_the_given_files_are_reported_and_the_repository_is_their_context(repo: Path, tmp_path: Path) -> None:
    code, document = report(tmp_path, "--only-files", "deploy.yaml")
    found = rules_by_file(document)
    assert list(found) == ["k8s/deploy.yaml"]
    # the default-deny NetworkPolicy in k8s/netpol.yaml was loaded: no netpol-default-deny finding
    assert "k8s-netpol-default-deny" not in found["k8s/deploy.yaml"]
    assert "k8s-revision-history" in found["k8s/deploy.yaml"]
    assert document["summary"]["files"] == 3 and code == 1


def test_without_the_context_the_cross_file_finding_appears(repo: Path, tmp_path: Path) -> None:
    _, alone = report(tmp_path, str(repo / "k8s" / "deploy.yaml"))
    assert "k8s-netpol-default-deny" in rules_by_file(alone)["deploy.yaml"]


def test_untracked_files_are_not_context(repo: Path, tmp_path: Path) -> None:
    git(repo, "rm", "-q", "--cached", "k8s/netpol.yaml")
    _, document = report(tmp_path, "--only-files", "deploy.yaml")
    assert "k8s-netpol-default-deny" in rules_by_file(document)["k8s/deploy.yaml"]


def test_outside_a_git_work_tree_the_scan_root_is_walked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write(tmp_path / "plain", {"deploy.yaml": DEPLOYMENT, "netpol.yaml": NETPOL, "bad.yaml": "kind: [\n"})
    monkeypatch.chdir(root)
    assert context_root(root) == root.resolve()
    code, document = report(tmp_path, "--only-files", "deploy.yaml", "--root", str(root))
    assert list(rules_by_file(document)) == ["deploy.yaml"]
    assert "k8s-netpol-default-deny" not in rules_by_file(document)["deploy.yaml"]
    assert document["errors"] == []  # bad.yaml is out of scope; the scan of it is the full hook's job
    assert code == 1  # deploy.yaml's own high findings


def test_an_input_error_in_a_given_file_is_reported_and_fails(repo: Path, tmp_path: Path) -> None:
    write(repo, {"k8s/bad.yaml": "kind: [\n"})
    git(repo, "add", "k8s/bad.yaml")
    _, document = report(tmp_path, "--only-files", "bad.yaml", "--fail-on", "never")
    assert [(e["file"], e["line"]) for e in document["errors"]] == [("k8s/bad.yaml", 2)]
    assert [f["rule_id"] for f in document["findings"]] == ["input-error"]


def test_a_file_astra_guard_does_not_read_reports_nothing(repo: Path, tmp_path: Path) -> None:
    write(repo, {"k8s/README.md": "# notes\n"})
    code, document = report(tmp_path, "--only-files", "README.md")
    assert (code, document["findings"]) == (0, [])


def test_git_tracked_files_and_scope_naming(repo: Path) -> None:
    assert git_tracked_files(repo) == ["Dockerfile", "k8s/deploy.yaml", "k8s/netpol.yaml"]
    assert git_tracked_files(repo / "k8s") == ["deploy.yaml", "netpol.yaml"]
    assert context_root(repo / "k8s") == repo.resolve()
    scope = Scope((Path("deploy.yaml"), repo), repo.resolve())
    assert "anything/at/all.yaml" in scope  # the repository itself was given
    narrow = Scope((Path("deploy.yaml"),), repo.resolve())
    assert "k8s/deploy.yaml" in narrow and "k8s/netpol.yaml" not in narrow


def test_only_files_needs_files(repo: Path) -> None:
    assert main(["scan", "--only-files"]) == 2


def test_a_directory_given_with_only_files_is_the_repository(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # outside the repository: the directory argument names it
    _, document = report(tmp_path, str(repo), "--only-files", str(repo / "k8s" / "deploy.yaml"))
    assert list(rules_by_file(document)) == ["k8s/deploy.yaml"]
    assert "k8s-netpol-default-deny" not in rules_by_file(document)["k8s/deploy.yaml"]
    assert main(["scan", str(repo), str(tmp_path), "--only-files", str(repo / "k8s" / "deploy.yaml")]) == 2


def test_a_finding_may_be_reported_from_a_file_in_scope_or_an_object_sharing_an_identity_with_one() -> None:
    def deployment(name: str, file: str, merged_from: tuple[str, ...] = ()) -> Resource:
        return Resource("kubernetes", "Deployment", name, file, {}, {(): Span(file, 1, 1, 1, 1)}, namespace="ns",
                        merged_from=merged_from)

    changed, patched, twin, other = (deployment("a", "a.yaml"), deployment("b", "base/b.yaml", ("patch.yaml",)),
                                     deployment("a", "dup/a.yaml"), deployment("c", "c.yaml"))
    in_scope = lambda r: bool({r.file, *r.merged_from} & {"a.yaml", "patch.yaml"})  # noqa: E731
    reportable = may_report([changed, patched, twin, other], in_scope)
    assert [reportable(r) for r in (changed, patched, twin, other)] == [True, True, True, False]
