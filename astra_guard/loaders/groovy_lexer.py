"""A small Groovy lexer: enough of the language to walk a Jenkinsfile's blocks and steps.

Tokens are strings, identifiers, numbers and operators/punctuation; comments and whitespace
are dropped, so `// sh 'x'` is never seen as a step and a brace inside a string or a comment
never counts. Each token knows its 1-based line/column, end line and source offsets.

Strings: '...', "..." (one line, or continued with a backslash-newline), '''...''', \"\"\"...\"\"\"
(multi-line), dollar-slashy $/.../$, and slashy /.../ where an expression may start (after
`=`, `(`, `,`, `:`, `[`, `=~`, `==~`, `~`, `!`, `&&`, `||`, `return`) and the closing slash is
on the same line. `value` is the string with escapes resolved (\\n, \\t, \\', \\", \\\\, \\$,
\\uXXXX, backslash-newline); GString interpolations `${...}` and `$name` are kept verbatim, and
nested quotes and braces inside `${...}` are handled. `interpolates` says a double-quoted
string contains an unescaped `$` interpolation (Groovy, not the shell, expands it).

`brace_matches` pairs (), [] and {} and reports the first problem with its line.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

STR, IDENT, NUM, OP = "str", "ident", "num", "op"
OPENERS = {"(": ")", "[": "]", "{": "}"}
CLOSERS = {v: k for k, v in OPENERS.items()}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # STR | IDENT | NUM | OP
    text: str  # source text (for strings: including quotes)
    value: str  # strings: unquoted, escapes resolved; others: == text
    line: int
    column: int
    end_line: int
    start: int  # offsets into the source
    end: int
    quote: str = ""  # strings: ' " ''' \"\"\" / $/
    interpolates: bool = False


class LexError(Exception):
    def __init__(self, message: str, line: int, column: int = 1) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


_SKIP = re.compile(r"[ \t\r\n\f]+|//[^\n]*|\\\n")
_IDENT = re.compile(r"[A-Za-z_][\w$]*|\$(?!/)[\w$]*")
_NUM = re.compile(r"\d[\w]*(?:\.\d[\w]*)?")
_OPS = sorted(
    "==~ =~ == != <=> <= >= && || ?. *. .. ..< -> ++ -- += -= *= /= << >> ?: ** "
    "{ } ( ) [ ] , : ; = . + - * / % < > ! ~ ? & | ^ @ \\".split(),
    key=len,
    reverse=True,
)
_OP = re.compile("|".join(re.escape(op) for op in _OPS))
_SQ3 = re.compile(r"'''((?:[^'\\]|\\[\s\S]|'(?!''))*)'''")
_SQ1 = re.compile(r"'((?:[^'\\\n]|\\[\s\S])*)'")
_DOLLAR_SLASHY = re.compile(r"\$/([\s\S]*?)/\$")
_SLASHY = re.compile(r"/((?:[^/\\\n]|\\.)+)/")
_SLASHY_AFTER = {"=", "(", ",", ":", "[", "=~", "==~", "~", "!", "&&", "||", "return", "{", ";"}
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|\n|[\s\S])")
_SIMPLE_ESCAPES = {
    "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f",
    "\\": "\\", "'": "'", '"': '"', "$": "$", "/": "/", "\n": "",
}


def unescape(body: str) -> str:
    """Resolve Groovy escapes; an unknown escape is kept as written."""

    def repl(m: re.Match[str]) -> str:
        esc = m.group(1)
        if esc[0] == "u" and len(esc) == 5:
            return chr(int(esc[1:], 16))
        return _SIMPLE_ESCAPES.get(esc, m.group(0))

    return _ESCAPE.sub(repl, body)


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.newlines = [i for i, ch in enumerate(text) if ch == "\n"]
        self.tokens: list[Token] = []

    def pos(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_left(self.newlines, offset)
        start = self.newlines[line - 1] + 1 if line else 0
        return line + 1, offset - start + 1

    def add(self, kind: str, start: int, end: int, value: str | None = None,
            quote: str = "", interpolates: bool = False) -> None:
        line, column = self.pos(start)
        end_line, _ = self.pos(max(start, end - 1))
        text = self.text[start:end]
        self.tokens.append(Token(kind, text, text if value is None else value, line, column,
                                 end_line, start, end, quote, interpolates))

    def error(self, message: str, offset: int) -> LexError:
        line, column = self.pos(offset)
        return LexError(message, line, column)

    def gstring(self, start: int, quote: str) -> tuple[int, str, bool]:
        """Scan a double-quoted string from its opening quote: (end, value, interpolates)."""
        text, i, n = self.text, start + len(quote), len(self.text)
        out: list[str] = []
        interpolates = False
        while i < n:
            if text.startswith(quote, i):
                return i + len(quote), "".join(out), interpolates
            ch = text[i]
            if ch == "\\" and i + 1 < n:
                m = _ESCAPE.match(text, i)
                assert m is not None
                out.append(unescape(m.group(0)))
                i = m.end()
                continue
            if ch == "\n" and quote == '"':
                break
            if ch == "$" and i + 1 < n and text[i + 1] == "{":
                interpolates = True
                end = self.interpolation(i + 2, start)
                out.append(text[i:end])
                i = end
                continue
            if ch == "$" and i + 1 < n and (text[i + 1].isalpha() or text[i + 1] == "_"):
                interpolates = True
            out.append(ch)
            i += 1
        raise self.error(f"unterminated string (opened with {quote})", start)

    def interpolation(self, i: int, string_start: int) -> int:
        """Skip `${ ... }` from just after the `{`; return the offset after its `}`."""
        text, n, depth = self.text, len(self.text), 1
        while i < n:
            ch = text[i]
            if ch == "}":
                depth -= 1
                if depth == 0:
                    return i + 1
            elif ch == "{":
                depth += 1
            elif ch == "'":
                m = _SQ3.match(text, i) or _SQ1.match(text, i)
                if m is None:
                    raise self.error("unterminated string inside ${...}", i)
                i = m.end()
                continue
            elif ch == '"':
                i = self.gstring(i, '"""' if text.startswith('"""', i) else '"')[0]
                continue
            i += 1
        raise self.error("unterminated ${...} in a string", string_start)

    def slashy_allowed(self) -> bool:
        if not self.tokens:
            return True
        last = self.tokens[-1]
        return (last.kind == OP or last.text == "return") and last.text in _SLASHY_AFTER

    def run(self) -> list[Token]:
        text, i, n = self.text, 0, len(self.text)
        while i < n:
            m = _SKIP.match(text, i)
            if m:
                i = m.end()
                continue
            ch = text[i]
            if text.startswith("/*", i):
                end = text.find("*/", i + 2)
                if end < 0:
                    raise self.error("unterminated /* comment", i)
                i = end + 2
            elif text.startswith("'''", i):
                m = _SQ3.match(text, i)
                if m is None:
                    raise self.error("unterminated string (opened with ''')", i)
                self.add(STR, i, m.end(), unescape(m.group(1)), "'''")
                i = m.end()
            elif ch == "'":
                m = _SQ1.match(text, i)
                if m is None:
                    raise self.error("unterminated string (opened with ')", i)
                self.add(STR, i, m.end(), unescape(m.group(1)), "'")
                i = m.end()
            elif ch == '"':
                quote = '"""' if text.startswith('"""', i) else '"'
                end, value, interp = self.gstring(i, quote)
                self.add(STR, i, end, value, quote, interp)
                i = end
            elif text.startswith("$/", i):
                m = _DOLLAR_SLASHY.match(text, i)
                if m is None:
                    raise self.error("unterminated string (opened with $/)", i)
                self.add(STR, i, m.end(), m.group(1), "$/", "$" in m.group(1))
                i = m.end()
            elif ch == "/" and self.slashy_allowed() and (m := _SLASHY.match(text, i)):
                self.add(STR, i, m.end(), m.group(1).replace("\\/", "/"), "/", "$" in m.group(1))
                i = m.end()
            elif m := _IDENT.match(text, i):
                self.add(IDENT, i, m.end())
                i = m.end()
            elif m := _NUM.match(text, i):
                self.add(NUM, i, m.end())
                i = m.end()
            elif m := _OP.match(text, i):
                self.add(OP, i, m.end())
                i = m.end()
            else:
                self.add(OP, i, i + 1)  # any other character: one opaque token
                i += 1
        return self.tokens


def tokenize(text: str) -> list[Token]:
    """The tokens of `text`; raises LexError (with a line) on an unterminated string or comment."""
    return _Lexer(text).run()


def brace_matches(tokens: list[Token], max_depth: int | None = None) -> list[int]:
    """For every bracket token, the index of its partner (-1 for other tokens).

    Raises LexError at the line of the first unmatched closer, or of the innermost opener that
    is never closed, or of the first opener nested deeper than `max_depth`.
    """
    match = [-1] * len(tokens)
    stack: list[int] = []
    for i, tok in enumerate(tokens):
        if tok.kind != OP:
            continue
        if tok.text in OPENERS:
            stack.append(i)
            if max_depth is not None and len(stack) > max_depth:
                raise LexError(f"brackets nested deeper than {max_depth} levels (limits.max_depth)", tok.line, tok.column)
        elif tok.text in CLOSERS:
            if not stack:
                raise LexError(f"unexpected '{tok.text}' with nothing open", tok.line, tok.column)
            j = stack.pop()
            opener = tokens[j]
            if OPENERS[opener.text] != tok.text:
                raise LexError(
                    f"'{opener.text}' opened on line {opener.line} is closed by '{tok.text}'",
                    opener.line, opener.column,
                )
            match[i], match[j] = j, i
    if stack:
        opener = tokens[stack[-1]]
        raise LexError(f"'{opener.text}' is never closed", opener.line, opener.column)
    return match
