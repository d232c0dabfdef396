"""The knowledge store's schema: one set of typed SQLAlchemy 2 models for SQLite and PostgreSQL.

Layers:

* documents: one row per stored version of a document (``content_hash`` unique),
  the cleaned text, the record (as JSON, without its text) and, beside it in
  ``document_raw``, the raw input (text or HTML) so the source can be shown
  after the page is gone. ``previous_id`` links a changed version of a URL to
  the version it replaces; only the current version (``is_current``) carries
  facts in the tables below. ``story_id`` groups near-duplicates (MinHash over
  word shingles, ``near_duplicates``): one story counts as one independent source.
* entities: cross-document entities, resolved by KB id or by normalized name
  and type (``entity_keys``), with aliases and their counts; ``doc_entities``
  are the per-document entities of the records, ``mentions`` their spans.
* roles, events (+ ``event_parties``, ``event_clusters``), quotes
  (+ ``quote_mentions``: the entities a quote is about), narratives, signals.
* judgements: an analyst's merge and split decisions, kept across re-ingest.
* aggregates kept up to date in the same transaction as each document:
  ``entity_edges`` (co-mention counts and independent-source counts, both
  directions) and ``entity_narratives``.

Full-text search (SQLite FTS5 tables, PostgreSQL GIN indexes over
``to_tsvector``) is created by the migrations, not by these models.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(255), index=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)  # text at its URL
    text_hash: Mapped[str] = mapped_column(String(64), index=True)  # text alone: exact copies elsewhere
    url: Mapped[str | None] = mapped_column(Text)
    url_key: Mapped[str | None] = mapped_column(String(64), index=True)  # sha256 of the URL
    version: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    story_id: Mapped[int | None] = mapped_column(Integer, index=True)
    title: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(10), index=True)
    outlet: Mapped[str | None] = mapped_column(String(255), index=True)
    language: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    record_json: Mapped[dict[str, Any]] = mapped_column(JSON)
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)
    ingested_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)


class DocumentRaw(Base):
    """The input as read (decoded text or HTML), kept beside the record."""

    __tablename__ = "document_raw"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    format: Mapped[str | None] = mapped_column(String(32))
    raw: Mapped[str] = mapped_column(Text)


class LshBand(Base):
    """One MinHash LSH band key of a current document: candidates for near-duplicates."""

    __tablename__ = "lsh_bands"
    __table_args__ = {"sqlite_with_rowid": False}

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)


class NearDuplicate(Base):
    __tablename__ = "near_duplicates"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    duplicate_of_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True,
                                                 index=True)
    similarity: Mapped[float] = mapped_column(Float)


class EntityRow(Base):
    __tablename__ = "entities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(512))
    name_key: Mapped[str] = mapped_column(String(512), index=True)
    type: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str | None] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(3))
    kb_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    doc_count: Mapped[int] = mapped_column(Integer, default=0)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)


class EntityKey(Base):
    """Resolution keys (``kb:<id>``, ``name:<TYPE>:<name key>``) and the entity each resolves to."""

    __tablename__ = "entity_keys"
    __table_args__ = {"sqlite_with_rowid": False}

    key: Mapped[str] = mapped_column(String(600), primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)


class EntityAlias(Base):
    """A surface form of an entity and the number of current documents that use it."""

    __tablename__ = "entity_aliases"
    __table_args__ = {"sqlite_with_rowid": False}

    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), primary_key=True)
    alias: Mapped[str] = mapped_column(String(512), primary_key=True)
    alias_key: Mapped[str] = mapped_column(String(512), index=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class DocEntity(Base):
    """An entity of one record, as the record names it, linked to its cross-document entity."""

    __tablename__ = "doc_entities"
    __table_args__ = (Index("ix_doc_entities_entity_id_document_id", "entity_id", "document_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    name: Mapped[str] = mapped_column(String(512))
    key: Mapped[str] = mapped_column(String(600))  # the record's name key (name:<TYPE>:<key>)
    type: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str | None] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(3))
    kb_id: Mapped[str | None] = mapped_column(String(255))
    aliases: Mapped[list[Any]] = mapped_column(JSON)
    mention_count: Mapped[int] = mapped_column(Integer, default=0)
    implicit: Mapped[bool] = mapped_column(Boolean, default=False)  # named only as a party, speaker or role holder


class Mention(Base):
    """A span of a document naming an entity (one B-tree on SQLite: the key is the span)."""

    __tablename__ = "mentions"
    __table_args__ = {"sqlite_with_rowid": False}

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    start: Mapped[int] = mapped_column(Integer, primary_key=True)
    end: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_entity_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # doc_entities.id (no FK: cheap deletes)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    text: Mapped[str] = mapped_column(Text)


class RoleRow(Base):
    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    person_name: Mapped[str] = mapped_column(String(512))
    title: Mapped[str] = mapped_column(String(512))
    title_key: Mapped[str] = mapped_column(String(512), index=True)
    of_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"), index=True)
    of_name: Mapped[str | None] = mapped_column(String(512))
    date: Mapped[str | None] = mapped_column(String(10))
    date_start: Mapped[dt.date | None] = mapped_column(Date)
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    evidence: Mapped[str | None] = mapped_column(Text)


class EventCluster(Base):
    """Events of several documents that report one occurrence (corroboration)."""

    __tablename__ = "event_clusters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(16))


class EventRow(Base):
    __tablename__ = "events"
    # clustering reads type, dates, status, cluster and document from the index alone (migration 0003)
    __table_args__ = (Index("ix_events_cluster_match", "type", "date_start", "status", "date_end", "cluster_id",
                            "document_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("event_clusters.id"), index=True)
    type: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    date: Mapped[str | None] = mapped_column(String(10))  # as the record gives it
    date_start: Mapped[dt.date | None] = mapped_column(Date, index=True)
    date_end: Mapped[dt.date | None] = mapped_column(Date)
    date_precision: Mapped[str | None] = mapped_column(String(8))  # day, month, year
    date_from: Mapped[str | None] = mapped_column(String(16))  # text, published
    location: Mapped[str | None] = mapped_column(String(512))
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    evidence: Mapped[str | None] = mapped_column(Text)


class EventParty(Base):
    __tablename__ = "event_parties"
    __table_args__ = (
        Index("ix_event_parties_entity_side_date", "entity_id", "side", "date_start"),
        # clustering looks up events by a shared party (entity or country), side, type and date
        Index("ix_event_parties_entity_side_type_date", "entity_id", "side", "type", "date_start", "event_id"),
        Index("ix_event_parties_country_side_type_date", "country", "side", "type", "date_start", "event_id"),
        Index("ix_event_parties_event_cover", "event_id", "side", "entity_id", "country"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    side: Mapped[str] = mapped_column(String(10))  # actor, recipient
    name: Mapped[str] = mapped_column(String(512))
    country: Mapped[str | None] = mapped_column(String(3))
    # denormalized from the event for index-only profile queries
    type: Mapped[str] = mapped_column(String(16))
    date_start: Mapped[dt.date | None] = mapped_column(Date)


class QuoteRow(Base):
    __tablename__ = "quotes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    speaker_name: Mapped[str] = mapped_column(String(512))
    text: Mapped[str] = mapped_column(Text)
    direct: Mapped[bool] = mapped_column(Boolean, default=True)
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)


class QuoteMention(Base):
    """An entity a quote is about (mentioned inside it), other than its speaker."""

    __tablename__ = "quote_mentions"
    __table_args__ = {"sqlite_with_rowid": False}

    quote_id: Mapped[int] = mapped_column(ForeignKey("quotes.id", ondelete="CASCADE"), primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), primary_key=True, index=True)


class DocNarrative(Base):
    __tablename__ = "doc_narratives"
    __table_args__ = {"sqlite_with_rowid": False}

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    narrative_id: Mapped[str] = mapped_column(String(128), primary_key=True, index=True)
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list[Any]] = mapped_column(JSON)


class SignalRow(Base):
    __tablename__ = "signals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(64), index=True)
    detail: Mapped[str] = mapped_column(Text)
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    evidence: Mapped[str | None] = mapped_column(Text)


class Judgement(Base):
    """An analyst's decision on two resolution keys: ``merge`` (same) or ``split`` (different).

    Keys are stable across re-ingest (``kb:<id>``, ``name:<TYPE>:<name key>``),
    so a judgement applies to documents stored later as well.
    """

    __tablename__ = "judgements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    key_a: Mapped[str] = mapped_column(String(600), index=True)
    key_b: Mapped[str] = mapped_column(String(600), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_utcnow)


class EntityEdge(Base):
    """Co-mention aggregate, both directions: documents and independent stories mentioning a and b."""

    __tablename__ = "entity_edges"
    __table_args__ = {"sqlite_with_rowid": False}

    a: Mapped[int] = mapped_column(Integer, primary_key=True)
    b: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_count: Mapped[int] = mapped_column(Integer, default=0)
    story_count: Mapped[int] = mapped_column(Integer, default=0)


class EntityNarrative(Base):
    __tablename__ = "entity_narratives"
    __table_args__ = {"sqlite_with_rowid": False}

    entity_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    narrative_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    doc_count: Mapped[int] = mapped_column(Integer, default=0)


TABLES = Base.metadata.tables
