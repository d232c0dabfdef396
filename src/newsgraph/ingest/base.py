"""What every input format yields: a source document, or an error naming it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Format = Literal["text", "markdown", "html", "jsonl", "feed", "warc"]


@dataclass
class SourceDocument:
    """One document as read from its input, before cleaning and analysis.

    ``body`` is the text to analyse: a plain-text or Markdown scrape as found
    (``needs_scrape_cleaning``), or the main text a structured format already
    isolated (HTML via trafilatura, a JSON ``text`` field, a feed item).
    ``raw`` keeps the decoded original (text or HTML) so it can be stored and
    shown later. ``hints`` are metadata the container already states (title,
    published, authors, outlet, url, language); they win over guesses made
    from the text.
    """

    doc_id: str
    origin: str  # path, path:line for JSON lines, path#n for feed/WARC items
    format: Format
    body: str
    raw: str
    needs_scrape_cleaning: bool = False
    hints: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # NUL is never content, and PostgreSQL refuses it in text: drop it
        # wherever a reader (or a JSON "\u0000") let it through.
        self.body = self.body.replace("\x00", "")
        self.raw = self.raw.replace("\x00", "")
        for key, value in self.hints.items():
            if isinstance(value, str):
                self.hints[key] = value.replace("\x00", "")
            elif isinstance(value, list):
                self.hints[key] = [v.replace("\x00", "") if isinstance(v, str) else v for v in value]


@dataclass
class InputError:
    """An input that could not be read; ``origin`` names the file (and line)."""

    origin: str
    message: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}"
