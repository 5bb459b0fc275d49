"""One view over every CI pipeline's steps, their shell commands, and the image builds they run.

GitHub Actions `run:` steps and Jenkinsfile `sh`/`bat` steps become `ShellStep`s; shell text
is split into simple commands with `shlex` (quotes, `&&`, `;`, `|`, line continuations), or
into `Command`s that keep the operators between them (`script_commands`). `pipeline_steps`
lists every step of one pipeline, `uses:` steps too, in the order it runs.
Variables from the pipeline's environment are expanded (`$REG`, `${IMG}`); what cannot be
known statically (`${{ github.sha }}`, `${BUILD_NUMBER}`) is left in place.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from astra_guard.model import Path, Resource

SEPARATORS = {"&&", "||", ";", "|", "&", ";;", "\n", "|&"}
VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)")


@dataclass(frozen=True)
class ShellStep:
    """A shell script a pipeline runs, and where it sits."""

    resource: Resource
    path: Path  # path of the script value inside the pipeline resource
    script: str
    env: dict[str, str]


@dataclass(frozen=True)
class ImageBuild:
    """`docker build -t IMAGE -f DOCKERFILE CONTEXT` as a pipeline runs it."""

    step: ShellStep
    repository: str  # image reference without tag or digest
    tag: str  # the full reference as written (after variable expansion)
    dockerfile: str  # path relative to the repository root


def expand(text: str, env: dict[str, str]) -> str:
    """Expand `$VAR` and `${VAR}` from `env` (repeatedly, for variables made of variables)."""
    for _ in range(5):
        new = VARIABLE.sub(lambda m: env.get(m.group(1) or m.group(2), m.group(0)), text)
        if new == text:
            break
        text = new
    return text


def _strings(mapping: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in mapping.items()} if isinstance(mapping, dict) else {}


def shell_steps(resources: list[Resource]) -> Iterator[ShellStep]:
    """Every shell step of every pipeline among `resources`, in file order."""
    for resource in resources:
        if resource.family == "github-actions":
            from astra_guard.loaders.github_actions import iter_steps

            top = _strings(resource.data.get("env"))
            for step in iter_steps(resource):
                if step.run is not None:
                    yield ShellStep(resource, step.field_path("run"), step.run, {**top, **_strings(step.env)})
        elif resource.family == "jenkinsfile":
            top = _strings(resource.data.get("environment"))
            for i, stage in enumerate(resource.data.get("stages") or ()):
                env = {**top, **_strings(stage.get("environment"))}
                for j, step in enumerate(stage.get("steps") or ()):
                    if isinstance(step.get("script"), str):
                        yield ShellStep(resource, ("stages", i, "steps", j), step["script"], env)


GHA_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}")


def _lex(text: str) -> list[list[str]]:
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    out: list[list[str]] = [[]]
    for token in lexer:
        if token in SEPARATORS or set(token) <= set(";&|"):
            out.append([])
        else:
            out[-1].append(token)
    return [c for c in out if c]


def commands(script: str) -> list[list[str]]:
    """Split a shell script into simple commands (argument lists), one line at a time."""
    script = GHA_EXPRESSION.sub(lambda m: "${{" + "".join(m.group(1).split()) + "}}", script)
    script = script.replace("\\\n", " ")
    out: list[list[str]] = []
    for line in script.split("\n"):
        try:
            out += _lex(line)
        except ValueError:  # a quote spanning lines: lex the rest of the script as one
            try:
                return out + _lex(script[script.index(line):])
            except ValueError:
                return out + [line.split()]
    return out


def repository(image: str) -> str:
    """`ghcr.io/org/app` from `ghcr.io/org/app:1.0@sha256:...`."""
    image = image.split("@", 1)[0]
    last = image.rsplit("/", 1)
    if ":" in last[-1]:
        image = image[: len(image) - len(last[-1])] + last[-1].split(":", 1)[0]
    return image


def _build_args(argv: list[str]) -> tuple[list[str], str | None, str]:
    tags: list[str] = []
    dockerfile: str | None = None
    context = "."
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-t", "--tag", "-f", "--file") and i + 1 < len(argv):
            (tags.append(argv[i + 1]) if arg in ("-t", "--tag") else None)
            dockerfile = argv[i + 1] if arg in ("-f", "--file") else dockerfile
            i += 2
            continue
        if arg.startswith(("--tag=", "--file=")):
            key, value = arg.split("=", 1)
            (tags.append(value) if key == "--tag" else None)
            dockerfile = value if key == "--file" else dockerfile
        elif not arg.startswith("-"):
            context = arg
        i += 1
    return tags, dockerfile, context


def image_builds(resources: list[Resource]) -> list[ImageBuild]:
    """Every `docker build` / `docker buildx build` / `podman build` with a tag."""
    builds = []
    for step in shell_steps(resources):
        for argv in commands(step.script):
            argv = [expand(a, step.env) for a in argv]
            if len(argv) < 2 or argv[0] not in ("docker", "podman", "buildah"):
                continue
            rest = argv[2:] if argv[1] == "build" else argv[3:] if argv[1:3] == ["buildx", "build"] else None
            if rest is None:
                continue
            tags, dockerfile, context = _build_args(rest)
            path = dockerfile or str(PurePosixPath(context) / "Dockerfile")
            for tag in tags:
                builds.append(ImageBuild(step, repository(tag), tag, str(PurePosixPath(path))))
    return builds


@dataclass(frozen=True)
class Command:
    """One simple command of a script and the shell operators on either side of it.

    `before` / `after` are "" (start or end of the script), "\\n" or ";" (sequential), "&"
    (background), "&&", "||", "|" or "|&". A line ending with an operator continues the list.
    """

    argv: tuple[str, ...]
    before: str
    after: str


def _tokens(text: str) -> list[str]:
    lexer = shlex.shlex(text, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    out: list[str] = []
    for token in lexer:  # `2>&1` and `&>file` are redirections, not background jobs
        prev = out[-1] if out else ""
        glue = prev.endswith((">&", "<&")) or (prev == "&" and token.startswith(">"))
        if glue or (token == "&" and prev.endswith((">", "<"))):
            out[-1] += token
        else:
            out.append(token)
    return out


def _is_operator(token: str) -> bool:
    return token in SEPARATORS or (bool(token) and set(token) <= set(";&|"))


def script_commands(script: str) -> list[Command]:
    """The simple commands of a script in order, with the operators that join them."""
    script = GHA_EXPRESSION.sub(lambda m: "${{" + "".join(m.group(1).split()) + "}}", script)
    lines = script.replace("\\\n", " ").split("\n")
    stream: list[str | tuple[str, ...]] = []  # commands and the operators between them
    for n, line in enumerate(lines):
        try:
            tokens, rest = _tokens(line), False
        except ValueError:  # a quote spanning lines: lex the rest of the script as one list
            try:
                tokens, rest = _tokens("\n".join(lines[n:])), True
            except ValueError:
                tokens, rest = line.split(), False
        for token in [*tokens, "\n"]:
            last = stream[-1] if stream else None
            if not _is_operator(token):
                stream[-1:] = [last + (token,)] if isinstance(last, tuple) else [*stream[-1:], (token,)]
            elif isinstance(last, tuple):
                stream.append(token)
            elif last == "\n":
                stream[-1] = token  # `a;` then a new line: keep `;`
        if rest:
            break
    while stream and isinstance(stream[-1], str) and stream[-1] != "&":
        stream.pop()
    out: list[Command] = []
    for i, item in enumerate(stream):
        if isinstance(item, tuple):
            before = stream[i - 1] if i else ""
            after = stream[i + 1] if i + 1 < len(stream) else ""
            out.append(Command(item, str(before), str(after)))
    return out


@dataclass(frozen=True)
class PipelineStep:
    """A step of a pipeline (a script, or a GitHub Actions `uses:`), where it sits and what wraps it.

    `order` sorts the steps of one pipeline in the order they run: GitHub Actions (job, step);
    Jenkins by line, a pipeline-level `post` after every stage. `data` is the raw step: the
    workflow step mapping, or the Jenkinsfile step (in_catch_error, return_status...).
    """

    resource: Resource
    path: Path  # the `run` / `uses` value, or the Jenkinsfile step
    order: tuple[int, ...]
    where: str  # for messages: "step 'Push' of job 'build'", "stage 'Scan'"
    script: str | None
    uses: str | None
    with_: dict[str, Any]
    env: dict[str, str]
    shell: str | None  # GitHub Actions `shell` (step, job or workflow default); Jenkins step type
    job: str | None  # GitHub Actions job id
    data: dict[str, Any]
    job_continue_on_error: Any = None


def _defaults_shell(node: Any) -> str | None:
    run = node.get("defaults", {}).get("run") if isinstance(node.get("defaults"), dict) else None
    return run.get("shell") if isinstance(run, dict) and isinstance(run.get("shell"), str) else None


def _gha_steps(resource: Resource) -> Iterator[PipelineStep]:
    from astra_guard.loaders.github_actions import iter_jobs, iter_steps

    top_env = _strings(resource.data.get("env"))
    jobs = {job.job_id: (n, job) for n, job in enumerate(iter_jobs(resource))}
    for step in iter_steps(resource):
        n, job = jobs[step.job_id]
        runs_on = str(job.runs_on).lower()
        shell = step.shell or _defaults_shell(job.data) or _defaults_shell(resource.data)
        if shell is None and "windows" in runs_on:
            shell = "pwsh"
        label = f"'{step.name}'" if step.name else f"#{step.index + 1}"
        yield PipelineStep(
            resource, step.field_path("run" if step.run is not None else "uses"), (n, step.index),
            f"step {label} of job '{step.job_id}'", step.run, step.uses, step.with_,
            {**top_env, **_strings(job.data.get("env")), **_strings(step.env)}, shell, step.job_id,
            step.data, job.continue_on_error,
        )


def _jenkins_steps(resource: Resource) -> Iterator[PipelineStep]:
    top = _strings(resource.data.get("environment"))
    for i, stage in enumerate(resource.data.get("stages") or ()):
        env = {**top, **_strings(stage.get("environment"))}
        for j, step in enumerate(stage.get("steps") or ()):
            if isinstance(step.get("script"), str):
                yield PipelineStep(resource, ("stages", i, "steps", j), (0, step.get("line", 0), j),
                                   f"stage '{stage.get('name')}'", step["script"], None, {}, env,
                                   step.get("type"), None, step)
    for j, step in enumerate(resource.data.get("steps") or ()):
        if isinstance(step.get("script"), str):
            last = 1 if step.get("post_condition") else 0  # pipeline-level post runs after the stages
            where = f"post {{ {step['post_condition']} }}" if last else "the pipeline"
            yield PipelineStep(resource, ("steps", j), (last, step.get("line", 0), j), where,
                               step["script"], None, {}, top, step.get("type"), None, step)


def pipeline_steps(resource: Resource) -> list[PipelineStep]:
    """Every step of one pipeline resource, in the order it runs."""
    if resource.family == "github-actions":
        return sorted(_gha_steps(resource), key=lambda s: s.order)
    if resource.family == "jenkinsfile":
        return sorted(_jenkins_steps(resource), key=lambda s: s.order)
    return []
