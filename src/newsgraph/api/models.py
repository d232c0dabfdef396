"""Response and request bodies of the API (pydantic): the OpenAPI document is derived from them.

Every text field holds text written by strangers (document text, titles,
names, quotes): clients must show it as text, never as markup.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


# --------------------------------------------------------------------------- shared pieces


class SpanOut(_Out):
    start: int | None = None
    end: int | None = None
    text: str | None = None


class DocRef(_Out):
    document_id: int
    doc_id: str
    title: str | None = None
    outlet: str | None = None
    published: str | None = None
    story_id: int | None = None


class EntityRef(_Out):
    id: int
    name: str
    type: str
    kind: str | None = None
    country: str | None = None
    kb_id: str | None = None
    documents: int = 0


class EntityHit(EntityRef):
    score: float
    matched: str


class PartyOut(_Out):
    entity_id: int
    name: str
    as_written: str | None = None
    country: str | None = None


class EventOut(_Out):
    event_id: int
    cluster_id: int | None = None
    type: str
    mode: str | None = None
    status: str
    date: str | None = None
    date_from: str | None = None
    date_start: str | None = None
    date_end: str | None = None
    location: str | None = None
    actors: list[PartyOut]
    recipients: list[PartyOut]
    evidence: SpanOut
    document: DocRef


class ClusterParty(_Out):
    entity_id: int
    name: str


class ClusterSource(DocRef):
    date: str | None = None
    evidence: SpanOut
    event_id: int


class ClusterOut(_Out):
    """One occurrence reported by one or more documents (corroboration: independent sources)."""

    cluster_id: int | None
    type: str
    date: str | None = None
    dates: list[str]
    date_start: str | None = None
    date_end: str | None = None
    actors: list[ClusterParty]
    recipients: list[ClusterParty]
    statuses: list[str]
    reports: int
    documents: int
    independent_sources: int
    sources: list[ClusterSource]


class QuoteOut(_Out):
    quote_id: int
    speaker_id: int | None = None
    speaker: str
    text: str
    direct: bool
    start: int | None = None
    end: int | None = None
    document: DocRef


class SignalOut(_Out):
    signal_id: int
    kind: str
    detail: str
    evidence: SpanOut | None = None
    document: DocRef


# --------------------------------------------------------------------------- documents


class DocumentSummary(_Out):
    document_id: int
    doc_id: str
    title: str | None = None
    outlet: str | None = None
    published: str | None = None
    language: str | None = None
    url: str | None = None
    story_id: int | None = None
    current: bool = True
    version: int = 1
    narratives: list[str] = Field(default_factory=list)


class Highlight(_Out):
    """A span of the document text to mark: ``kind`` says what it is; ``ref`` indexes the list of that kind."""

    start: int
    end: int
    kind: Literal["entity", "event", "quote", "signal", "narrative"]
    label: str
    entity_id: int | None = None
    entity_type: str | None = None
    ref: int | None = None


class DocEntityOut(_Out):
    entity_id: int
    name: str
    as_written: str
    type: str
    kind: str | None = None
    country: str | None = None
    mentions: int


class NarrativeHit(_Out):
    id: str
    name: str
    description: str | None = None
    score: float
    evidence: list[SpanOut]


class VersionOut(_Out):
    document_id: int
    version: int
    current: bool
    previous_id: int | None = None
    ingested_at: str | None = None


class DocumentMeta(DocumentSummary):
    authors: list[str] = Field(default_factory=list)
    source: str | None = None
    ingested_at: str | None = None
    raw_format: str | None = None
    raw_available: bool = False
    cited_sources: list[str] = Field(default_factory=list)


class DocumentDetail(_Out):
    document: DocumentMeta
    text: str
    record: dict[str, Any] = Field(description="The stored record without its text (see /schema of a record).")
    highlights: list[Highlight]
    entities: list[DocEntityOut]
    events: list[EventOut]
    quotes: list[QuoteOut]
    signals: list[SignalOut]
    narratives: list[NarrativeHit]
    versions: list[VersionOut]
    near_duplicates: list[DocRef]


# --------------------------------------------------------------------------- entities


class AliasOut(_Out):
    alias: str
    documents: int


class RoleEvidence(_Out):
    doc_id: str
    document_id: int
    published: str | None = None
    start: int | None = None
    end: int | None = None
    text: str | None = None


class RoleOut(_Out):
    title: str
    of: str | None = None
    of_id: int | None = None
    first: str | None = None
    last: str | None = None
    documents: int
    independent_sources: int
    evidence: list[RoleEvidence]


class EventsSide(_Out):
    total: int
    by_type: dict[str, int]
    latest: list[EventOut]


class EntityEvents(_Out):
    as_actor: EventsSide
    as_recipient: EventsSide


class QuoteList(_Out):
    total: int
    latest: list[QuoteOut]


class EntityQuotes(_Out):
    by: QuoteList
    about: QuoteList


class EntityNarrativeOut(_Out):
    narrative: str
    name: str | None = None
    documents: int


class NeighbourCount(_Out):
    id: int
    name: str
    type: str
    documents: int
    independent_sources: int


class EntityProfile(EntityRef):
    keys: list[str]
    aliases: list[AliasOut]
    roles: list[RoleOut]
    events: EntityEvents
    quotes: EntityQuotes
    narratives: list[EntityNarrativeOut]
    neighbours: list[NeighbourCount] = Field(description="Co-mentioned entities, most documents first.")


class Tie(_Out):
    """One kind of link between two entities, seen from the first."""

    kind: Literal["event", "role", "comention"]
    label: str
    type: str | None = Field(None, description="PLOVER type of an event tie")
    direction: Literal["out", "in", "mutual"] = Field(
        description="out: the entity acts on the neighbour (or holds an office of it); in: the reverse")
    documents: int
    independent_sources: int
    first: str | None = None
    last: str | None = None
    statuses: list[str] = Field(default_factory=list)


class NeighborOut(_Out):
    entity: EntityRef
    ties: list[Tie]
    independent_sources: int = Field(description="Independent sources of the strongest tie")
    documents: int


class RoleTieEvidence(_Out):
    person_id: int
    of_id: int
    title: str
    date: str | None = None
    evidence: SpanOut
    document: DocRef


class ComentionEvidence(DocRef):
    spans: dict[str, list[SpanOut]]


class TieEvidence(_Out):
    """Everything that links ``a`` and ``b``: events between them, offices, and documents naming both."""

    a: EntityRef
    b: EntityRef
    events: list[EventOut]
    roles: list[RoleTieEvidence]
    comentions: list[ComentionEvidence]


# --------------------------------------------------------------------------- graph


class GraphNode(_Out):
    id: int
    name: str
    type: str
    kind: str | None = None
    country: str | None = None
    documents: int = 0
    degree: int = 0


class GraphEdge(_Out):
    id: str
    source: int
    target: int
    kind: Literal["event", "role"]
    type: str
    label: str
    directed: bool
    documents: int
    independent_sources: int
    events: int = 0
    first: str | None = None
    last: str | None = None
    statuses: list[str] = Field(default_factory=list)


class Network(_Out):
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    total_edges: int = Field(description="Edges matching the filters before the limit")
    truncated: bool


# --------------------------------------------------------------------------- narratives, search, misc


class NarrativeDef(_Out):
    id: str
    name: str
    description: str | None = None
    documents: int
    independent_sources: int


class TrendRow(_Out):
    group: str | None = Field(description="YYYY-MM (by month) or the outlet (by outlet)")
    narrative: str
    name: str
    documents: int
    independent_sources: int


class Trends(_Out):
    by: Literal["month", "outlet"]
    rows: list[TrendRow]


class NarrativeDocument(DocRef):
    score: float
    evidence: list[SpanOut]


class DocumentHit(DocRef):
    current: bool
    snippet: str | None = Field(None, description="Text around the match; matched words between [ and ]")
    score: float


class QuoteHit(DocRef):
    quote_id: int
    speaker: str
    text: str
    current: bool
    snippet: str | None = None
    score: float


class SearchResults(_Out):
    query: str
    entities: list[EntityHit]
    documents: list[DocumentHit]
    quotes: list[QuoteHit]


class CountryOut(_Out):
    code: str
    name: str
    entities: int


class CountryPair(_Out):
    a: CountryOut
    b: CountryOut
    ties: int = Field(description="Entity pairs linked by events across the two countries")
    events: int
    independent_sources: int


class Contradiction(_Out):
    model_config = ConfigDict(extra="allow")
    kind: str
    detail: str
    claims: list[dict[str, Any]]


class Health(_Out):
    status: Literal["ok"]
    version: str
    database: str
    writes_enabled: bool


# --------------------------------------------------------------------------- writes


class IngestRequest(BaseModel):
    """One article, as a line of a JSON-lines input (``text`` or ``html``, metadata optional),
    or a ``record`` already extracted (``newsgraph extract`` output)."""

    model_config = ConfigDict(extra="forbid")
    id: str | None = Field(None, max_length=200)
    text: str | None = None
    html: str | None = None
    title: str | None = None
    url: str | None = Field(None, max_length=4000)
    published: str | None = None
    outlet: str | None = None
    authors: list[str] | None = None
    language: str | None = None
    record: dict[str, Any] | None = None
    replace: bool = Field(False, description="Re-derive the facts of a document already stored with this content")


class IngestResult(_Out):
    status: Literal["added", "new_version", "replaced", "unchanged"]
    doc_id: str
    document_id: int | None = None
    previous_id: int | None = None
    story_id: int | None = None
    duplicate_of: list[int] = Field(default_factory=list)


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    keep: int | str = Field(description="Entity kept (id, name or KB id)")
    merge: int | str = Field(description="Entity merged into it")
    note: str | None = Field(None, max_length=2000)


class SplitRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entity: int | str
    names: list[str] = Field(min_length=1)
    new_name: str | None = None
    note: str | None = Field(None, max_length=2000)
