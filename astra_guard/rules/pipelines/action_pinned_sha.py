"""Every GitHub Action a workflow runs is pinned to a full commit SHA."""

from __future__ import annotations

import re
from collections.abc import Iterator

from astra_guard.engine.python_rules import RuleContext
from astra_guard.findings import Severity, Violation
from astra_guard.loaders.github_actions import iter_jobs, iter_steps
from astra_guard.pipelines import repository
from astra_guard.rules.meta import RuleMeta

META = RuleMeta(
    id="ci-action-pinned-sha",
    title="GitHub Actions are pinned to a full commit SHA",
    severity=Severity.MEDIUM,
    checklist_item=4,
    rationale=(
        "A tag or branch (`@v4`, `@main`) is a pointer its owner, or whoever compromises the "
        "repository, can move: the next run then executes new code with the job's token and secrets. "
        "Only a full 40-character commit SHA is immutable. GitHub-owned actions (actions/*) are held "
        "to the same rule: the release pipeline should run exactly the code that was reviewed."
    ),
    remediation=(
        "Pin every action to the commit its tag points at, e.g. `uses: actions/checkout@<40-hex sha> "
        "# v4`, and let Dependabot or Renovate update the SHAs; pin `docker://` actions by digest "
        "(`docker://image@sha256:...`)."
    ),
    family="pipelines",
    engine="python",
    source="astra_guard/rules/pipelines/action_pinned_sha.py",
    references=(
        "https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-third-party-actions",
        "https://docs.github.com/en/code-security/dependabot/working-with-dependabot/keeping-your-actions-up-to-date-with-dependabot",
    ),
)

SHA = re.compile(r"[0-9a-fA-F]{40}")
DIGEST = re.compile(r"@sha256:[0-9a-fA-F]{64}$")


def problem(uses: str) -> str | None:
    """Why a `uses:` value is not pinned, or None when it is (or is a local action)."""
    if uses.startswith("./"):
        return None
    if uses.startswith("docker://"):
        if DIGEST.search(uses):
            return None
        return (
            f"{uses} is not pinned by digest: use docker://{repository(uses[9:])}@sha256:<digest>"
        )
    name, _, ref = uses.partition("@")
    if SHA.fullmatch(ref):
        return None
    if not ref:
        return f"{uses} names no ref: pin it to a full commit SHA ({name}@<40-hex sha>)"
    if re.fullmatch(r"[0-9a-f]{7,39}", ref):
        return f"{uses} uses the abbreviated SHA '{ref}', which can become ambiguous: pin it to the full 40-character commit SHA"
    return (
        f"{uses} is pinned to '{ref}', a ref its owner can move: pin it to the full 40-character commit SHA "
        f"'{ref}' points at ({name}@<sha> # {ref})"
    )


def check(context: RuleContext) -> Iterator[Violation]:
    for resource in context.of_family("github-actions"):
        for job in iter_jobs(resource):
            if job.uses is not None and (why := problem(job.uses)):
                yield Violation(resource, job.path + ("uses",), why)
        for step in iter_steps(resource):
            if step.uses is not None and (why := problem(step.uses)):
                yield Violation(resource, step.field_path("uses"), why)
