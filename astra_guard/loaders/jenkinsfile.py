"""Jenkinsfiles (declarative, and the stage/step skeleton of scripted ones) into stages and steps.

Not a Groovy parser: `groovy_lexer` tokenizes (strings, comments, identifiers, brackets), the
brackets are matched, and one walk over the tokens keeps a stack of the `{ }` blocks it is in.

data = {"environment": {KEY: value}, "stages": [stage], "steps": [step outside any stage],
        "unparsed": [{"line", "text", "reason"}]}
stage = {"name", "line", "end_line", "parent" (enclosing stage's name or None),
         "environment": {KEY: value}, "steps": [step]}
step = {"type": sh|bat|powershell|pwsh, "script", "line", "end_line", "return_status",
        "return_stdout" (bool; a non-literal argument as its raw text), "assigned_to",
        "in_catch_error", "catch_error_build_result", "catch_error_stage_result", "in_try",
        "post_condition" (e.g. "always"), "blocks" (enclosing block names inside the stage,
        e.g. ["steps", "withKubeConfig"]), "quote" (' " ''' \"\"\" $/ /), "interpolates"}
Spans: ("stages", i), ("stages", i, "steps", j) and its "script" (the whole call), ("steps", j),
("environment",), ("environment", KEY), ("stages", i, "environment", KEY), ("unparsed", k).

Understood:
- Comments `//`, `/* */` and strings '...', "...", '''...''', \"\"\"...\"\"\", $/.../$, /regex/ (see
  `groovy_lexer`); nothing in a comment or a string is code, braces included.
- `stage('name') { }` / `stage("name") { }` anywhere (`stages`, `parallel`, `matrix`, nested
  `stages` in a stage, scripted `node { }`), flattened in file order; the scripted `stage 'x'`
  without a block starts a stage for the steps after it in the same block.
- `sh 'x'`, `sh("x")`, `sh '''...'''`, `sh(script: 'x', returnStatus: true)`, `sh script: "x",
  returnStdout: true`, `def rc = sh(...)` / `env.X = sh(...)` (assigned_to "rc" / "env.X"),
  `steps.sh`, and bat/powershell/pwsh alike. The script must be a string literal, literals
  joined by `+`, or a literal with `.stripIndent()` / `.stripMargin()` / `.trim()`; any other
  expression (a variable, literal + variable) is listed in `unparsed`, not guessed.
- Steps in any block: `steps`, `script`, `withKubeConfig(...)`, `withCredentials(...)`,
  `dir(...)`, `timeout(...)`, `retry(n)`, `container(...)`, `post { always { } }`, closures.
- `catchError(buildResult: ..., stageResult: ...) { }` (defaults FAILURE / SUCCESS) and
  `warnError(...) { }` (UNSTABLE / UNSTABLE) set in_catch_error and the results; `try { }`
  sets in_try (not in `catch (e) { }` or `finally { }`).
- `environment { KEY = value }`: pipeline level or a stage's; a string literal is its text,
  anything else (`credentials('x')`) the raw source; a `sh(...)` in a value is also a step.

Not understood: calls of functions (file-defined or shared-library) are not followed, so their
steps belong to no stage; scripts held in variables; `load`ed files; Groovy semantics (`when`,
conditions and loops are not evaluated: every step is listed); closures passed inside the
parentheses of `stage(...)`. Unbalanced brackets or an unterminated string or comment make the
file an InputError at the line where the problem starts, and no resource.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, replace
from typing import Any

from astra_guard.loaders.groovy_lexer import (
    IDENT,
    OP,
    STR,
    LexError,
    Token,
    brace_matches,
    tokenize,
)
from astra_guard.model import InputError, LoadResult, Path, Resource, Skipped, Span

FAMILY = "jenkinsfile"
KIND = "Jenkinsfile"
STEP_TYPES = frozenset({"sh", "bat", "powershell", "pwsh"})
_CATCHERS = {"catchError": ("FAILURE", "SUCCESS"), "warnError": ("UNSTABLE", "UNSTABLE")}
_LITERAL_METHODS = {
    "stripIndent": textwrap.dedent,
    "trim": str.strip,
    "stripMargin": lambda s: "\n".join(line.lstrip().removeprefix("|") for line in s.split("\n")),
    "toString": lambda s: s,
}
_NO_CONTINUATION = {")", "]", "}", "++", "--"}
_Range = tuple[int, int]  # [start, end) token indices


@dataclass(frozen=True, slots=True)
class _Frame:
    """What a `{ }` block says about the steps inside it."""

    stage: int | None = None
    in_try: bool = False
    catch: tuple[Any, Any] | None = None  # (buildResult, stageResult) of the enclosing catcher
    is_post: bool = False
    post_condition: str | None = None
    blocks: tuple[str, ...] = ()  # names of the enclosing blocks inside the innermost stage


class _Walker:
    def __init__(self, text: str, file: str, tokens: list[Token], match: list[int]) -> None:
        self.text, self.file, self.toks, self.match = text, file, tokens, match
        self.data: dict[str, Any] = {"environment": {}, "stages": [], "steps": [], "unparsed": []}
        self.spans: dict[Path, Span] = {}

    # --- token helpers -------------------------------------------------------------------

    def tok(self, i: int) -> Token | None:
        return self.toks[i] if 0 <= i < len(self.toks) else None

    def is_op(self, i: int, *texts: str) -> bool:
        t = self.tok(i)
        return t is not None and t.kind == OP and t.text in texts

    def span(self, first: int, last: int) -> Span:
        a, b = self.toks[first], self.toks[last]
        end_col = b.end - (self.text.rfind("\n", 0, b.end - 1) + 1)
        return Span(self.file, a.line, a.column, b.end_line, end_col + 1)

    def source(self, first: int, end: int) -> str:
        return self.text[self.toks[first].start:self.toks[end - 1].end] if end > first else ""

    def statement_end(self, j: int) -> int:
        """Index just after the expression at j (continued on the next line after an operator)."""
        last = None
        while j < len(self.toks):
            t = self.toks[j]
            if t.kind == OP and t.text in ("}", ")", "]", ";", "{"):
                break
            if last is not None and t.line > self.toks[last].end_line:
                prev = self.toks[last]
                continues = prev.kind == OP and prev.text not in _NO_CONTINUATION
                if not continues and not (t.kind == OP and t.text in (".", "?.")):
                    break
            if t.kind == OP and t.text in ("(", "["):
                last, j = self.match[j], self.match[j] + 1
                continue
            last, j = j, j + 1
        return j

    def split_args(self, start: int, end: int) -> tuple[list[_Range], dict[str, _Range]]:
        """Positional and named (`key: expr`) arguments in [start, end), as token ranges."""
        positional: list[_Range] = []
        named: dict[str, _Range] = {}
        i = start
        while i < end:
            j = i
            while j < end and not self.is_op(j, ","):
                j = self.match[j] + 1 if self.is_op(j, "(", "[", "{") else j + 1
            t = self.toks[i]
            if j - i >= 2 and t.kind in (IDENT, STR) and self.is_op(i + 1, ":"):
                named[t.value] = (i + 2, j)
            else:
                positional.append((i, j))
            i = j + 1
        return positional, named

    def literal(self, rng: _Range) -> tuple[str, Token] | None:
        """The value of a string-literal expression, and its first string token."""
        i, end = rng
        parts: list[str] = []
        first: Token | None = None
        while i < end:
            t = self.toks[i]
            if t.kind != STR:
                return None
            first = first or t
            value, i = t.value, i + 1
            while (i + 3 < end and self.is_op(i, ".") and self.toks[i + 1].text in _LITERAL_METHODS
                   and self.is_op(i + 2, "(") and self.is_op(i + 3, ")")):
                value, i = _LITERAL_METHODS[self.toks[i + 1].text](value), i + 4
            parts.append(value)
            if i < end and not self.is_op(i, "+"):
                return None
            i += 1
        return ("".join(parts), first) if first else None

    def value(self, rng: _Range | None, default: Any) -> Any:
        if rng is None or rng[0] >= rng[1]:
            return default
        if rng[1] - rng[0] == 1 and self.toks[rng[0]].text in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[self.toks[rng[0]].text]
        lit = self.literal(rng)
        return lit[0] if lit else self.source(*rng)

    # --- steps ---------------------------------------------------------------------------

    def looks_like_step(self, i: int) -> bool:
        t, prev, nxt = self.toks[i], self.tok(i - 1), self.tok(i + 1)
        if t.kind != IDENT or t.text not in STEP_TYPES or nxt is None:
            return False
        if prev is not None and prev.kind == OP and prev.text in (".", "?."):
            if not (self.tok(i - 2) and self.toks[i - 2].text == "steps"):
                return False
        if prev is not None and prev.kind == IDENT and prev.text in ("def", "void", "String"):
            return False  # a function or variable named like a step
        return nxt.line == t.line and (nxt.kind in (STR, IDENT) or self.is_op(i + 1, "("))

    def assigned_to(self, i: int) -> str | None:
        if not self.is_op(i - 1, "="):
            return None
        k = i - 2
        names: list[str] = []
        while (t := self.tok(k)) is not None and t.kind == IDENT:
            names.insert(0, t.text)
            if not self.is_op(k - 1, ".", "?."):
                break
            k -= 2
        return ".".join(names) or None

    def step(self, i: int, frame: _Frame, assigned: str | None = None) -> int:
        """Record the step call at token i; return the index after it."""
        if self.is_op(i + 1, "("):
            last = self.match[i + 1]
            positional, named = self.split_args(i + 2, last)
            after = last + 1
        else:
            after = self.statement_end(i + 1)
            last = after - 1
            positional, named = self.split_args(i + 1, after)
        script_rng = named.get("script") or (positional[0] if positional else None)
        lit = self.literal(script_rng) if script_rng else None
        if lit is None:
            key = ("unparsed", len(self.data["unparsed"]))
            self.data["unparsed"].append({
                "line": self.toks[i].line, "text": self.source(i, last + 1),
                "reason": f"the {self.toks[i].text} script is not a string literal",
            })
            self.spans[key] = self.span(i, last)
            return after
        catch = frame.catch
        step = {
            "type": self.toks[i].text, "script": lit[0],
            "line": self.toks[i].line, "end_line": self.toks[last].end_line,
            "return_status": self.value(named.get("returnStatus"), False),
            "return_stdout": self.value(named.get("returnStdout"), False),
            "assigned_to": assigned if assigned is not None else self.assigned_to(i),
            "in_catch_error": catch is not None,
            "catch_error_build_result": catch[0] if catch else None,
            "catch_error_stage_result": catch[1] if catch else None,
            "in_try": frame.in_try, "post_condition": frame.post_condition,
            "blocks": list(frame.blocks),
            "quote": lit[1].quote, "interpolates": any(
                self.toks[k].interpolates for k in range(*script_rng) if self.toks[k].kind == STR),
        }
        if frame.stage is None:
            prefix: Path = ("steps", len(self.data["steps"]))
            self.data["steps"].append(step)
        else:
            steps = self.data["stages"][frame.stage]["steps"]
            prefix = ("stages", frame.stage, "steps", len(steps))
            steps.append(step)
        self.spans[prefix] = self.spans[prefix + ("script",)] = self.span(i, last)
        return after

    # --- blocks --------------------------------------------------------------------------

    def new_stage(self, at: int, name: str, frame: _Frame, last: int) -> int:
        stages = self.data["stages"]
        parent = stages[frame.stage]["name"] if frame.stage is not None else None
        stages.append({
            "name": name, "line": self.toks[at].line, "end_line": self.toks[last].end_line,
            "parent": parent, "environment": {}, "steps": [],
        })
        self.spans[("stages", len(stages) - 1)] = self.span(at, last)
        return len(stages) - 1

    def environment(self, open_: int, frame: _Frame) -> None:
        if frame.stage is None:
            env, prefix = self.data["environment"], ("environment",)
        else:
            env = self.data["stages"][frame.stage]["environment"]
            prefix = ("stages", frame.stage, "environment")
        self.spans.setdefault(prefix, self.span(open_ - 1, self.match[open_]))
        i, close = open_ + 1, self.match[open_]
        in_env = replace(frame, blocks=frame.blocks + ("environment",))
        while i < close:
            end = max(self.statement_end(i), i + 1)
            t = self.toks[i]
            if t.kind == IDENT and self.is_op(i + 1, "=") and end > i + 2:
                env[t.text] = self.value((i + 2, end), None)
                self.spans[prefix + (t.text,)] = self.span(i, end - 1)
                k = i + 2
                while k < end:
                    k = self.step(k, in_env, t.text) if self.looks_like_step(k) else k + 1
            i = end

    def head(self, open_: int) -> tuple[str | None, _Range | None]:
        """The name of the call a `{` belongs to and the token range of its arguments."""
        prev = self.tok(open_ - 1)
        if prev is None:
            return None, None
        if prev.kind == OP and prev.text == ")":
            start = self.match[open_ - 1]
            name = self.tok(start - 1)
            called = name.text if name is not None and name.kind == IDENT else None
            return called, (start + 1, open_ - 1)
        return (prev.text if prev.kind == IDENT else None), None

    def child_frame(self, open_: int, frame: _Frame) -> _Frame:
        name, args = self.head(open_)
        child = replace(frame, is_post=False, blocks=frame.blocks + (name or "{",))
        if frame.is_post and name is not None:
            child = replace(child, post_condition=name)
        if name == "stage" and args is not None:
            positional, named = self.split_args(*args)
            rng = named.get("name") or (positional[0] if positional else args)
            stage_name = str(self.value(rng, "")) if rng[0] < rng[1] else ""
            stage = self.new_stage(args[0] - 2, stage_name, frame, self.match[open_])
            child = replace(child, stage=stage, blocks=())
        elif name == "try":
            child = replace(child, in_try=True)
        elif name == "post":
            child = replace(child, is_post=True)
        elif name in _CATCHERS:
            build, stage = _CATCHERS[name]
            named = self.split_args(*args)[1] if args else {}
            child = replace(child, catch=(self.value(named.get("buildResult"), build),
                                          self.value(named.get("stageResult"), stage)))
        return child

    def walk(self) -> None:
        stack = [_Frame()]
        i = 0
        while i < len(self.toks):
            t = self.toks[i]
            if t.kind == OP and t.text == "{":
                if self.head(i)[0] == "environment":
                    self.environment(i, stack[-1])
                    i = self.match[i] + 1
                    continue
                stack.append(self.child_frame(i, stack[-1]))
            elif t.kind == OP and t.text == "}":
                stack.pop()
            elif t.kind == IDENT and t.text == "stage" and not self.is_op(i - 1, "."):
                nxt = self.tok(i + 1)
                if nxt is not None and nxt.kind == STR and not self.is_op(i + 2, "{"):
                    stage = self.new_stage(i, nxt.value, stack[-1], i + 1)
                    stack[-1] = replace(stack[-1], stage=stage, blocks=())
                elif self.is_op(i + 1, "(") and not self.is_op(self.match[i + 1] + 1, "{"):
                    close = self.match[i + 1]
                    name = str(self.value((i + 2, close), ""))
                    stage = self.new_stage(i, name, stack[-1], close)
                    stack[-1] = replace(stack[-1], stage=stage, blocks=())
            elif self.looks_like_step(i):
                i = self.step(i, stack[-1])
                continue
            i += 1


def load(text: str, file: str, max_depth: int = 200) -> LoadResult:
    """Read a Jenkinsfile into one Resource; malformed input is an InputError, never a raise."""
    result = LoadResult(file=file, family=FAMILY)
    try:
        tokens = tokenize(text)
        match = brace_matches(tokens, max_depth)
    except LexError as exc:
        message = f"cannot read the Jenkinsfile: {exc}"
        result.errors.append(InputError(file, exc.line, message, exc.column))
        return result
    if not tokens:
        reason = "empty Jenkinsfile (nothing but whitespace and comments)"
        result.skipped.append(Skipped(file, 1, reason))
        return result
    walker = _Walker(text, file, tokens, match)
    try:
        walker.walk()
    except (IndexError, KeyError, ValueError, TypeError) as exc:  # a construct we mis-walk
        message = f"cannot read the Jenkinsfile ({type(exc).__name__}: {exc})"
        result.errors.append(InputError(file, tokens[0].line, message))
        return result
    result.resources.append(Resource(family=FAMILY, kind=KIND, name=file, file=file,
                                     data=walker.data, spans=walker.spans))
    return result
