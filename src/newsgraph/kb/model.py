"""The knowledge-base data model: what a YAML entry may say.

The knowledge base is data (``kb/data/*.yaml``, plus any user folder merged
over it). Each file is a YAML list of entries; every entry names a ``source``
for what it asserts, and every dated office names its own source too.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ENTITY_TYPES = ("PERSON", "ORG", "GPE", "LOC", "OTHER")
KINDS = (
    "state", "city", "region", "government_body", "military", "armed_group", "pmc", "company",
    "media", "igo", "ngo", "party", "weapon", "programme", "event",
)
ID_RE = re.compile(r"^[a-z_]+/[a-z0-9][a-z0-9_.-]*$")


class Office(BaseModel):
    """A position held, with its dates (``end: null`` while in office)."""

    model_config = ConfigDict(extra="forbid")

    title: str
    of: str  # canonical name or id of the body or state
    start: dt.date | None = None
    end: dt.date | None = None
    source: str

    @model_validator(mode="after")
    def _ordered(self) -> "Office":
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"office {self.title!r} ends before it starts")
        return self

    def holds_on(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


class KBEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="type/slug, e.g. person/ibrahim-traore, stable across releases")
    name: str = Field(description="canonical name: the fullest usual English form")
    type: Literal["PERSON", "ORG", "GPE", "LOC", "OTHER"]
    kind: str | None = None
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-3 (or -3 of a former state)")
    aliases: list[str] = Field(default_factory=list, description="other names, spellings, acronyms")
    # Aliases that only count with the entry's context (e.g. a capital standing for its state);
    # the ruler does not tag them on their own.
    wikidata: str | None = Field(default=None, description="only where certain")
    source: str = Field(description="where the facts of this entry come from")
    description: str | None = None
    # states
    iso2: str | None = None
    capital: str | None = None
    demonyms: list[str] = Field(default_factory=list)
    # people
    offices: list[Office] = Field(default_factory=list)
    rank: str | None = None
    # media
    state_controlled: bool = False
    # organizations marked as fronts, with the evidence for that mark
    front_of: str | None = None
    front_source: str | None = None
    # where a widespread wrong name or title is known (used for kb_conflict signals)
    not_to_be_confused_with: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, v: str) -> str:
        if not ID_RE.match(v):
            raise ValueError(f"id {v!r} must look like 'person/ibrahim-traore'")
        return v

    @field_validator("country")
    @classmethod
    def _country_shape(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[A-Z]{3}", v):
            raise ValueError(f"country {v!r} must be an ISO 3166-1 alpha-3 code")
        return v

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, v: str | None) -> str | None:
        if v is not None and v not in KINDS:
            raise ValueError(f"kind {v!r} is not one of {', '.join(KINDS)}")
        return v

    @field_validator("wikidata")
    @classmethod
    def _qid(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"Q[1-9][0-9]*", v):
            raise ValueError(f"wikidata {v!r} must look like Q123")
        return v

    @model_validator(mode="after")
    def _front_sourced(self) -> "KBEntry":
        if self.front_of and not self.front_source:
            raise ValueError("front_of needs front_source: say who reports it as a front")
        return self

    @property
    def surface_forms(self) -> list[str]:
        return [self.name, *self.aliases]
