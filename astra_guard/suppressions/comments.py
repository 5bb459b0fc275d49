"""Inline suppressions: `astra-guard:ignore` in a comment on the finding's line or the line above.

    image: nginx:1.27   # astra-guard:ignore k8s-image-digest reason="pinned by Renovate" until=2027-06-30
    # astra-guard:ignore docker-user-root reason="build stage only, never shipped"
    USER root

Comments are what each format calls a comment: `#` in YAML (manifests, workflows), Dockerfiles
(whole lines only: Docker passes a trailing `#` to the instruction) and Terraform, `//` in
Terraform and Jenkinsfiles. JSON has no comments. A comment line covers the first line below it
that is not itself a suppression comment, so several can be stacked above one line.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from astra_guard.suppressions.model import LineDirective, parse_day

MARKER = "astra-guard:ignore"
OPTIONS = ("reason", "until")
_LEADERS = {
    "kubernetes": ("#",),
    "github-actions": ("#",),
    "dockerfile": ("#",),
    "terraform": ("#", "//"),
    "jenkinsfile": ("//",),
}
_WHOLE_LINE_ONLY = {"dockerfile"}


def comment_leaders(file: str, family: str) -> tuple[str, ...]:
    """The comment leaders of a file's format; none for JSON."""
    if file.lower().endswith(".json"):
        return ()
    return _LEADERS.get(family, ())


@dataclass(frozen=True)
class _Found:
    line: int
    column: int
    whole_line: bool
    arguments: str


def _pattern(leaders: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(leader) for leader in leaders)
    return re.compile(rf"(?:^|(?<=\s))(?:{alternatives})\s*{re.escape(MARKER)}(?=\s|$)(?P<arguments>.*)$")


def _find(text: str, leaders: tuple[str, ...], whole_line_only: bool) -> list[_Found]:
    pattern = _pattern(leaders)
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        if MARKER not in line:
            continue
        match = pattern.search(line)
        if match is None:
            continue
        whole = not line[: match.start()].strip()
        if whole_line_only and not whole:
            continue
        found.append(_Found(number, match.start() + 1, whole, match.group("arguments")))
    return found


def parse_arguments(arguments: str) -> tuple[tuple[str, ...], dict[str, str], str | None]:
    """`RULE[,RULE] reason="..." until=YYYY-MM-DD` -> rule ids, options, and what is wrong."""
    try:
        tokens = shlex.split(arguments, posix=True)
    except ValueError:
        return (), {}, "its quotes are not balanced"
    rules: list[str] = []
    options: dict[str, str] = {}
    for token in tokens:
        key, equals, value = token.partition("=")
        if equals:
            if key not in OPTIONS:
                return tuple(rules), options, f"'{key}=' is not an option (use reason= and until=)"
            if key in options:
                return tuple(rules), options, f"'{key}=' is given twice"
            options[key] = value
        elif options:
            return tuple(rules), options, f"'{token}' follows the options: quote the whole reason, reason=\"...\""
        else:
            rules += [part for part in token.split(",") if part]
    return tuple(rules), options, None


def _directive(file: str, found: _Found, target: int) -> LineDirective:
    rules, options, problem = parse_arguments(found.arguments)
    reason = options.get("reason", "").strip()
    until = options.get("until")
    expires = parse_day(until) if until is not None else None
    if problem is None and not rules:
        problem = "it names no rule id"
    if problem is None and not reason:
        problem = 'it has no reason: add reason="why this is accepted"'
    if problem is None and until is not None and expires is None:
        problem = f"until={until} is not a day written YYYY-MM-DD"
    lines = frozenset({found.line, target})
    return LineDirective(kind="inline", rules=rules, reason=reason, file=file, line=found.line, column=found.column,
                         expires=expires, problem=problem, lines=lines)


def inline_directives(text: str, file: str, family: str) -> list[LineDirective]:
    """Every `astra-guard:ignore` comment of one file, with the lines it covers."""
    leaders = comment_leaders(file, family)
    if not leaders or MARKER not in text:
        return []
    found = _find(text, leaders, family in _WHOLE_LINE_ONLY)
    stacked = {f.line for f in found if f.whole_line}
    directives = []
    for item in found:
        target = item.line
        if item.whole_line:
            target += 1
            while target in stacked:
                target += 1
        directives.append(_directive(file, item, target))
    return directives
