"""Reading CI commands: `Hit` (what a command does to an image), argument helpers, wrappers.

`unwrap` looks through what wraps the real command: `VAR=x`, `sudo`, `env`, `time`, `timeout
N`, `npx`, `pipx run`, `python -m`, `docker run IMAGE` (the image's name is the tool:
aquasec/trivy is trivy), and shell words such as `if` / `then`. `_commands.classify` and
`_actions.action` turn a command or a `uses:` step into `Hit`s.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from astra_guard.pipelines import repository


class Hit(NamedTuple):
    kind: str  # build | sbom | scan | push | deploy
    tool: str
    image: str | None
    no_fail: str | None = None


ASSIGN = re.compile(r"^[A-Za-z_]\w*=")
RESERVED = {"if", "then", "else", "elif", "do", "while", "until", "!", "{", "(", "}", ")"}
CONDITIONS = {"if", "elif", "while", "until", "!"}
SBOM_FORMATS = {"cyclonedx", "spdx", "spdx-json", "github"}
DOCKER_GLOBAL = {"--config", "-c", "--context", "-H", "--host", "-l", "--log-level"}
DOCKER_RUN_VALUES = {
    "-v",
    "--volume",
    "-e",
    "--env",
    "--env-file",
    "-w",
    "--workdir",
    "--name",
    "--network",
    "--net",
    "--entrypoint",
    "-u",
    "--user",
    "--platform",
    "--mount",
    "-p",
    "--publish",
    "--label",
    "-l",
    "--add-host",
    "--cpus",
    "-m",
    "--memory",
    "--pull",
    "--hostname",
    "-h",
    "--ulimit",
    "--group-add",
}
TRIVY_SUBCOMMANDS = {
    "image": "image",
    "i": "image",
    "sbom": "sbom",
    "fs": "fs",
    "filesystem": "fs",
    "rootfs": "rootfs",
    "repo": "repo",
    "repository": "repo",
}
TRIVY_VALUES = {
    "--format",
    "-f",
    "--output",
    "-o",
    "--exit-code",
    "--severity",
    "-s",
    "--scanners",
    "--template",
    "-t",
    "--timeout",
    "--cache-dir",
    "--input",
    "-i",
    "--ignorefile",
    "--skip-dirs",
    "--skip-files",
    "--platform",
    "--vuln-type",
    "--pkg-types",
    "--config",
    "-c",
    "--username",
    "--password",
    "--registry-token",
    "--db-repository",
    "--java-db-repository",
    "--ignore-policy",
    "--image-src",
    "--security-checks",
    "--sbom-sources",
    "--cache-backend",
    "--compliance",
    "--ignore-status",
}
KUBECTL_GLOBAL = {
    "-n",
    "--namespace",
    "--context",
    "--kubeconfig",
    "--cluster",
    "--user",
    "-s",
    "--server",
    "--token",
    "--as",
    "--as-group",
    "--request-timeout",
    "--cache-dir",
}
NOT_SCANS = {
    "db",
    "version",
    "completion",
    "config",
    "explain",
    "help",
    "login",
    "cataloger",
    "convert",
}


def basename(word: str) -> str:
    name = word.rsplit("/", 1)[-1].lower()
    return "kaniko" if name == "executor" and "kaniko" in word else name.removesuffix(".exe")


def opt(args: list[str], *names: str) -> str | None:
    """The value of `--name value`, `--name=value` or `-n value` (the last one given)."""
    value = None
    for i, arg in enumerate(args):
        for name in names:
            if arg == name and i + 1 < len(args):
                value = args[i + 1]
            elif arg.startswith(name + "=") and name.startswith("--"):
                value = arg.split("=", 1)[1]
    return value


def split(args: list[str], value_flags: set[str], words: int) -> tuple[list[str], list[str]]:
    """The first `words` positional arguments (subcommands), and the arguments after them."""
    subs: list[str] = []
    i = 0
    while i < len(args) and len(subs) < words:
        if args[i].startswith("-"):
            i += 2 if args[i] in value_flags else 1
            continue
        subs.append(args[i])
        i += 1
    return subs + [""] * (words - len(subs)), args[i:]


def unwrap(argv: list[str]) -> tuple[list[str], dict[str, str], bool]:
    """The command a wrapper runs, the inline `VAR=value`s, and whether it is an `if` condition."""
    args, inline, condition = list(argv), {}, False
    while args:
        word, name = args[0], basename(args[0])
        if word in RESERVED or (word.startswith("(") and len(word) > 1):
            condition |= word in CONDITIONS
            args = args[1:] if word in RESERVED else [word[1:], *args[1:]]
        elif ASSIGN.match(word):
            key, value = word.split("=", 1)
            inline[key] = value
            args = args[1:]
        elif name in ("sudo", "env", "time", "command", "exec", "nohup", "nice", "timeout"):
            args = args[1:]
            while args and args[0].startswith("-"):
                args = args[2:] if args[0] in ("-u", "-g") and name == "sudo" else args[1:]
            if name == "timeout" and args:
                args = args[1:]
        elif name in ("npx", "bunx", "pnpx", "uvx") or (name == "pipx" and args[1:2] == ["run"]):
            args = args[2:] if name == "pipx" else args[1:]
            while args and args[0].startswith("-"):
                args = args[2:] if args[0] in ("-p", "--package", "--from") else args[1:]
            if args:  # @cyclonedx/cdxgen@10 -> cdxgen
                args[0] = args[0].lstrip("@").split("/")[-1].split("@")[0]
            break
        elif name in ("python", "python3") and "-m" in args[1:3]:
            args = args[args.index("-m") + 1 :]
            args[:1] = [args[0].replace("_", "-")] if args else []
            break
        elif name in ("docker", "podman", "nerdctl") and args[1:2] == ["run"]:
            i = 2
            while i < len(args) and args[i].startswith("-"):
                i += 2 if args[i] in DOCKER_RUN_VALUES else 1
            if i >= len(args):
                break
            args = [basename(repository(args[i])), *args[i + 1 :]]
        else:
            break
    if args:
        args[0] = basename(args[0])
    return args, inline, condition


def nonzero(code: str | None) -> bool:
    if code is None:
        return False
    try:
        return int(code) != 0
    except ValueError:
        return True  # a value only known at run time: assume it is the non-zero the author meant
