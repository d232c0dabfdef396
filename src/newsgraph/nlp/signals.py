"""Credibility signals: facts about a document that bear on how far to trust it.

- ``state_media_source``: it cites or reproduces a state-controlled outlet (KB media entries).
- ``front_organization``: it is authored or signed by, or relays, an organization the KB
  marks as a front, with the KB's source for that mark.
- ``kb_conflict``: a statement the KB contradicts: an office holder or title the KB's
  dated offices refute for the document's date, a place name that is no place.
- ``unknown_entity``: a named system, organization or person that neither the KB nor
  the document explains.

Each signal has a readable ``detail`` and the span that carries it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from newsgraph.dates import to_date
from newsgraph.kb import KBEntry, KnowledgeBase, name_key, office_key
from newsgraph.record import Entity, Role, Signal
from newsgraph.record import Span as Evidence

RANKS = {"general", "colonel", "captain", "major", "lieutenant", "commander", "marshal", "admiral", "brigadier",
         "sergeant", "corporal"}
_STATE_MEDIA_PHRASE = re.compile(r"(?i)\b(?:russian |chinese |iranian )?state(?:-run| media| television| TV| news agency| broadcaster)\b[^.]{0,40}\b(?:reported|said|quoted|cited|according)")


@dataclass
class SignalContext:
    text: str
    entities: list[Entity]
    authors: list[str]
    outlet: str | None
    cited_sources: list[str]
    published: str | None
    roles: list[Role]
    speakers: set[str]
    lead_end: int  # end of the headline and first paragraph: where a document says whose it is


def _evidence(text: str, start: int, end: int) -> Evidence:
    return Evidence(start=start, end=end, text=text[start:end])


def _first_mention(entity: Entity) -> tuple[int, int] | None:
    return (entity.mentions[0].start, entity.mentions[0].end) if entity.mentions else None


class SignalDetector:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb

    def _entry(self, entity: Entity) -> KBEntry | None:
        return self.kb.get(entity.id) if entity.id else None

    def detect(self, ctx: SignalContext) -> list[Signal]:
        return [
            *self.state_media(ctx),
            *self.fronts(ctx),
            *self.office_conflicts(ctx),
            *self.misnamed_places(ctx),
            *self.unknown_entities(ctx),
        ]

    # -- state media --------------------------------------------------------
    def state_media(self, ctx: SignalContext) -> list[Signal]:
        out = []
        credited = set(ctx.cited_sources) | ({ctx.outlet} if ctx.outlet else set())
        for entity in ctx.entities:
            entry = self._entry(entity)
            if entity.name not in credited or entry is None or not entry.state_controlled:
                continue
            span = _first_mention(entity)
            if span is None:
                continue
            owner = self.kb.state_by_country(entry.country) if entry.country else None
            how = "reproduces" if entity.name == ctx.outlet else "cites"
            out.append(Signal(
                kind="state_media_source",
                detail=f"The document {how} {entity.name}, an outlet the knowledge base marks as "
                       f"state-controlled{f' ({owner.name})' if owner else ''}. KB source: {entry.source}",
                evidence=_evidence(ctx.text, *span),
            ))
        if not out:
            m = _STATE_MEDIA_PHRASE.search(ctx.text)
            if m:
                out.append(Signal(kind="state_media_source",
                                  detail="The document attributes its information to unnamed state media.",
                                  evidence=_evidence(ctx.text, m.start(), m.end())))
        return out

    # -- fronts ----------------------------------------------------------------
    def fronts(self, ctx: SignalContext) -> list[Signal]:
        """A front speaks in the document: it or its office holder signs it, is quoted,
        or is introduced in its opening as the voice of the piece."""
        out = []
        voices = {name_key(a) for a in ctx.authors} | {name_key(s) for s in ctx.speakers}
        for entity in ctx.entities:
            entry = self._entry(entity)
            if entry is None or not entry.front_of:
                continue
            people = [e for e in ctx.entities if e.type == "PERSON" and self._holds_office_in(e, entry, ctx)]
            speaking = [p for p in people if name_key(p.name) in voices]
            in_lead = any(m.start < ctx.lead_end for m in entity.mentions)
            if not (speaking or name_key(entity.name) in voices or in_lead):
                continue
            who = speaking[0].name if speaking else None
            span = _first_mention(speaking[0] if speaking else entity)
            front = self.kb.resolve(entry.front_of)
            detail = (f"{'Authored or relayed by ' + who + ' of ' if who else 'Relays '}{entity.name}, which the "
                      f"knowledge base marks as a front of {front.name if front else entry.front_of}. "
                      f"KB source: {entry.front_source}")
            out.append(Signal(kind="front_organization", detail=detail, evidence=_evidence(ctx.text, *span)))
        return out

    def _holds_office_in(self, person: Entity, org: KBEntry, ctx: SignalContext) -> bool:
        entry = self._entry(person)
        if entry is not None and any(self.kb.resolve(o.of) is org for o in entry.offices):
            return True
        org_keys = {name_key(f) for f in org.surface_forms}
        return any(r.person == person.name and r.of and name_key(r.of) in org_keys for r in ctx.roles)

    # -- KB conflicts -----------------------------------------------------------
    def office_conflicts(self, ctx: SignalContext) -> list[Signal]:
        """A role the KB's dated offices refute for the document's date: the holder of
        that office was someone else, or this person held another office."""
        day = to_date(ctx.published) if ctx.published and len(ctx.published) == 10 else None
        out = []
        for role in ctx.roles:
            if role.evidence is None:
                continue
            rank = self._rank_conflict(role, ctx)
            if rank:
                out.append(Signal(kind="kb_conflict", detail=rank, evidence=role.evidence))
                continue
            if not role.of:
                continue
            holders = self.kb.office_holders(role.title, role.of, day)
            if not holders:
                namesake = self._namesake_in_office(role, day)
                if namesake:
                    out.append(Signal(kind="kb_conflict", detail=namesake, evidence=role.evidence))
                continue
            names = {h.name for h, _ in holders}
            person = next((e for e in ctx.entities if e.name == role.person), None)
            if role.person in names or person is None:
                continue
            surname = role.person.split()[-1]
            same_surname = [h for h, _ in holders if h.name.split()[-1] == surname]
            when = f" on {ctx.published}" if day else ""
            namesake = self._namesake_in_office(role, day)
            if same_surname:
                detail = (f"Names {role.person} as {role.title} of {role.of}; the knowledge base has "
                          f"{same_surname[0].name} in that office{when}.")
            elif namesake:
                detail = namesake
            elif day is not None:
                detail = (f"Names {role.person} as {role.title} of {role.of}; the knowledge base has "
                          f"{', '.join(sorted(names))} in that office{when}.")
            else:
                continue
            out.append(Signal(kind="kb_conflict", detail=detail, evidence=role.evidence))
        return out

    def _rank_conflict(self, role: Role, ctx: SignalContext) -> str | None:
        """'his pay as an army general' for a captain: a rank the KB contradicts."""
        words = set(name_key(role.title).split())
        stated = words & RANKS
        person = next((e for e in ctx.entities if e.name == role.person), None)
        entry = self._entry(person) if person else None
        if not stated or entry is None or not entry.rank:
            return None
        held = set(name_key(entry.rank).split()) & RANKS
        if held and not (held & stated):
            return (f"Gives {role.person} the rank of {role.title}; the knowledge base has the rank "
                    f"{entry.rank}. KB source: {entry.source}")
        return None

    def _namesake_in_office(self, role: Role, day) -> str | None:
        """'Deputy Minister of Defense Nikolai Belousov' when the KB's Belousov is Andrei,
        the minister: a person the KB does not know, named like one who holds a
        related office of the same state."""
        if self.kb.lookup(role.person):
            return None
        surname = role.person.split()[-1]
        portfolio = set(office_key(role.title).split()) - {"deputy", "first", "vice", "acting", "minister", "secretary"}
        of_entry = self.kb.resolve(role.of) if role.of else None
        for entry in self.kb:
            if entry.type != "PERSON" or name_key(entry.name.split()[-1]) != name_key(surname):
                continue
            for office in entry.offices:
                target = self.kb.resolve(office.of)
                if (target is of_entry and portfolio & set(office_key(office.title).split())
                        and (day is None or office.holds_on(day))):
                    return (f"Names {role.person} as {role.title} of {role.of}; the knowledge base knows "
                            f"{entry.name} as {office.title} of {office.of} and no {role.person}. "
                            f"KB source: {office.source}")
        return None

    def misnamed_places(self, ctx: SignalContext) -> list[Signal]:
        """A state called by a name no KB entry has ("Central Asian Republic" for the
        Central African Republic): linked by spelling, but not a real name."""
        out = []
        for entity in ctx.entities:
            entry = self._entry(entity)
            if entry is None or entry.kind != "state":
                continue
            for mention in entity.mentions:
                form = mention.text
                if len(form.split()) < 2 or self.kb.lookup(form):
                    continue
                out.append(Signal(
                    kind="kb_conflict",
                    detail=f"Uses '{form}' for {entity.name}; no state of that name is known.",
                    evidence=_evidence(ctx.text, mention.start, mention.end),
                ))
                break
        return out

    # -- unknown entities ----------------------------------------------------------
    def unknown_entities(self, ctx: SignalContext) -> list[Signal]:
        out = []
        for entity in ctx.entities:
            if entity.id or entity.type != "OTHER" or entity.kind != "weapon":
                continue
            span = _first_mention(entity)
            if span is None:
                continue
            out.append(Signal(
                kind="unknown_entity",
                detail=f"'{entity.name}' is presented as a named system, but neither the knowledge base "
                       "nor the document identifies it.",
                evidence=_evidence(ctx.text, *span),
            ))
        return out
