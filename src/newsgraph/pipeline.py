"""The extraction pipeline: stages that each add one layer to a shared context.

Like spaCy's components, each stage is a named function ``stage(ctx)`` that
reads what earlier stages left on the ``DocContext`` and adds its own layer.
The list of stages is configuration (``Extractor(stages=[...])``); later
capabilities (roles, events, quotes, narratives, signals) register here.
"""
from __future__ import annotations

import hashlib
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

from newsgraph.ingest.base import SourceDocument
from newsgraph.ingest.clean import CleanedText, clean_plain, clean_scrape
from newsgraph.ingest.metadata import Metadata, read_metadata
from newsgraph.kb import KnowledgeBase, name_key
from newsgraph.nlp.entities import EntityResolver
from newsgraph.nlp.sources import cited_sources
from newsgraph.nlp.spacy_pipeline import build_nlp
from newsgraph.record import Entity, Record, Span


@dataclass
class DocContext:
    """Everything known about one document while it moves through the stages."""

    source: SourceDocument
    cleaned: CleanedText | None = None
    meta: Metadata | None = None
    doc: Doc | None = None
    entities: list[Entity] = field(default_factory=list)
    cited_sources: list[str] = field(default_factory=list)
    extra: dict[str, object] = field(default_factory=dict)  # layers of later stages

    @property
    def text(self) -> str:
        assert self.cleaned is not None, "the clean stage runs first"
        return self.cleaned.text


Stage = Callable[["Extractor", DocContext], None]
STAGES: dict[str, Stage] = {}


def stage(name: str) -> Callable[[Stage], Stage]:
    """Register a pipeline stage under ``name``."""

    def register(fn: Stage) -> Stage:
        STAGES[name] = fn
        return fn

    return register


@stage("clean")
def _clean(ex: "Extractor", ctx: DocContext) -> None:
    src = ctx.source
    if src.needs_scrape_cleaning:
        ctx.cleaned = clean_scrape(src.body)
    else:
        ctx.cleaned = clean_plain(src.body, title=str(src.hints.get("title") or "") or None)


@stage("metadata")
def _metadata(ex: "Extractor", ctx: DocContext) -> None:
    assert ctx.cleaned is not None
    ctx.meta = read_metadata(ctx.cleaned, ctx.source.hints, ex.kb)


@stage("entities")
def _entities(ex: "Extractor", ctx: DocContext) -> None:
    assert ctx.doc is not None
    title_end = 0
    if ctx.meta and ctx.meta.title and ctx.cleaned and ctx.cleaned.paragraphs:
        first = ctx.cleaned.paragraphs[0]
        if first.text == ctx.meta.title:
            title_end = first.end
    ctx.entities = ex.resolver.resolve(ctx.doc, title_end)
    _add_author_entities(ex, ctx)


def _add_author_entities(ex: "Extractor", ctx: DocContext) -> None:
    """Bylines and signatories are people of the document even where NER missed them."""
    assert ctx.meta is not None
    known = {name_key(a) for e in ctx.entities for a in [e.name, *e.aliases]}
    for author in ctx.meta.authors:
        if name_key(author) in known:
            continue
        mentions = [
            Span(start=m.start(), end=m.end(), text=m.group(0))
            for m in re.finditer(rf"(?<!\w){re.escape(author)}(?!\w)", ctx.text)
        ]
        entry = next((e for e in ex.kb.lookup(author) if e.type == "PERSON"), None)
        ctx.entities.append(Entity(
            id=entry.id if entry else None, name=entry.name if entry else author, type="PERSON",
            country=entry.country if entry else None, aliases=[author], mentions=mentions,
        ))


@stage("cited_sources")
def _cited_sources(ex: "Extractor", ctx: DocContext) -> None:
    ctx.cited_sources = cited_sources(ctx.text, ctx.entities, ex.kb)


DEFAULT_STAGES = ("clean", "metadata", "entities", "cited_sources", "roles", "quotes", "events", "narratives", "signals")


@dataclass
class ExtractionError:
    """A document that failed inside the pipeline; the batch goes on without it."""

    origin: str
    message: str


def _forget_embeddings() -> None:
    """Sentence vectors are shared between the stages of one document only."""
    module = sys.modules.get("newsgraph.nlp.embeddings")
    if module is not None:
        module.forget_recent()


@dataclass
class StageClock:
    """Seconds spent in each stage (wall and process CPU) and documents seen.

    Always on: two clock reads per stage and document cost microseconds against
    the hundreds of milliseconds a document takes; ``newsgraph bench`` reads it."""

    wall: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    documents: int = 0

    def add(self, name: str, wall: float, cpu: float) -> None:
        self.wall[name] = self.wall.get(name, 0.0) + wall
        self.cpu[name] = self.cpu.get(name, 0.0) + cpu

    def merge(self, other: "StageClock") -> None:
        for name in other.wall:
            self.add(name, other.wall[name], other.cpu.get(name, 0.0))
        self.documents += other.documents

    def reset(self) -> None:
        self.wall.clear()
        self.cpu.clear()
        self.documents = 0


def doc_id_for(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Extractor:
    """Runs the configured stages over source documents and builds records."""

    def __init__(self, kb: KnowledgeBase, stages: Iterable[str] = DEFAULT_STAGES, nlp: Language | None = None):
        unknown = [s for s in stages if s not in STAGES]
        if unknown:
            raise ValueError(f"unknown pipeline stage(s): {', '.join(unknown)}; known: {', '.join(STAGES)}")
        self.kb = kb
        self.stages = list(stages)
        self.nlp = nlp or build_nlp(kb)
        self.resolver = EntityResolver(kb)
        self.clock = StageClock()

    def extract(self, source: SourceDocument) -> Record:
        result = next(self.extract_many([source]))
        if isinstance(result, ExtractionError):
            raise RuntimeError(f"{result.origin}: {result.message}")
        return result

    def extract_many(
        self, sources: Iterable[SourceDocument], batch_size: int = 16
    ) -> Iterator[Record | ExtractionError]:
        """Records in input order; spaCy parses each batch with ``nlp.pipe``.

        A document that fails yields an ``ExtractionError`` in its place."""
        batch: list[DocContext] = []
        for source in sources:
            batch.append(DocContext(source))
            if len(batch) >= batch_size:
                yield from self._run(batch)
                batch = []
        if batch:
            yield from self._run(batch)

    def _run(self, batch: list[DocContext]) -> Iterator[Record | ExtractionError]:
        before = [s for s in self.stages if s in ("clean", "metadata")]
        after = [s for s in self.stages if s not in ("clean", "metadata")]
        failed: dict[int, ExtractionError] = {}
        for i, ctx in enumerate(batch):
            failed.update(self._guarded(i, ctx, before))
        ready = [ctx for i, ctx in enumerate(batch) if i not in failed]
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            docs = list(self.nlp.pipe(ctx.text for ctx in ready))
        except Exception:  # one bad document must not sink the batch: parse one by one
            docs = []
            for ctx in ready:
                try:
                    docs.append(self.nlp(ctx.text))
                except Exception as exc:
                    docs.append(None)
                    failed[batch.index(ctx)] = ExtractionError(ctx.source.origin, f"spaCy failed: {exc}")
        self.clock.add("spacy", time.perf_counter() - wall, time.process_time() - cpu)
        self.clock.documents += len(batch)
        for ctx, doc in zip(ready, docs):
            ctx.doc = doc
        for i, ctx in enumerate(batch):
            if i not in failed:
                _forget_embeddings()
                failed.update(self._guarded(i, ctx, after))
            if i in failed:
                yield failed[i]
                continue
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                record: Record | ExtractionError = self.record(ctx)
            except Exception as exc:
                record = ExtractionError(ctx.source.origin, f"invalid record: {exc}")
            self.clock.add("record", time.perf_counter() - wall, time.process_time() - cpu)
            yield record

    def _guarded(self, i: int, ctx: DocContext, names: list[str]) -> dict[int, ExtractionError]:
        clock = self.clock
        for name in names:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                STAGES[name](self, ctx)
            except Exception as exc:
                return {i: ExtractionError(ctx.source.origin, f"{name} stage failed: {type(exc).__name__}: {exc}")}
            finally:
                clock.add(name, time.perf_counter() - wall, time.process_time() - cpu)
        return {}

    @staticmethod
    def record(ctx: DocContext) -> Record:
        meta = ctx.meta or Metadata()
        return Record(
            doc_id=ctx.source.doc_id,
            title=meta.title,
            published=meta.published,
            authors=meta.authors,
            outlet=meta.outlet,
            language=meta.language,
            cited_sources=ctx.cited_sources,
            text=ctx.text,
            entities=ctx.entities,
            source=ctx.source.origin,
            url=meta.url,
            **{k: v for k, v in ctx.extra.items() if k in ("roles", "events", "quotes", "narratives", "signals")},
        )


def _classifier_scores(sentences: list[str]) -> list[dict[str, float]]:
    """Type probabilities from the sentence classifier (one embedding batch per document)."""
    from newsgraph.nlp.event_classifier import EventClassifier

    return [scores.probs for scores in EventClassifier.get().classify(sentences)]


@stage("events")
def _events(ex: "Extractor", ctx: DocContext) -> None:
    from newsgraph.nlp.events import EventExtractor

    if getattr(ex, "_event_extractor", None) is None:
        ex._event_extractor = EventExtractor(ex.kb, type_scorer=_classifier_scores)
    assert ctx.doc is not None
    title = ctx.meta.title if ctx.meta else None
    first = ctx.cleaned.paragraphs[0] if ctx.cleaned and ctx.cleaned.paragraphs else None
    body_start = first.end if first is not None and title and first.text == title else 0
    ctx.extra["events"] = ex._event_extractor.extract(
        ctx.doc, ctx.entities, ctx.meta.published if ctx.meta else None, body_start,
        quotes=ctx.extra.get("quotes") or ())


@stage("signals")
def _signals(ex: "Extractor", ctx: DocContext) -> None:
    from newsgraph.nlp.signals import SignalContext, SignalDetector

    if getattr(ex, "_signal_detector", None) is None:
        ex._signal_detector = SignalDetector(ex.kb)
    meta = ctx.meta or Metadata()
    paragraphs = ctx.cleaned.paragraphs if ctx.cleaned else []
    lead_end = paragraphs[1].end if len(paragraphs) > 1 else (paragraphs[0].end if paragraphs else 0)
    quotes = ctx.extra.get("quotes") or []
    ctx.extra["signals"] = ex._signal_detector.detect(SignalContext(
        text=ctx.text, entities=ctx.entities, authors=meta.authors, outlet=meta.outlet,
        cited_sources=ctx.cited_sources, published=meta.published, roles=list(ctx.extra.get("roles") or []),
        speakers={q.speaker for q in quotes}, lead_end=lead_end,
    ))


# Stages defined in their own modules register themselves on import.
from newsgraph.nlp import quotes as _quotes  # noqa: E402,F401
from newsgraph.nlp import roles as _roles  # noqa: E402,F401
from newsgraph.nlp import narratives as _narratives  # noqa: E402,F401
