"""Text that is safe to print: user text shown in a terminal or a message never acts on it.

Names and values in a plan, workload or share link are the user's own text. Printed raw, a control
character can clear the terminal (ESC ``[2J``), overwrite a line (CR), or reorder what is shown
(Unicode bidi overrides, the "Trojan Source" trick, CVE-2021-42574). Every output escapes them:
:func:`one_line` for a message or a table cell, :func:`printable` for multi-line output, and
:func:`echo` for quoting a bad value back to its author, capped so a 100,000-element list is never
printed whole.
"""

from __future__ import annotations

import unicodedata
from typing import Any

ECHO_MAX_CHARS = 60
"""Longest quote of a bad value in an error message [characters], ``…`` included."""

_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
"""Bidirectional formatting characters (Unicode UAX #9), escaped as well as the C0/C1 controls."""


def _unsafe(char: str, keep: str) -> bool:
    if char in keep:
        return False
    return char in _BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")


def _escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def printable(text: str, *, keep: str = "\n") -> str:
    """``text`` with control characters (C0, DEL, C1, bidi overrides, line/paragraph separators)
    written as ``\\x1b``-style escapes; characters in ``keep`` (newline by default) stay."""
    if text.isprintable():  # fast path: nothing to escape (newline is not "printable")
        return text
    return "".join(_escape(c) if _unsafe(c, keep) else c for c in text)


def one_line(text: str) -> str:
    """``text`` as one printable line: newlines and tabs are escaped too."""
    return printable(text, keep="")


def clip(text: str, limit: int = ECHO_MAX_CHARS) -> str:
    """``text`` cut to ``limit`` characters with ``…`` when longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def echo(value: Any, limit: int = ECHO_MAX_CHARS) -> str:
    """A bad value quoted back in a message: its ``repr`` on one line, at most ``limit`` characters,
    with the size of a long list or mapping said instead of printed."""
    if isinstance(value, list | tuple | dict) and len(value) > 10:
        kind = "mapping" if isinstance(value, dict) else "list"
        return f"a {kind} of {len(value):,} entries"
    try:
        text = repr(value)
    except (RecursionError, ValueError):  # a deeply nested value, an int too long to print
        return f"a {type(value).__name__} too large to print"
    return clip(one_line(text), limit)
