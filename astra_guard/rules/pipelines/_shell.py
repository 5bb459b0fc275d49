"""Whether a failing command can fail its step, from the shell's point of view.

Neutralisers: `cmd || true` (any `||` whose right side does not `exit` non-zero or run `false`),
a pipe into another command without `pipefail` (`trivy ... | tee`), `&` (background), a command
left of `&&` followed by more commands, and any later command when errexit is off: after `set
+e`, with `shell: bash {0}` (GitHub Actions) or a `#!` first line (Jenkins adds `-xe` only
without one), or in a `bat` step. `cmd; true` with errexit on (the GitHub Actions and Jenkins
default) still fails the step, so it is not a neutraliser there. Conditions (`if trivy ...;
then`) are left to their branches and treated as gating.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from astra_guard.pipelines import Command, PipelineStep

SHORT_E = re.compile(r"-[a-zA-Z]*e[a-zA-Z]*")
CHAIN = ("|", "|&", "&&", "||")


class Neutraliser(NamedTuple):
    """What keeps a failing command from failing the pipeline, and how to undo it."""

    text: str  # e.g. "`|| true`"
    fix: str  # e.g. "drop `|| true`"


EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def short(text: str, limit: int = 90) -> str:
    """One line, at most `limit` characters, GitHub expressions spaced as people write them."""
    text = EXPRESSION.sub(lambda m: "${{ " + m.group(1) + " }}", " ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- shell semantics -------------------------------------------------------------------------


def shell_state(step: PipelineStep) -> tuple[bool, bool, str] | None:
    """(errexit, pipefail, why errexit is off) when the step starts; None for non-POSIX shells.

    GitHub Actions runs `bash -e {0}` by default, `bash --noprofile --norc -eo pipefail {0}` for
    `shell: bash`, `sh -e {0}` for `shell: sh`; Jenkins runs `sh -xe` unless the script starts
    with `#!`.
    """
    shell, script = step.shell, step.script or ""
    if step.job is not None:  # GitHub Actions
        words = (shell or "").split()
        if not words:
            return True, False, ""  # bash -e {0}
        if words[0] in ("pwsh", "powershell", "cmd", "python"):
            return None
        if len(words) == 1:
            return True, words[0] == "bash", ""  # bash: -eo pipefail; sh: -e
        text = " ".join(words)
        errexit = any(SHORT_E.fullmatch(w) for w in words) or "errexit" in text
        return (
            errexit,
            "pipefail" in text,
            f"`shell: {shell}` (no -e: the script goes on after a failing command)",
        )
    if shell in ("powershell", "pwsh"):
        return None
    if shell == "bat":
        return False, False, "`bat` (cmd.exe goes on after a failing command)"
    if script.startswith("#!"):
        first = script.split("\n", 1)[0]
        errexit = any(SHORT_E.fullmatch(w) for w in first.split()[1:])
        return (
            errexit,
            False,
            f"the `{first}` line (Jenkins runs `sh -xe` only without one, so the script goes on after a failing command)",
        )
    return True, False, ""  # Jenkins runs sh -xe


def apply_set(argv: tuple[str, ...], state: tuple[bool, bool, str]) -> tuple[bool, bool, str]:
    errexit, pipefail, why = state
    args = list(argv[1:])
    for i, arg in enumerate(args):
        names = []
        if arg in ("-o", "+o") and i + 1 < len(args):
            names = [args[i + 1]]
        elif re.fullmatch(r"[-+][a-zA-Z]+", arg):
            names = ["errexit"] if "e" in arg else []
            names += [args[i + 1]] if "o" in arg[1:] and i + 1 < len(args) else []
        for name in names:
            on = arg.startswith("-")
            if name == "errexit":
                errexit, why = (
                    on,
                    why if on else "`set +e` (the script goes on after a failing command)",
                )
            elif name == "pipefail":
                pipefail = on
    return errexit, pipefail, why


def _fails(argv: tuple[str, ...]) -> bool:
    words = [w.strip("{}()") for w in argv if w.strip("{}()")]
    if not words:
        return False
    return words[0] == "false" or (
        words[0] in ("exit", "return") and (len(words) == 1 or words[1] != "0")
    )


def _rest_of_list(cmds: list[Command], j: int) -> list[Command]:
    """The commands after j up to the end of its and-or list (through `{ ...; }` groups)."""
    rest: list[Command] = []
    depth = 0
    for command in cmds[j + 1 :]:
        rest.append(command)
        depth += sum(w == "{" or w.startswith("(") for w in command.argv)
        depth -= sum(w == "}" or w.endswith(")") for w in command.argv)
        if depth <= 0 and command.after not in CHAIN:
            break
    return rest


def shell_neutraliser(
    cmds: list[Command], k: int, state: tuple[bool, bool, str]
) -> Neutraliser | None:
    errexit, pipefail, why = state
    j = k
    if cmds[k].after in ("|", "|&"):
        if not pipefail:
            pipe = short(" ".join(cmds[k + 1].argv), 40)
            return Neutraliser(
                f"`| {pipe}` (without pipefail a pipe's status is its last command's)",
                "add `set -o pipefail` before it",
            )
        while j + 1 < len(cmds) and cmds[j].after in ("|", "|&"):
            j += 1
    if cmds[j].after == "&":
        return Neutraliser(
            "`&` (it runs in the background and nothing reads its status)",
            "run it in the foreground",
        )
    rest = _rest_of_list(cmds, j)
    if cmds[j].after == "||":
        if any(_fails(c.argv) for c in rest):
            return None
        alt = short(" ".join(rest[0].argv).strip("{ "), 40)
        return Neutraliser(f"`|| {alt}`", f"drop `|| {alt}`")
    later = j + len(rest) < len(cmds) - 1  # commands after the end of the and-or list
    if cmds[j].after == "&&" and later and not any(_fails(c.argv) for c in rest):
        return Neutraliser(
            "`&&` (set -e ignores a failure left of `&&`, and the script goes on)",
            "put it on a line of its own",
        )
    if cmds[j].after in ("\n", ";") and not errexit:
        nxt = cmds[j + 1].argv
        if nxt[0] in ("true", ":") and len(nxt) == 1:
            return Neutraliser(f"`; {nxt[0]}` ({why})", f"drop `; {nxt[0]}`")
        return Neutraliser(why, "add `|| exit 1` after it, or run the script with `set -e`")
    return None


# --- CI around the step ----------------------------------------------------------------------
