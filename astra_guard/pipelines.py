"""One view over every CI pipeline's shell steps, and the image builds they run.

GitHub Actions `run:` steps and Jenkinsfile `sh`/`bat` steps become `ShellStep`s; shell text
is split into simple commands with `shlex` (quotes, `&&`, `;`, `|`, line continuations).
Variables from the pipeline's environment are expanded (`$REG`, `${IMG}`); what cannot be
known statically (`${{ github.sha }}`, `${BUILD_NUMBER}`) is left in place.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Iterator

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
