"""Which loader reads a file, and reading it: bytes -> text -> `LoadResult`.

Families are chosen by name first (conftest's NewFromPath idea), then by content where names
say nothing (a `.json` file may be a Terraform plan or a Kubernetes object; a `.yaml` file may
be a workflow outside `.github/workflows`).
"""

from __future__ import annotations

import fnmatch

from astra_guard.loaders.text import decode
from astra_guard.loaders.yaml_source import AUTO, YamlLimits, load_yaml_stream
from astra_guard.model import InputError, LoadResult, Skipped

DOCKERFILE, TERRAFORM, KUBERNETES, GITHUB_ACTIONS, JENKINSFILE = (
    "dockerfile",
    "terraform",
    "kubernetes",
    "github-actions",
    "jenkinsfile",
)


def family_by_name(rel_path: str) -> str | None:
    """The loader family a path's name selects, or None when astra-guard does not read it."""
    name = rel_path.rpartition("/")[2]
    lower = name.lower()
    if lower.endswith(".dockerignore"):
        return None
    if name in ("Dockerfile", "Containerfile") or lower.endswith(".dockerfile") or name.startswith(
        ("Dockerfile.", "Containerfile.")
    ):
        return DOCKERFILE
    if lower.endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json")):
        return TERRAFORM
    if name == "Jenkinsfile" or name.startswith("Jenkinsfile.") or lower.endswith(".jenkinsfile"):
        return JENKINSFILE
    if lower.endswith((".yaml", ".yml")):
        if fnmatch.fnmatch(rel_path, "*.github/workflows/*") or rel_path.startswith(".github/workflows/"):
            return GITHUB_ACTIONS
        return KUBERNETES
    if lower.endswith(".json"):
        return KUBERNETES  # may turn out to be a Terraform plan: see load_text
    return None


def load_text(text: str, rel_path: str, family: str, limits: YamlLimits | None = None) -> LoadResult:
    """Run the loader of `family` on already-decoded text."""
    max_depth = (limits or YamlLimits()).max_depth  # bounds HCL and Jenkinsfile brackets too
    if family == DOCKERFILE:
        from astra_guard.loaders import dockerfile

        return dockerfile.load(text, rel_path)
    if family == TERRAFORM:
        from astra_guard.loaders import terraform

        return terraform.load(text, rel_path, max_depth)
    if family == JENKINSFILE:
        from astra_guard.loaders import jenkinsfile

        return jenkinsfile.load(text, rel_path, max_depth)
    if family == GITHUB_ACTIONS:
        from astra_guard.loaders import github_actions

        return github_actions.load(text, rel_path, limits)
    return _load_yaml_or_json(text, rel_path, limits)


def _load_yaml_or_json(text: str, rel_path: str, limits: YamlLimits | None) -> LoadResult:
    from astra_guard.loaders import github_actions, kubernetes

    if rel_path.lower().endswith(".json"):
        from astra_guard.loaders import terraform

        if terraform.looks_like_plan(text):
            return terraform.load_plan(text, rel_path)
    stream = load_yaml_stream(text, rel_path, limits, AUTO)  # each document typed as its consumer reads it
    result = LoadResult(file=rel_path, family=KUBERNETES, errors=list(stream.errors))
    for doc in stream.documents:
        if kubernetes.is_kubernetes_object(doc.data):
            kubernetes.resources_from_document(rel_path, doc, result)
        elif github_actions.looks_like_workflow(doc.data):
            github_actions.resources_from_document(rel_path, doc, result)
        else:
            kubernetes.resources_from_document(rel_path, doc, result)  # records why it is skipped
    return result


def load_bytes(raw: bytes, rel_path: str, family: str, limits: YamlLimits | None = None) -> LoadResult:
    """Decode and load one file; undecodable or binary content becomes an error or a skip."""
    decoded = decode(raw)
    if decoded.binary:
        result = LoadResult(file=rel_path, family=family)
        result.skipped.append(Skipped(rel_path, 1, "binary content (NUL bytes), not a text file"))
        return result
    if decoded.error is not None:
        result = LoadResult(file=rel_path, family=family)
        result.errors.append(InputError(rel_path, decoded.error_line, decoded.error))
        return result
    try:
        return load_text(decoded.text, rel_path, family, limits)
    except RecursionError:
        result = LoadResult(file=rel_path, family=family)
        result.errors.append(InputError(rel_path, 1, "input nested too deeply to parse"))
        return result
