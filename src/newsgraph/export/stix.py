"""A STIX 2.1 bundle (OpenCTI, MISP, any TAXII consumer), built and checked with the ``stix2`` library.

* a ``report`` per document: title, publication date, an external reference
  (``source_name: newsgraph``, ``external_id``: the document id, ``url``) and
  ``object_refs`` to everything taken from it;
* entities: ``identity`` for people (``individual``) and bodies
  (``organization``), ``threat-actor`` for PMCs and armed groups, ``location``
  for states, cities and regions (ISO alpha-2 ``country``); other things are
  identities of class ``unknown``;
* ``relationship`` objects for events (actor -> recipient, ``related-to`` with
  the PLOVER type, mode and status as labels, the event's day(s) as
  ``start_time``/``stop_time``) and roles (person -> body, the title as label);
  ``related-to`` because consumers such as OpenCTI drop relationship types
  outside the STIX list; events that link no two entities become notes;
* ``note`` objects for quotes (the speaker as author), narrative evidence and
  credibility signals;
* narratives as ``attack-pattern`` objects whose external references are the
  DISARM techniques they map to (``source_name: DISARM``).

Every relationship and note carries an external reference to its document
with the evidence's character offsets and text. Identifiers are UUIDv5 over a
fixed newsgraph namespace and a key that does not depend on the database
(KB id or type and normalized name for entities; document id and the fact's
number in it for facts), so exporting again (from this store or another built
from the same records) updates objects in OpenCTI rather than duplicating them.
``created``/``modified`` are the times the supporting documents were stored.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any

import stix2

from newsgraph.export.catalog import DISARM_URL, narrative
from newsgraph.export.mapping import STIX_REGIONS, STIX_SECTORS, identity_class, iso2, slug, stix_type
from newsgraph.export.output import OutTarget, text_output
from newsgraph.export.selection import Doc, DocBundle, Entity, Event, Selection, Span
from newsgraph.store.util import date_interval, name_key

NAMESPACE = uuid.UUID("3f0c9c39-6b0e-5e58-9a61-6e6577736772")  # newsgraph's STIX id namespace (fixed forever)
EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)  # created/modified of definitions (tool, narratives)
SOURCE = "newsgraph"
MAX_EVIDENCE = 1000  # characters of evidence quoted in a reference's description


def stix_id(stix_type_: str, key: str) -> str:
    return f"{stix_type_}--{uuid.uuid5(NAMESPACE, f'{stix_type_}:{key}')}"


TOOL_ID = stix_id("identity", "newsgraph")


def _utc(t: dt.datetime) -> dt.datetime:
    return t.replace(tzinfo=dt.timezone.utc) if t.tzinfo is None else t.astimezone(dt.timezone.utc)


def _quote(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= MAX_EVIDENCE else text[: MAX_EVIDENCE - 1] + "…"


def doc_reference(d: Doc, span: Span | None = None, what: str = "evidence") -> dict[str, str]:
    """An external reference to a document (and to the evidence in it, when given)."""
    ref = {"source_name": SOURCE, "external_id": d.key}
    if d.url:
        ref["url"] = d.url
    if span is not None and span.text:
        ref["description"] = f"{what}: characters {span.start}-{span.end} of {d.key}: \"{_quote(span.text)}\""
    else:
        ref["description"] = " · ".join(x for x in (d.outlet, d.published, d.title) if x) or d.key
    return ref


class _Objects:
    """Collects shared objects (entities, narratives) with the times of the documents that support them."""

    def __init__(self) -> None:
        self.entities: dict[int, tuple[Entity, dt.datetime, dt.datetime]] = {}
        self.narratives: set[str] = set()

    def entity(self, ent: Entity, when: dt.datetime) -> str:
        known = self.entities.get(ent.id)
        if known is None:
            self.entities[ent.id] = (ent, when, when)
        else:
            self.entities[ent.id] = (ent, min(known[1], when), max(known[2], when))
        return entity_id(ent)


def entity_id(ent: Entity) -> str:
    return stix_id(stix_type(ent), ent.key)


def entity_object(ent: Entity, created: dt.datetime, modified: dt.datetime):
    common: dict[str, Any] = {"id": entity_id(ent), "created": created, "modified": modified,
                              "created_by_ref": TOOL_ID, "name": ent.name}
    facts = [f"{ent.type.lower()}" + (f" ({ent.kind})" if ent.kind else "")]
    if ent.country:
        facts.append(f"country {ent.country}")
    if ent.kb_id:
        facts.append(f"newsgraph KB {ent.kb_id}")
    if ent.aliases:
        facts.append("also written " + ", ".join(ent.aliases[:20]))
    description = "; ".join(facts)
    kind = stix_type(ent)
    refs = [{"source_name": SOURCE, "external_id": ent.key, "description": "newsgraph entity key"}]
    if kind == "location":
        country = iso2(ent.country)
        extra: dict[str, Any] = {}
        if country:
            extra["country"] = country
            if ent.kind == "city":
                extra["city"] = ent.name
        elif ent.type == "LOC" or ent.kind == "region":
            extra["region"] = STIX_REGIONS.get(name_key(ent.name), slug(ent.name))
        else:
            extra["region"] = "unknown"
            description += "; country not known"
        return stix2.Location(description=description, external_references=refs, **common, **extra)
    if kind == "threat-actor":
        return stix2.ThreatActor(description=description, aliases=ent.aliases or None, external_references=refs,
                                 **common)
    return stix2.Identity(identity_class=identity_class(ent), description=description,
                          sectors=STIX_SECTORS.get(ent.kind or "") or None, external_references=refs, **common)


def narrative_object(nid: str):
    info = narrative(nid)
    refs = [{"source_name": SOURCE, "external_id": nid, "description": "newsgraph narrative id"}]
    refs += [{"source_name": "DISARM", "external_id": tid, "url": DISARM_URL.format(id=tid), "description": name}
             for tid, name in info.disarm]
    return stix2.AttackPattern(id=stix_id("attack-pattern", f"narrative:{nid}"), created=EPOCH, modified=EPOCH,
                               created_by_ref=TOOL_ID, name=info.name, description=info.description or None,
                               aliases=[nid], external_references=refs)


def _event_times(ev: Event) -> dict[str, dt.datetime]:
    when = date_interval(ev.date) if ev.date else None
    if when is None:
        return {}
    start = dt.datetime.combine(when[0], dt.time(), dt.timezone.utc)
    stop = dt.datetime.combine(when[1] + dt.timedelta(days=1), dt.time(), dt.timezone.utc)
    return {"start_time": start, "stop_time": stop}


def _names(ids: list[int], ents: dict[int, Entity]) -> str:
    return ", ".join(ents[i].name for i in ids if i in ents) or "?"


def document_objects(b: DocBundle, selection: Selection, shared: _Objects) -> list:
    """The report of one document and the relationships and notes taken from it."""
    d = b.doc
    when = _utc(d.ingested_at)
    ents = selection.entities(b.entity_ids())
    refs: list[str] = []
    out: list = []
    common = {"created": when, "modified": when, "created_by_ref": TOOL_ID}
    report = stix_id("report", d.key)  # notes point to it as well as to what they are about

    def ref(eid: int) -> str:
        sid = shared.entity(ents[eid], when)
        refs.append(sid)
        return sid

    for m in b.mentions:
        if m.entity_id in ents:
            ref(m.entity_id)

    for r in b.roles:
        if r.person_id not in ents:
            continue
        person = ref(r.person_id)
        ev_ref = doc_reference(d, r.evidence)
        said = f" (as of {r.date}, per {d.key})" if r.date else f" (per {d.key})"
        if r.of_id is not None and r.of_id in ents and r.of_id != r.person_id:
            body = ref(r.of_id)
            out.append(stix2.Relationship(
                id=stix_id("relationship", r.key), relationship_type="related-to", source_ref=person,
                target_ref=body, description=f"{ents[r.person_id].name}: {r.title} of {ents[r.of_id].name}{said}",
                labels=["role", f"title:{r.title}"], external_references=[ev_ref], **common))
        else:
            out.append(stix2.Note(
                id=stix_id("note", r.key), abstract=f"{ents[r.person_id].name}: {r.title}",
                content=f"{ents[r.person_id].name} is called {r.title}{said}: \"{_quote(r.evidence.text)}\"",
                object_refs=[person, report], labels=["role"], external_references=[ev_ref], **common))

    for ev in b.events:
        actors = [p.entity_id for p in ev.actors if p.entity_id in ents]
        recipients = [p.entity_id for p in ev.recipients if p.entity_id in ents]
        for eid in actors + recipients:
            ref(eid)
        pairs = [(x, y) for x in actors for y in recipients if x != y]
        if not recipients:
            ordered = list(dict.fromkeys(actors))
            pairs = [(x, y) for i, x in enumerate(ordered) for y in ordered[i + 1:]]
        labels = ["event", f"plover:{ev.type}", f"status:{ev.status}"] + ([f"mode:{ev.mode}"] if ev.mode else [])
        what = f"{_names(actors, ents)} {ev.type}" + (f" ({ev.mode})" if ev.mode else "") + \
               (f" {_names(recipients, ents)}" if recipients else "")
        what += (f", {ev.status}" if ev.status != "asserted" else "") + (f", {ev.when}" if ev.when else "")
        ev_ref = doc_reference(d, ev.evidence)
        for src, dst in dict.fromkeys(pairs):
            key = f"{ev.key}|{ents[src].key}|{ents[dst].key}"  # one relationship per pair of the event's parties
            out.append(stix2.Relationship(
                id=stix_id("relationship", key), relationship_type="related-to", source_ref=entity_id(ents[src]),
                target_ref=entity_id(ents[dst]), description=f"{what}: \"{_quote(ev.evidence.text)}\"",
                labels=labels, external_references=[ev_ref], **_event_times(ev), **common))
        if not pairs:
            out.append(stix2.Note(
                id=stix_id("note", ev.key), abstract=what, content=_quote(ev.evidence.text) or what,
                object_refs=[entity_id(ents[x]) for x in dict.fromkeys(actors + recipients)] + [report],
                labels=labels, external_references=[ev_ref], **common))

    for q in b.quotes:
        if q.speaker_id not in ents:
            continue
        speaker = ref(q.speaker_id)
        about = [ref(e) for e in q.about if e in ents]
        span = Span(q.start, q.end, q.text)
        kind = "quote" if q.direct else "reported speech"
        out.append(stix2.Note(
            id=stix_id("note", q.key), abstract=f"{ents[q.speaker_id].name} ({kind})", content=q.text,
            authors=[ents[q.speaker_id].name], object_refs=list(dict.fromkeys([speaker, *about, report])),
            labels=["quote" if q.direct else "reported-speech"], external_references=[doc_reference(d, span, kind)],
            **common))

    for n in b.narratives:
        pattern = stix_id("attack-pattern", f"narrative:{n.narrative_id}")
        shared.narratives.add(n.narrative_id)
        refs.append(pattern)
        info = narrative(n.narrative_id)
        evidence = [doc_reference(d, s) for s in n.evidence if s.text] or [doc_reference(d)]
        out.append(stix2.Note(
            id=stix_id("note", n.key), abstract=f"Advances the narrative \"{info.name}\" (score {n.score:.2f})",
            content="\n".join(f"\"{_quote(s.text)}\"" for s in n.evidence if s.text) or info.name,
            object_refs=[pattern, report], labels=["narrative", f"narrative:{n.narrative_id}"],
            external_references=evidence, **common))

    for s in b.signals:
        out.append(stix2.Note(
            id=stix_id("note", s.key), abstract=f"Signal: {s.kind}", content=s.detail,
            object_refs=[report], labels=["signal", f"signal:{s.kind}"],
            external_references=[doc_reference(d, s.evidence if s.evidence.text else None)], **common))

    refs.extend(o.id for o in out)
    published = date_interval(d.published)
    out.append(stix2.Report(
        id=report, name=d.title or d.key, created=when, modified=when, created_by_ref=TOOL_ID,
        published=dt.datetime.combine(published[0], dt.time(), dt.timezone.utc) if published else when,
        description=" · ".join(x for x in (d.outlet, d.published, ", ".join(d.authors)) if x) or None,
        lang=d.language or None, labels=[f"narrative:{n.narrative_id}" for n in b.narratives] or None,
        object_refs=list(dict.fromkeys(refs)) or [TOOL_ID], external_references=[doc_reference(d)]))
    return out


def write(selection: Selection, out: OutTarget, **_) -> dict[str, int]:
    digest = hashlib.sha256(json.dumps([selection.filters.as_dict(), selection.doc_keys()], default=str)
                            .encode("utf-8")).hexdigest()
    bundle_id = f"bundle--{uuid.uuid5(NAMESPACE, 'bundle:' + digest)}"
    counts: dict[str, int] = {}
    shared = _Objects()

    with text_output(out) as fh:
        first = True

        def emit(obj) -> None:
            nonlocal first
            fh.write(("" if first else ",\n") + obj.serialize(ensure_ascii=False))
            first = False
            counts[obj.type] = counts.get(obj.type, 0) + 1

        fh.write(json.dumps({"type": "bundle", "id": bundle_id})[:-1] + ', "objects": [\n')
        emit(stix2.Identity(id=TOOL_ID, created=EPOCH, modified=EPOCH, name="newsgraph", identity_class="system",
                            description="newsgraph: source-linked knowledge graph of news articles"))
        for b in selection.bundles():
            for obj in document_objects(b, selection, shared):
                emit(obj)
        for _eid, (ent, created, modified) in sorted(shared.entities.items()):
            emit(entity_object(ent, created, modified))
        for nid in sorted(shared.narratives):
            emit(narrative_object(nid))
        fh.write("\n]}\n")
    return counts
