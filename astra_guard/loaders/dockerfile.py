"""Dockerfiles: one resource per file with its build stages, users and instructions, with lines.

Instructions come from dockerfile-parse's `structure`. Around it, two things it does not know:

- heredocs (`RUN <<EOF` ... `EOF`, BuildKit): what it reads in a body is skipped and the body
  lines are given back, as text, to the instruction that opened them;
- empty lines inside a continuation, which Docker skips but dockerfile-parse ends the
  instruction at: they are read as comment lines, which both skip.

No line is added or removed, so spans stay true to the file.
"""

from __future__ import annotations

import io
import re
import shlex
from typing import Any

from dockerfile_parse import DockerfileParser

from astra_guard.model import InputError, LoadResult, Path, Resource, Span

FAMILY = "dockerfile"
KNOWN_INSTRUCTIONS = frozenset(
    "ADD ARG CMD COPY ENTRYPOINT ENV EXPOSE FROM HEALTHCHECK LABEL MAINTAINER ONBUILD RUN SHELL "
    "STOPSIGNAL USER VOLUME WORKDIR".split()
)
ROOT_STEPS = frozenset(("RUN", "COPY", "ADD"))
_HEREDOC_INSTRUCTIONS = ROOT_STEPS
_MAX_REPARSES = 200
# dockerfile-parse joins a continued instruction line by line (quadratic in its lines): an
# instruction of 200,000 lines costs minutes. No real one comes near this.
MAX_INSTRUCTION_LINES = 5_000

_COMMENT = re.compile(r"^\s*#")
_INSTRUCTION = re.compile(r"^\s*(\S+)\s+(.*)$")
_DIRECTIVE = re.compile(r"^\s*#\s*(escape|syntax)\s*=\s*(.*?)\s*$", re.I)
_HEREDOC = re.compile(r"(?<!<)<<(?!<)(-?)([\"']?)([A-Za-z_][A-Za-z0-9_.-]*)\2")
# Line breaks to Python's str.splitlines (which dockerfile-parse uses) but not to editors.
_NOT_LINE_BREAKS = str.maketrans({c: " " for c in "\v\f\x1c\x1d\x1e\x85\u2028\u2029"})
_VARIABLE = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:[-+])(?P<word>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)


def _split_lines(text: str) -> list[str]:
    """Lines as editors and SARIF viewers number them: split at \\n, \\r\\n or \\r only."""
    lines = re.split(r"\r\n|\r|\n", text)
    return lines[:-1] if lines and lines[-1] == "" else lines


def _escape_char(lines: list[str]) -> str:
    """The line-continuation character: `\\`, or what a leading `# escape=` directive says."""
    for line in lines:
        match = _DIRECTIVE.match(line)
        if not match:
            break
        if match.group(1).lower() == "escape" and match.group(2) in ("\\", "`"):
            return match.group(2)
    return "\\"


class _TooLong(Exception):
    """An instruction continued over more than MAX_INSTRUCTION_LINES lines (0-based `start`)."""

    def __init__(self, start: int) -> None:
        super().__init__(start)
        self.start = start


def _mend_continuations(lines: list[str], escape: str) -> list[str]:
    """Turn empty lines inside a continuation into comments, as dockerfile-parse reads those."""
    continues = re.compile(r"^.*" + re.escape(escape) + r"\s*$")
    mended, in_continuation, start = [], False, 0
    for number, line in enumerate(lines):
        if _COMMENT.match(line):
            mended.append(line)
        elif not line.strip():
            mended.append("#" if in_continuation else line)
        else:
            if in_continuation or _INSTRUCTION.match(line):
                start = start if in_continuation else number
                in_continuation = bool(continues.match(line))
            mended.append(line)
        if in_continuation and number - start >= MAX_INSTRUCTION_LINES:
            raise _TooLong(start)
    return mended


def _structure(lines: list[str], escape: str, offset: int = 0) -> list[dict[str, Any]]:
    """dockerfile-parse's instructions (no comments) of `lines`, which start at line `offset`."""
    parser = DockerfileParser(fileobj=io.BytesIO(), cache_content=True, env_replace=False)
    head = [f"# escape={escape}", "#"] if offset else []  # a later part keeps the file's escape
    try:
        mended = head + _mend_continuations(lines, escape)
    except _TooLong as exc:
        raise _TooLong(exc.start + offset) from None
    parser.content = "".join(line.translate(_NOT_LINE_BREAKS) + "\n" for line in mended)
    entries = [dict(e) for e in parser.structure if e["instruction"] != "COMMENT"]
    for entry in entries:
        entry["startline"] += offset - len(head)
        entry["endline"] += offset - len(head)
    return sorted(entries, key=lambda e: e["startline"])


def _heredocs(entry: dict[str, Any]) -> list[tuple[bool, str]]:
    """The heredocs an instruction opens, in order: (strip leading tabs, terminator)."""
    if entry["instruction"] not in _HEREDOC_INSTRUCTIONS or entry["value"].lstrip().startswith("["):
        return []
    return [(m.group(1) == "-", m.group(3)) for m in _HEREDOC.finditer(entry["value"])]


def _terminator(line: str, strip_tabs: bool) -> str:
    return (line.lstrip("\t") if strip_tabs else line).rstrip()


def _fold_heredocs(entry: dict[str, Any], lines: list[str], file: str, errors: list) -> int:
    """Give an instruction its heredoc bodies; the last line (0-based) they take."""
    end = entry["endline"]
    for strip, name in _heredocs(entry):
        end += 1
        while end < len(lines) and _terminator(lines[end], strip) != name:
            end += 1
        if end >= len(lines):
            message = f"heredoc <<{name} is never closed"
            errors.append(InputError(file, entry["startline"] + 1, message))
            end = len(lines) - 1
    entry["value"] = "\n".join([entry["value"], *lines[entry["endline"] + 1 : end + 1]])
    entry["endline"] = end
    return end


def _parse(lines: list[str], file: str, errors: list[InputError]) -> list[dict[str, Any]]:
    """Instructions with 0-based start/end lines; heredoc bodies folded into their instruction.

    dockerfile-parse reads a heredoc body as instructions; those are skipped. Only when one of
    them runs past the terminator (a body line ending in the escape character) is the rest of
    the file parsed again, from the line after the terminator.
    """
    escape = _escape_char(lines)
    entries: list[dict[str, Any]] = []
    pending, i, reparses = _structure(lines, escape), 0, 0
    while i < len(pending):
        entry = pending[i]
        entries.append(entry)
        i += 1
        if not _heredocs(entry):
            continue
        end = _fold_heredocs(entry, lines, file, errors)
        overrun = False
        while i < len(pending) and pending[i]["startline"] <= end:
            overrun = overrun or pending[i]["endline"] > end
            i += 1
        if overrun and reparses < _MAX_REPARSES:
            reparses += 1
            pending, i = _structure(lines[end + 1 :], escape, end + 1), 0
        elif overrun:
            message = "too many heredocs to read; the rest is not read"
            errors.append(InputError(file, end + 2, message))
            break
    return entries


def expand(word: str, args: dict[str, str | None]) -> str:
    """`$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR:+alt}` from known ARGs; unknown ones stay."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group("braced") or match.group("bare")
        value = args.get(name)
        op = match.group("op")
        if op == ":-":
            return value if value else match.group("word")
        if op == ":+":
            return match.group(0) if value is None else (match.group("word") if value else "")
        return match.group(0) if value is None else value

    return _VARIABLE.sub(substitute, word)


def _arg_pairs(value: str) -> list[tuple[str, str | None]]:
    try:
        tokens = shlex.split(value)
    except ValueError:
        tokens = value.split()
    pairs: list[tuple[str, str | None]] = []
    for token in tokens:
        name, sep, default = token.partition("=")
        pairs.append((name, default if sep else None))
    return pairs


def _from(value: str, args: dict[str, str | None]) -> tuple[dict[str, Any], str | None, bool]:
    """A FROM's image, platform and stage name; the flag says whether it was well formed."""
    tokens = value.split()
    platform = None
    while tokens and tokens[0].startswith("--"):
        flag, _, flag_value = tokens.pop(0).partition("=")
        if flag.lower() == "--platform":
            platform = expand(flag_value, args)
    raw = tokens[0] if tokens else ""
    name = tokens[2] if len(tokens) == 3 and tokens[1].lower() == "as" else None
    well_formed = len(tokens) == 1 or name is not None
    image = {"image": expand(raw, args), "raw": raw, "platform": platform, "stage_ref": None}
    return image, name, well_formed


def is_root(user: str | None) -> bool:
    """Whether a USER value (None = never set) runs as root."""
    return user is None or user.split(":", 1)[0].strip() in ("root", "0", "")


class _Builder:
    """Walks instructions into stages, spans and errors."""

    def __init__(self, file: str, lines: list[str]) -> None:
        self.file = file
        self.lines = lines
        self.spans: dict[Path, Span] = {}
        self.errors: list[InputError] = []
        self.args: dict[str, str | None] = {}
        self.stages: list[dict[str, Any]] = []
        self.user_spans: list[Span | None] = []

    def span(self, start: int, end: int) -> Span:
        """A span over 0-based lines `start`..`end`, whole lines."""
        end = min(end, len(self.lines) - 1)
        return Span(self.file, start + 1, 1, end + 1, len(self.lines[end]) + 1 if end >= 0 else 1)

    def add(self, entry: dict[str, Any]) -> None:
        cmd, line = entry["instruction"], entry["startline"] + 1
        span = self.span(entry["startline"], entry["endline"])
        if cmd not in KNOWN_INSTRUCTIONS:
            self.errors.append(InputError(self.file, line, f"unknown instruction '{cmd}'"))
        if cmd == "FROM":
            self.start_stage(entry, span)
        elif not self.stages:
            if cmd == "ARG":
                for name, default in _arg_pairs(entry["value"]):
                    self.args[name] = None if default is None else expand(default, self.args)
                    self.spans[("args", name)] = span
            else:
                message = f"{cmd} before the first FROM: only ARG may come before FROM"
                self.errors.append(InputError(self.file, line, message))
            return
        stage = self.stages[-1]
        index = len(stage["instructions"])
        stage["instructions"].append(
            {"cmd": cmd, "value": entry["value"], "line": line, "end_line": span.end_line}
        )
        self.spans[("stages", len(self.stages) - 1, "instructions", index)] = span
        if cmd == "USER":
            stage["user"], stage["user_instruction"] = entry["value"].strip(), index
            self.user_spans[-1] = span
        elif cmd in ROOT_STEPS and is_root(stage["user"]):
            stage["last_root_step"] = index

    def start_stage(self, entry: dict[str, Any], span: Span) -> None:
        image, name, well_formed = _from(entry["value"], self.args)
        if not well_formed:
            self.errors.append(
                InputError(self.file, span.line, "FROM expects '[--platform=...] IMAGE [AS NAME]'")
            )
        names = [(s["name"] or "").lower() for s in self.stages]
        if image["image"] and image["image"].lower() in names:
            image["stage_ref"] = names.index(image["image"].lower())
        parent = self.stages[image["stage_ref"]] if image["stage_ref"] is not None else None
        index = len(self.stages)
        self.stages.append(
            {
                "index": index,
                "name": name,
                "from": image,
                "instructions": [],
                "user": parent["user"] if parent else None,
                "user_instruction": None,
                "last_root_step": None,
            }
        )
        self.user_spans.append(self.user_spans[image["stage_ref"]] if parent else None)
        for path in (("stages", index), ("stages", index, "from")):
            self.spans[path] = span
        self.spans[("stages", index, "from", "image")] = span

    def finish(self) -> None:
        for index, span in enumerate(self.user_spans):
            if span is not None and self.stages[index]["user"] is not None:
                self.spans[("stages", index, "user")] = span


def load(text: str, file: str) -> LoadResult:
    """Load one Dockerfile as one resource; unreadable input becomes an `InputError`."""
    result = LoadResult(file=file, family=FAMILY)
    try:
        lines = _split_lines(text)
        builder = _Builder(file, lines)
        entries = _parse(lines, file, builder.errors)
        for entry in entries:
            builder.add(entry)
        builder.finish()
    except _TooLong as exc:
        message = f"an instruction continued over more than {MAX_INSTRUCTION_LINES} lines; the file is not evaluated"
        result.errors.append(InputError(file, exc.start + 1, message))
        return result
    except Exception as exc:  # noqa: BLE001 - a parser failure must not end the scan
        message = f"could not parse the Dockerfile: {type(exc).__name__}: {exc}"
        result.errors.append(InputError(file, 1, message))
        return result
    result.errors.extend(builder.errors)
    if not builder.stages:
        message = (
            "no FROM instruction: not a Dockerfile, or an empty one; the file is not evaluated"
        )
        result.errors.append(InputError(file, 1, message))
        return result
    data = {"stages": builder.stages, "args": builder.args, "final_stage": len(builder.stages) - 1}
    resource = Resource(FAMILY, "Dockerfile", file, file, data, builder.spans)
    result.resources.append(resource)
    return result
