"""Bytes to text: BOMs, UTF-16, binary content, and invalid bytes named by their line."""

from __future__ import annotations

import codecs
from dataclasses import dataclass


@dataclass(frozen=True)
class Decoded:
    """The text of a file, or why there is none."""

    text: str = ""
    binary: bool = False
    error: str | None = None
    error_line: int = 1


def decode(raw: bytes) -> Decoded:
    """UTF-8 (with or without BOM) or UTF-16 with BOM; line endings normalised to `\\n`."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return Decoded(text=_normalise(raw.decode("utf-16")))
        except UnicodeDecodeError as exc:
            return Decoded(error=f"invalid UTF-16: {exc.reason}")
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    if b"\x00" in raw[:8192]:
        return Decoded(binary=True)
    try:
        return Decoded(text=_normalise(raw.decode("utf-8")))
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return Decoded(
            error=f"invalid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
            error_line=line,
        )


def _normalise(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
