"""Names, descriptions and DISARM techniques of the narratives, for the exports.

Reads the same files as :func:`newsgraph.nlp.narratives.load_narratives`
(``data/narratives.yaml`` merged with ``$NEWSGRAPH_NARRATIVES``) without
importing the NLP stack: an export should not load spaCy.
"""
from __future__ import annotations

import importlib.resources
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

ENV_NARRATIVES = "NEWSGRAPH_NARRATIVES"
DISARM_URL = "https://github.com/DISARMFoundation/DISARMframeworks/blob/main/generated_pages/techniques/{id}.md"


@dataclass(frozen=True)
class NarrativeInfo:
    id: str
    name: str
    description: str = ""
    disarm: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (technique id, name)


def _items(data) -> list[dict]:
    if isinstance(data, dict) and "narratives" in data:
        data = data["narratives"]
    return [x for x in (data or []) if isinstance(x, dict) and x.get("id")]


def _disarm(values) -> tuple[tuple[str, str], ...]:
    out = []
    for v in values or []:
        if isinstance(v, dict) and v.get("id"):
            out.append((str(v["id"]), str(v.get("name") or v["id"])))
        elif isinstance(v, str):
            out.append((v, v))
    return tuple(out)


def _load(extra: str | None) -> dict[str, NarrativeInfo]:
    base = importlib.resources.files("newsgraph").joinpath("data", "narratives.yaml")
    found: dict[str, NarrativeInfo] = {}
    sources = [yaml.safe_load(base.read_text(encoding="utf-8"))]
    if extra:
        try:
            sources.append(yaml.safe_load(Path(extra).read_text(encoding="utf-8")))
        except (OSError, yaml.YAMLError):
            pass  # the extractor reports a broken narratives file; an export still runs
    for data in sources:
        for item in _items(data):
            nid = str(item["id"])
            known = found.get(nid)
            found[nid] = NarrativeInfo(
                id=nid,
                name=str(item.get("name") or (known.name if known else nid)),
                description=str(item.get("description") or (known.description if known else "")),
                disarm=_disarm(item.get("disarm")) or (known.disarm if known else ()),
            )
    return found


@lru_cache(maxsize=4)
def _cached(extra: str | None) -> dict[str, NarrativeInfo]:
    return _load(extra)


def narrative_catalog() -> dict[str, NarrativeInfo]:
    """Narratives by id: the built-in ones merged with ``$NEWSGRAPH_NARRATIVES``."""
    return _cached(os.environ.get(ENV_NARRATIVES) or None)


def narrative(nid: str) -> NarrativeInfo:
    """A narrative's description (an id the catalog does not know is its own name)."""
    return narrative_catalog().get(nid) or NarrativeInfo(id=nid, name=nid)
