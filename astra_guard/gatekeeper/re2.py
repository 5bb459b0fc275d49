"""Go RE2 regular expressions (gator's `message` assertions and `--run`) as Python `re` patterns."""

from __future__ import annotations

import re

_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7f", "blank": "\\t ", "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9", "graph": "!-~", "lower": "a-z", "print": " -~", "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ", "upper": "A-Z", "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f",
}


def re2_to_python(pattern: str) -> str:
    """Go's RE2 syntax as a Python `re` pattern (compiled with re.ASCII, as Go's \\d \\w \\s \\b are ASCII).

    Translated: `\\z` (end of text), `$` without `(?m)` (Go's `$` never matches before a final newline),
    `(?<name>...)`, POSIX classes `[[:alpha:]]`, `\\Q...\\E`, `\\x{10FFFF}`, `{,n}` (literal in RE2).
    Rejected as RE2 rejects them: lookaround, backreferences, possessive quantifiers, `\\Z`.
    Rejected because Python cannot express them: Unicode classes `\\pL`/`\\p{Greek}`, `(?U)`.
    Differences left: `(?i)` folds only ASCII letters; Python and RE2 report syntax errors differently.
    """
    multiline = bool(re.search(r"\(\?[a-zA-Z]*m[a-zA-Z]*[:)]", pattern))
    out: list[str] = []
    i, n, in_class = 0, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                raise ValueError("trailing backslash at end of expression")
            d = pattern[i + 1]
            if d == "Q":
                end = pattern.find("\\E", i + 2)
                literal = pattern[i + 2:] if end < 0 else pattern[i + 2:end]
                out.append("".join("\\" + ch if not ch.isalnum() else ch for ch in literal))
                i = n if end < 0 else end + 2
                continue
            if d == "z" and not in_class:
                out.append("\\Z")
            elif d in "123456789":
                raise ValueError(f"invalid escape sequence: `\\{d}` (RE2 has no backreferences)")
            elif d == "Z":
                raise ValueError("invalid escape sequence: `\\Z`")
            elif d in "pP":
                raise ValueError("Unicode character classes (\\p, \\P) are not supported by this verifier")
            elif d == "x" and i + 2 < n and pattern[i + 2] == "{":
                end = pattern.find("}", i + 3)
                if end < 0:
                    raise ValueError("invalid escape sequence: `\\x{`")
                out.append(f"\\U{int(pattern[i + 3:end] or '0', 16):08x}")
                i = end + 1
                continue
            else:
                out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            if pattern.startswith("[:", i):
                end = pattern.find(":]", i + 2)
                name = pattern[i + 2:end] if end > 0 else ""
                negated = name.startswith("^")
                if name.lstrip("^") not in _POSIX_CLASSES:
                    raise ValueError(f"invalid character class range: `[:{name}:]`")
                if negated:
                    raise ValueError("negated POSIX classes inside a class are not supported by this verifier")
                out.append(_POSIX_CLASSES[name])
                i = end + 2
                continue
            if c == "]":
                in_class = False
                out.append(c)
            elif c in "[&~|":
                out.append("\\" + c)
            else:
                out.append(c)
            i += 1
            continue
        if c == "[":
            in_class = True
            out.append(c)
            i += 1
            if i < n and pattern[i] == "^":
                out.append("^")
                i += 1
            if i < n and pattern[i] == "]":   # a leading ] is a literal in RE2
                out.append("\\]")
                i += 1
            continue
        if c == "(" and pattern.startswith("(?", i):
            if pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
                raise ValueError("invalid or unsupported Perl syntax: lookaround `(?=`, `(?!`, `(?<=`, `(?<!`")
            if pattern.startswith("(?<", i):
                out.append("(?P<")
                i += 3
                continue
            flags = re.match(r"\(\?([a-zA-Z-]*)[:)]", pattern[i:])
            if flags and "U" in flags.group(1):
                raise ValueError("the (?U) flag (ungreedy) is not supported by this verifier")
            if flags and set(flags.group(1)) - set("imsU-"):
                raise ValueError(f"invalid or unsupported Perl syntax: `(?{flags.group(1)}`")
        if c in "*+?}" and i + 1 < n and pattern[i + 1] == "+":
            raise ValueError(f"invalid nested repetition operator: `{c}+`")
        if c == "{" and pattern.startswith("{,", i):
            out.append("\\{")
            i += 1
            continue
        if c == "$" and not multiline:
            out.append("\\Z")
            i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def compile_re2(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(re2_to_python(pattern), re.ASCII)
    except (ValueError, re.error) as exc:
        raise ValueError(f"message contains invalid regular expression: error parsing regexp: {exc}") from None
