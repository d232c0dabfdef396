"""Text from strangers, printed safely on an analyst's terminal.

File names, titles, entity names and quotes come from the pages newsgraph reads.
Printed raw, an escape sequence in one of them can recolour, retitle or clear
the terminal, hide the lines before it, or (on some terminals) write to the
clipboard; a bidirectional override can make a name read backwards. Every line
the CLI prints goes through :func:`safe`, which shows such characters as
visible escapes (``\\x1b``, ``\\u202e``; JSON stays valid) and leaves the rest alone.
"""
from __future__ import annotations

import re
from typing import Any

import typer
from rich.console import Console

# C0 controls but tab and newline, DEL, C1 controls, and the Unicode bidi controls
# (embeddings, overrides, isolates, marks) and line/paragraph separators.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    # \uNNNN beyond C0 keeps JSON output valid JSON (json.dumps escapes C0 itself, not DEL, C1 or bidi)
    return f"\\x{code:02x}" if code < 0x20 else f"\\u{code:04x}"


def safe(text: Any) -> str:
    """``text`` as a string with control and bidi characters shown as escapes."""
    return _UNSAFE.sub(_escape, str(text))


def echo(message: Any = "", **kwargs: Any) -> None:
    """``typer.echo`` of a line made safe for the terminal."""
    typer.echo(safe(message), **kwargs)


class SafeConsole(Console):
    """A rich console whose printed strings are made safe first.

    Strings printed with ``markup=True`` are the program's own markup; what they
    quote from outside must be passed through :func:`rich.markup.escape` too."""

    def print(self, *objects: Any, **kwargs: Any) -> None:  # noqa: A003 - rich's name
        super().print(*(safe(o) if isinstance(o, str) else o for o in objects), **kwargs)
