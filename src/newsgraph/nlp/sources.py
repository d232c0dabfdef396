"""Cited sources: the agencies, outlets and official channels a text names as its source."""
from __future__ import annotations

import re
from functools import lru_cache

from newsgraph.kb import KnowledgeBase
from newsgraph.lexicons import load_lexicon
from newsgraph.record import Entity


@lru_cache(maxsize=1)
def _cues() -> tuple[list[re.Pattern[str]], set[str], re.Pattern[str]]:
    lex = load_lexicon("sources")
    return [re.compile(c) for c in lex["cues"]], set(lex["cited_kinds"]), re.compile(lex["outlet_words"])


def cited_sources(text: str, entities: list[Entity], kb: KnowledgeBase) -> list[str]:
    """Canonical names of the sources ``text`` cites, in order of first citation."""
    cues, kinds, outlet_words = _cues()
    mentions = sorted(
        ((m.start, m.end, e) for e in entities if e.type in ("ORG", "OTHER") for m in e.mentions),
        key=lambda t: t[0],
    )
    found: list[tuple[int, str]] = []
    for cue in cues:
        for m in cue.finditer(text):
            s, e = m.span("src")
            for start, end, entity in mentions:
                if start < s or start >= e:  # the name may run past the cue ("RIA news agency reported")
                    continue
                if _is_source(entity, kb, kinds, outlet_words):
                    found.append((start, entity.name))
                break  # only the first entity of the cited phrase is the source
    out: list[str] = []
    for _, name in sorted(found):
        if name not in out:
            out.append(name)
    return out


def _is_source(entity: Entity, kb: KnowledgeBase, kinds: set[str], outlet_words: re.Pattern[str]) -> bool:
    if entity.kind in kinds:
        return True
    if entity.id is None:
        return bool(outlet_words.search(entity.name))
    return False
