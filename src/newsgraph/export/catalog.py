"""Names, descriptions and DISARM techniques of the narratives, for the exports.

Read with :mod:`newsgraph.narrative_list` (``data/narratives.yaml`` merged
with ``$NEWSGRAPH_NARRATIVES``), which does not import the NLP stack: an export
should not load spaCy.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache

from newsgraph.narrative_list import ENV_NARRATIVES, load_narratives

DISARM_URL = "https://github.com/DISARMFoundation/DISARMframeworks/blob/main/generated_pages/techniques/{id}.md"


@dataclass(frozen=True)
class NarrativeInfo:
    id: str
    name: str
    description: str = ""
    disarm: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (technique id, name)


def _disarm(values) -> tuple[tuple[str, str], ...]:
    out = []
    for v in values or []:
        if isinstance(v, dict) and v.get("id"):
            out.append((str(v["id"]), str(v.get("name") or v["id"])))
        elif isinstance(v, str):
            out.append((v, v))
    return tuple(out)


@lru_cache(maxsize=4)
def _cached(extra: str | None) -> dict[str, NarrativeInfo]:
    # not strict: the extractor reports a broken narratives file; an export still runs
    return {n.id: NarrativeInfo(id=n.id, name=n.name, description=n.description, disarm=_disarm(n.disarm))
            for n in load_narratives(extra, use_env=False, strict=False)}


def narrative_catalog() -> dict[str, NarrativeInfo]:
    """Narratives by id: the built-in ones merged with ``$NEWSGRAPH_NARRATIVES``."""
    return _cached(os.environ.get(ENV_NARRATIVES) or None)


def narrative(nid: str) -> NarrativeInfo:
    """A narrative's description (an id the catalog does not know is its own name)."""
    return narrative_catalog().get(nid) or NarrativeInfo(id=nid, name=nid)
