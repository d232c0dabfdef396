"""The document record: the analysis of one document (see ``shared/spec``).

Every fact points back into ``Record.text`` through character offsets, so an
analyst can always check it. The models here are the typed contract; the JSON
they produce validates against the published ``record.schema.json``.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_serializer

EntityType = Literal["PERSON", "ORG", "GPE", "LOC", "OTHER"]
EventType = Literal[
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
]
EventStatus = Literal["asserted", "future", "hypothetical", "negated"]
# YYYY, YYYY-MM or YYYY-MM-DD: the precision the text gives.
DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
COUNTRY_PATTERN = r"^[A-Z]{3}$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Span(_Model):
    """Exact evidence: ``text == record.text[start:end]``."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class Entity(_Model):
    id: str | None = None
    name: str
    type: EntityType
    kind: str | None = None
    aliases: list[str] = Field(default_factory=list)
    country: str | None = None
    mentions: list[Span] = Field(default_factory=list)

    @model_serializer(mode="wrap")
    def _omit_missing_id(self, handler):  # the schema's id is a string when present
        data = handler(self)
        if isinstance(data, dict) and data.get("id") is None:
            data.pop("id", None)
        return data


class Role(_Model):
    person: str
    title: str
    of: str | None = None
    evidence: Span | None = None


class Party(_Model):
    name: str
    country: str | None = Field(default=None, pattern=COUNTRY_PATTERN)


class Event(_Model):
    type: EventType
    mode: str | None = None
    actor: list[Party]
    recipient: list[Party] = Field(default_factory=list)
    date: str | None = Field(default=None, pattern=DATE_PATTERN)
    location: str | None = None
    status: EventStatus = "asserted"
    evidence: Span | None = None


class Quote(_Model):
    speaker: str
    text: str
    direct: bool = True
    start: int | None = None
    end: int | None = None


class Narrative(_Model):
    id: str
    score: float = Field(ge=0.0, le=1.0)
    evidence: list[Span] = Field(default_factory=list)


class Signal(_Model):
    kind: str
    detail: str
    evidence: Span | None = None


class Record(_Model):
    doc_id: str
    title: str | None = None
    published: str | None = Field(default=None, pattern=DATE_PATTERN)
    authors: list[str] = Field(default_factory=list)
    outlet: str | None = None
    language: str = "en"
    cited_sources: list[str] = Field(default_factory=list)
    text: str
    entities: list[Entity] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    narratives: list[Narrative] = Field(default_factory=list)
    signals: list[Signal] = Field(default_factory=list)
    # Provenance of the input: not part of the scored contract, but analysts
    # need to know where a record came from.
    source: str | None = None
    url: str | None = None

    def span(self, start: int, end: int) -> Span:
        """Evidence for ``text[start:end]``."""
        return Span(start=start, end=end, text=self.text[start:end])


def json_schema() -> dict:
    """The JSON Schema of a record, as pydantic derives it from the models."""
    return Record.model_json_schema()
