"""The supply-chain events of a pipeline, in the order they run, and whether each one gates.

An `Event` is one build, SBOM, scan, push or deploy that a step performs (a step may hold
several: `docker build ... && trivy image ... && docker push ...`). Whether a failure of the
command can stop the pipeline is worked out from the shell and the CI around it:

- shell: see `_shell` (`|| true`, pipes without pipefail, `set +e`, `#!` scripts...).
- GitHub Actions: `continue-on-error` on the step or the job (an expression counts: it may be
  true).
- Jenkins: `catchError`/`warnError` whose buildResult is not FAILURE; with FAILURE the build
  is marked failed but the pipeline goes on, which neutralises the gate only when a push or
  deploy runs after it. `returnStatus: true` with the result never assigned neutralises it;
  assigned to a variable it is `doubtful` (the Jenkinsfile may test it: check by hand).
  `try { }` blocks are not judged (the `catch` may rethrow).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from astra_guard.model import Resource
from astra_guard.pipelines import PipelineStep, expand, pipeline_steps, script_commands
from astra_guard.rules.pipelines._actions import action
from astra_guard.rules.pipelines._commands import classify
from astra_guard.rules.pipelines._shell import (
    Neutraliser,
    apply_set,
    shell_neutraliser,
    shell_state,
)
from astra_guard.rules.pipelines._tools import unwrap

PIPELINE_FAMILIES = ("github-actions", "jenkinsfile")


@dataclass(frozen=True)
class Event:
    """One thing a step does to an image."""

    kind: str  # build | sbom | scan | push | deploy
    step: PipelineStep
    index: int  # the command's position in the step's script (0 for `uses:`)
    tool: str
    text: str  # the command or the `uses:` as written
    image: str | None = None
    neutralisers: tuple[Neutraliser, ...] = ()
    doubtful: bool = False  # the only neutraliser may be harmless: check by hand
    no_fail: str | None = None  # a scan that cannot fail the build whatever it finds, and why
    catches_failure: bool = False  # Jenkins catchError(buildResult: 'FAILURE') around it

    @property
    def gates(self) -> bool:
        return not self.neutralisers and self.no_fail is None

    @property
    def order(self) -> tuple[int, ...]:
        return (*self.step.order, self.index)


def _ci_neutralisers(step: PipelineStep) -> tuple[list[Neutraliser], bool, bool]:
    """(neutralisers, doubtful, catches FAILURE) from what wraps the step."""
    found: list[Neutraliser] = []
    doubtful = catches = False
    if step.job is not None:
        for who, value in (
            ("step", step.data.get("continue-on-error")),
            ("job", step.job_continue_on_error),
        ):
            if value is True or (
                isinstance(value, str) and value.strip().lower() not in ("", "false")
            ):
                text = f"`continue-on-error: {'true' if value is True else value}` on the {who}"
                found.append(Neutraliser(text, f"remove continue-on-error from the {who}"))
        return found, doubtful, catches
    data = step.data
    if data.get("in_catch_error"):
        result = data.get("catch_error_build_result")
        name = next(
            (b for b in reversed(data.get("blocks") or []) if b in ("catchError", "warnError")),
            "catchError",
        )
        if str(result).upper() == "FAILURE":
            catches = True
        else:
            found.append(
                Neutraliser(f"`{name}(buildResult: '{result}')`", f"take it out of {name}")
            )
    if data.get("return_status") is True or str(data.get("return_status")).lower() == "true":
        if data.get("assigned_to"):
            doubtful = True
            var = data["assigned_to"]
            found.append(
                Neutraliser(
                    f"`returnStatus: true` (the exit status goes to `{var}`; the build fails only if the Jenkinsfile tests it)",
                    f"make sure a non-zero `{var}` fails the build, e.g. `if ({var} != 0) {{ error('failed') }}`",
                )
            )
        else:
            found.append(
                Neutraliser(
                    "`returnStatus: true` (the exit status is returned and never read)",
                    "drop returnStatus: true",
                )
            )
    return found, doubtful and len(found) == 1, catches


def step_events(step: PipelineStep) -> list[Event]:
    """Every event of one step, in command order."""
    wrapped, doubtful, catches = _ci_neutralisers(step)
    common = {"doubtful": doubtful, "catches_failure": catches}
    if step.uses is not None:
        return [
            Event(
                h.kind,
                step,
                0,
                h.tool,
                step.uses.split("@", 1)[0],
                h.image,
                tuple(wrapped),
                no_fail=h.no_fail,
                **common,
            )
            for h in action(step.uses, step.with_)
        ]
    events: list[Event] = []
    cmds = script_commands(step.script or "")
    state = shell_state(step)
    for k, command in enumerate(cmds):
        if command.argv[0] == "set" and state is not None:
            state = apply_set(command.argv, state)
            continue
        args, inline, condition = unwrap([expand(a, step.env) for a in command.argv])
        hits = classify(args, {**step.env, **inline})
        if not hits:
            continue
        shell = None if state is None or condition else shell_neutraliser(cmds, k, state)
        found = tuple(wrapped + ([shell] if shell else []))
        sure = common if not shell else {**common, "doubtful": False}
        events += [
            Event(
                h.kind,
                step,
                k,
                h.tool,
                " ".join(command.argv),
                h.image,
                found,
                no_fail=h.no_fail,
                **sure,
            )
            for h in hits
        ]
    return events


def pipeline_events(resource: Resource) -> list[Event]:
    """Every event of one pipeline, in the order it runs (GitHub Actions jobs in file order)."""
    events = [e for step in pipeline_steps(resource) for e in step_events(step)]
    releases = [e for e in events if e.kind in ("push", "deploy")]
    needs = job_needs(resource)
    out = []
    for event in events:
        later = (
            next((r for r in releases if runs_before(event, r, needs)), None)
            if event.catches_failure
            else None
        )
        if later is not None:
            caught = Neutraliser(
                f"`catchError` (the build is marked failed but the pipeline goes on to {later.step.where})",
                "take it out of catchError",
            )
            event = replace(event, doubtful=False, neutralisers=(*event.neutralisers, caught))
        out.append(event)
    return out


def pipelines(resources: list[Resource]) -> list[Resource]:
    return [r for r in resources if r.family in PIPELINE_FAMILIES]


def unread(resource: Resource) -> str:
    """What of a pipeline was not read (so a 'missing' step may be there), as a message suffix."""
    parts = []
    scripts = len(resource.data.get("unparsed") or ()) if resource.family == "jenkinsfile" else 0
    if scripts:
        parts.append(f"{scripts} step(s) whose script is not a string literal")
    if resource.family == "github-actions":
        jobs = resource.data.get("jobs") or {}
        calls = [j.get("uses") for j in jobs.values() if isinstance(j, dict) and j.get("uses")]
        parts += [f"the reusable workflow {call}" for call in calls]
    return f" (not read: {'; '.join(parts)})" if parts else ""


def job_needs(resource: Resource) -> dict[str, set[str]]:
    """GitHub Actions: every job's transitive `needs` (the jobs that finish before it starts)."""
    direct: dict[str, set[str]] = {}
    for job_id, job in (resource.data.get("jobs") or {}).items():
        needs: Any = job.get("needs") if isinstance(job, dict) else None
        direct[str(job_id)] = (
            {needs} if isinstance(needs, str) else {str(n) for n in needs or () if n}
        )
    closed: dict[str, set[str]] = {}
    for job, deps in direct.items():
        seen: set[str] = set()
        todo = list(deps)
        while todo:
            dep = todo.pop()
            if dep not in seen:
                seen.add(dep)
                todo += direct.get(dep, ())
        closed[job] = seen
    return closed


def runs_before(a: Event, b: Event, needs: dict[str, set[str]] | None = None) -> bool:
    """Whether event `a` is over when event `b` starts (same pipeline).

    Jenkins, and two steps of one job: by order. Different GitHub Actions jobs run in parallel
    unless `b`'s job needs `a`'s, directly or through other jobs.
    """
    if a.step.resource is not b.step.resource:
        return False
    if a.step.job is None or a.step.job == b.step.job:
        return a.order < b.order
    needs = job_needs(a.step.resource) if needs is None else needs
    return a.step.job in needs.get(b.step.job or "", set())
