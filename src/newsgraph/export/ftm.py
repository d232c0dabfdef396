"""FollowTheMoney entities as JSON lines (Aleph: ``alephclient write-entities``; ``ftm`` tools).

* an ``Article`` per document: title, ``publishedAt``, authors, publisher,
  ``sourceUrl``, language, the text as ``bodyText`` (so Aleph indexes it) and
  the names it mentions;
* entities: ``Person``; ``PublicBody`` for states, government bodies,
  militaries and IGOs; ``Company``; ``Organization``; ``Address`` for cities
  and regions; ``Event`` for named events (other things, such as weapons, stay
  as names on the Article);
* ``Mention`` (document -> resolved person or body, the names used) and
  ``Documentation`` (document -> place, event) link each document to what it
  names;
* roles: a ``Position`` (title of body) and an ``Occupancy`` (holder -> post)
  per statement of a role;
* events: an ``Event`` with ``organizer`` (actors) and ``involved``
  (recipients), its date as the text gives it, linked to its Article by a
  ``Documentation`` (role ``reports``);
* quotes, narrative evidence and credibility signals: ``Note`` entities.

Every fact carries ``proof`` (its Article), ``sourceUrl`` and, in
``summary``/``description``, the evidence text and its character offsets.
Ids are ``make_id`` hashes of keys that do not depend on the database, so
loading a later export into the same Aleph collection updates entities.
"""
from __future__ import annotations

import json

from followthemoney import model
from followthemoney.proxy import EntityProxy
from followthemoney.util import make_entity_id

from newsgraph.export.catalog import narrative
from newsgraph.export.mapping import FTM_TOPICS, ftm_schema
from newsgraph.export.output import OutTarget, text_output
from newsgraph.export.selection import Doc, Entity, Selection, Span

PREFIX = "newsgraph"
LEGAL = model.get("LegalEntity")
ORGANIZATION = model.get("Organization")


def _id(*parts: str) -> str:
    """The id ``EntityProxy.make_id(PREFIX, *parts)`` gives."""
    found = make_entity_id(PREFIX, *parts)
    assert found is not None
    return found


def article_id(d: Doc) -> str:
    return _id("article", d.key)


def entity_id(ent: Entity) -> str:
    return _id("entity", ent.key)


def _where(d: Doc, span: Span | None) -> str:
    if span is None or span.start is None:
        return f"newsgraph document {d.key}"
    return f"characters {span.start}-{span.end} of newsgraph document {d.key}"


def _fact(schema: str, key: str, d: Doc, span: Span | None) -> EntityProxy:
    """A fact's entity with its provenance: proof (the Article), source URL, publisher, evidence."""
    proxy = model.make_entity(schema)
    proxy.make_id(PREFIX, "fact", key)
    proxy.add("proof", article_id(d))
    proxy.add("sourceUrl", d.url)
    proxy.add("publisher", d.outlet)
    if span is not None and span.text:
        proxy.add("summary", span.text)
    return proxy


def entity_proxy(ent: Entity) -> EntityProxy | None:
    schema = ftm_schema(ent)
    if schema is None:
        return None
    proxy = model.make_entity(schema)
    proxy.id = entity_id(ent)
    proxy.add("name", ent.name)
    if schema == "Address":
        proxy.add("full", ent.name)
    proxy.add("alias", [a for a in ent.aliases if a != ent.name][:50])
    if ent.country:
        proxy.add("country", ent.country)
    if ent.kind:
        proxy.add("keywords", ent.kind)
        if ent.kind in FTM_TOPICS and proxy.schema.get("topics"):
            proxy.add("topics", FTM_TOPICS[ent.kind])
    proxy.add("notes", f"newsgraph entity {ent.key}" + (f" (KB {ent.kb_id})" if ent.kb_id else ""))
    return proxy


def _is(ent: Entity | None, parent) -> bool:
    """Whether ``ent`` becomes an entity of schema ``parent`` (or a descendant)."""
    name = ftm_schema(ent) if ent is not None else None
    schema = model.get(name) if name else None
    return schema is not None and schema.is_a(parent)


def write(selection: Selection, out: OutTarget, *, body_text: bool = True,
          **_) -> dict[str, int]:
    counts: dict[str, int] = {}
    written: set[str] = set()

    with text_output(out) as fh:
        def emit(proxy: EntityProxy | None) -> str | None:
            if proxy is None or proxy.id is None:
                return None
            if proxy.id not in written:
                written.add(proxy.id)
                fh.write(json.dumps(proxy.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
                counts[proxy.schema.name] = counts.get(proxy.schema.name, 0) + 1
            return proxy.id

        for b in selection.bundles(text=body_text):
            d = b.doc
            ents = selection.entities(b.entity_ids())
            refs: dict[int, str | None] = {eid: emit(entity_proxy(e)) for eid, e in ents.items()}

            art = model.make_entity("Article")
            art.id = article_id(d)
            art.add("title", d.title or d.key)
            art.add("publishedAt", d.published)
            art.add("author", d.authors)
            art.add("publisher", d.outlet)
            art.add("sourceUrl", d.url)
            art.add("language", d.language)
            art.add("bodyText", d.text)
            art.add("keywords", [n.narrative_id for n in b.narratives])
            art.add("notes", f"newsgraph document {d.key}" + (f" from {d.source}" if d.source else ""))
            for m in b.mentions:
                ent = ents.get(m.entity_id)
                if ent is None:
                    continue
                art.add("namesMentioned", m.names)
                if ent.type == "PERSON":
                    art.add("peopleMentioned", ent.name)
                elif ent.type == "ORG":
                    art.add("companiesMentioned", ent.name)
            emit(art)

            for m in b.mentions:
                ent = ents.get(m.entity_id)
                target = refs.get(m.entity_id)
                if ent is None or target is None:
                    continue
                if _is(ent, LEGAL):
                    men = model.make_entity("Mention")
                    men.make_id(PREFIX, "mention", d.key, ent.key)
                    men.add("document", art.id)
                    men.add("resolved", target)
                    men.add("name", m.names)
                    men.add("detectedSchema", ftm_schema(ent))
                    men.add("contextCountry", ent.country)
                else:
                    men = model.make_entity("Documentation")
                    men.make_id(PREFIX, "documentation", d.key, ent.key)
                    men.add("document", art.id)
                    men.add("entity", target)
                    men.add("role", "mentioned")
                    first = m.spans[0] if m.spans else None
                    men.add("summary", first.text if first else None)
                    men.add("description", _where(d, first))
                    men.add("sourceUrl", d.url)
                emit(men)

            for r in b.roles:
                person = ents.get(r.person_id)
                if person is None or ftm_schema(person) != "Person":
                    continue
                body = ents.get(r.of_id) if r.of_id is not None else None
                post = model.make_entity("Position")
                post.make_id(PREFIX, "position", r.title_key, body.key if body else "")
                post.add("name", f"{r.title} of {body.name}" if body else r.title)
                if body is not None and _is(body, ORGANIZATION):
                    post.add("organization", refs.get(body.id))
                if body is not None and body.country:
                    post.add("country", body.country)
                emit(post)
                occ = _fact("Occupancy", r.key, d, r.evidence)
                occ.add("holder", refs[r.person_id])
                occ.add("post", post.id)
                occ.add("date", r.date)
                occ.add("description", f"{person.name}, {r.title}" + (f" of {body.name}" if body else "")
                        + f"; {_where(d, r.evidence)}")
                occ.add("recordId", r.key)
                emit(occ)

            for ev in b.events:
                event = _fact("Event", ev.key, d, ev.evidence)
                actors = [ents[p.entity_id] for p in ev.actors if p.entity_id in ents]
                recipients = [ents[p.entity_id] for p in ev.recipients if p.entity_id in ents]
                name = f"{ev.type}" + (f" ({ev.mode})" if ev.mode else "") + ": " + \
                    ", ".join(a.name for a in actors) + (" → " + ", ".join(r.name for r in recipients)
                                                        if recipients else "")
                event.add("name", name)
                event.add("date", ev.date)  # as the text gives it; undated events carry no date
                event.add("location", ev.location)
                event.add("organizer", [refs[a.id] for a in actors if _is(a, LEGAL)])
                event.add("involved", [refs[r.id] for r in recipients if _is(r, LEGAL)])
                event.add("namesMentioned", [p.name for p in ev.actors + ev.recipients])
                event.add("keywords", [ev.type, ev.status] + ([ev.mode] if ev.mode else []))
                event.add("description", f"PLOVER {ev.type}, {ev.status}"
                          + (f", reported {d.published}" if ev.date is None and d.published else "")
                          + f"; {_where(d, ev.evidence)}")
                event.add("recordId", ev.key)
                emit(event)
                link = model.make_entity("Documentation")
                link.make_id(PREFIX, "documentation", ev.key)
                link.add("document", art.id)
                link.add("entity", event.id)
                link.add("role", "reports")
                link.add("summary", ev.evidence.text)
                link.add("description", _where(d, ev.evidence))
                link.add("sourceUrl", d.url)
                emit(link)

            for q in b.quotes:
                speaker = ents.get(q.speaker_id)
                if speaker is None or refs.get(q.speaker_id) is None:
                    continue
                span = Span(q.start, q.end, q.text)
                note = _fact("Note", q.key, d, None)
                note.add("entity", refs[q.speaker_id])
                note.add("description", q.text)
                note.add("summary", f"{speaker.name}: {'quote' if q.direct else 'reported speech'}")
                note.add("peopleMentioned", speaker.name)
                note.add("namesMentioned", [ents[e].name for e in q.about if e in ents])
                note.add("keywords", "quote" if q.direct else "reported speech")
                note.add("notes", _where(d, span))
                emit(note)

            for n in b.narratives:
                info = narrative(n.narrative_id)
                note = _fact("Note", n.key, d, None)
                note.add("entity", art.id)
                note.add("summary", f"Advances the narrative \"{info.name}\" (score {n.score:.2f})")
                note.add("description", "\n".join(s.text for s in n.evidence if s.text) or info.name)
                note.add("keywords", [n.narrative_id, *(t for t, _ in info.disarm)])
                note.add("notes", [_where(d, s) for s in n.evidence] or [_where(d, None)])
                emit(note)

            for s in b.signals:
                note = _fact("Note", s.key, d, None)
                note.add("entity", art.id)
                note.add("summary", f"Signal: {s.kind}")
                note.add("description", s.detail)
                note.add("keywords", ["signal", s.kind])
                note.add("notes", _where(d, s.evidence if s.evidence.text else None)
                         + (f": \"{s.evidence.text}\"" if s.evidence.text else ""))
                emit(note)
    return counts

