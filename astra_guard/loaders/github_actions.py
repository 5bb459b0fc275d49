"""GitHub Actions workflows: one Resource per workflow document, plus typed views of jobs and steps.

The workflow is kept exactly as parsed (`data` is the YAML mapping, keys as written, so the
trigger key is the string "on"), so a rule's path such as ("jobs", "build", "steps", 3, "run")
points into the file and `Resource.locate` finds its line. `iter_jobs` / `iter_steps` are pure
helpers over such a Resource for rules written in Python; they never modify the data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from astra_guard.loaders.yaml_schemas import GITHUB_ACTIONS
from astra_guard.loaders.yaml_source import YamlDocument, YamlLimits, load_yaml_stream
from astra_guard.model import LoadResult, Path, Resource, Skipped

FAMILY = "github-actions"
KIND = "Workflow"


def looks_like_workflow(data: Any) -> bool:
    """A mapping with a `jobs` mapping and an `on` trigger key."""
    return isinstance(data, dict) and isinstance(data.get("jobs"), dict) and "on" in data


def _why_not(data: Any) -> str:
    if data is None:
        return "empty document"
    if not isinstance(data, dict):
        return f"the document is a {type(data).__name__}, not a mapping"
    missing = [k for k in ("on", "jobs") if k not in data]
    if missing:
        return "no " + " and no ".join(f"'{k}' key" for k in missing)
    return "'jobs' is not a mapping"


def resources_from_document(file: str, doc: YamlDocument, result: LoadResult) -> None:
    """Add the workflow of one parsed document to `result`, or record why it is not judged."""
    data = doc.data
    if not looks_like_workflow(data):
        result.skipped.append(
            Skipped(file, doc.line, f"not a GitHub Actions workflow ({_why_not(data)})")
        )
        return
    name = data.get("name")
    result.resources.append(
        Resource(
            family=FAMILY,
            kind=KIND,
            name=str(name) if isinstance(name, (str, int, float)) and str(name) else file,
            file=file,
            data=data,
            spans=doc.spans,
            document=doc.index,
        )
    )


def load(text: str, file: str, limits: YamlLimits | None = None) -> LoadResult:
    """Load every workflow document of a YAML file."""
    stream = load_yaml_stream(text, file, limits, GITHUB_ACTIONS)
    result = LoadResult(file=file, family=FAMILY, errors=list(stream.errors))
    for doc in stream.documents:
        resources_from_document(file, doc, result)
    return result


# --- typed views for rules -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Job:
    """One entry of `jobs:`. A reusable-workflow call (`uses:` at job level) has no steps."""

    job_id: str
    path: Path  # ("jobs", job_id)
    data: dict[str, Any] = field(repr=False)
    name: str | None
    uses: str | None  # reusable workflow reference, e.g. "org/repo/.github/workflows/x.yml@v1"
    runs_on: Any  # raw value of `runs-on` (str, list, mapping or None)
    permissions: Any  # raw value of the job's `permissions` (None when absent)
    continue_on_error: Any  # raw value (bool, or an expression string such as "${{ ... }}")

    @property
    def is_reusable_call(self) -> bool:
        return self.uses is not None


@dataclass(frozen=True, slots=True)
class Step:
    """One item of a job's `steps:` list."""

    job_id: str
    index: int
    path: Path  # ("jobs", job_id, "steps", index)
    data: dict[str, Any] = field(repr=False)
    uses: str | None  # only when `uses` is a string
    run: str | None  # only when `run` is a string
    name: str | None
    step_id: str | None  # the step's `id:`
    shell: str | None
    with_: dict[str, Any]  # `with:` inputs ({} when absent or not a mapping)
    env: dict[str, Any]  # `env:` ({} when absent or not a mapping)
    continue_on_error: Any  # raw value: None when absent, bool, or an expression string

    def field_path(self, key: str) -> Path:
        """The path of one key of this step, e.g. step.field_path("run")."""
        return self.path + (key,)


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def iter_jobs(resource: Resource) -> Iterator[Job]:
    """Every job that is a mapping, in file order."""
    jobs = resource.data.get("jobs")
    if not isinstance(jobs, dict):
        return
    for job_id, job in jobs.items():
        if not isinstance(job, dict):
            continue
        name = job.get("name")
        yield Job(
            job_id=str(job_id),
            path=("jobs", job_id),
            data=job,
            name=str(name) if name is not None else None,
            uses=_str_or_none(job.get("uses")),
            runs_on=job.get("runs-on"),
            permissions=job.get("permissions"),
            continue_on_error=job.get("continue-on-error"),
        )


def iter_steps(resource: Resource) -> Iterator[Step]:
    """Every step (a mapping inside a job's `steps` list), in file order, with its path."""
    for job in iter_jobs(resource):
        steps = job.data.get("steps")
        if job.is_reusable_call or not isinstance(steps, list):
            continue
        for index, step in enumerate(steps):
            if not isinstance(step, dict):
                continue
            name = step.get("name")
            step_id = step.get("id")
            yield Step(
                job_id=job.job_id,
                index=index,
                path=job.path + ("steps", index),
                data=step,
                uses=_str_or_none(step.get("uses")),
                run=_str_or_none(step.get("run")),
                name=str(name) if name is not None else None,
                step_id=str(step_id) if step_id is not None else None,
                shell=_str_or_none(step.get("shell")),
                with_=_mapping(step.get("with")),
                env=_mapping(step.get("env")),
                continue_on_error=step.get("continue-on-error"),
            )
