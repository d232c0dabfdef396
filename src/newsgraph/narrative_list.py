"""The narrative list: ``data/narratives.yaml`` merged with a user file.

A user file (an argument, or ``$NEWSGRAPH_NARRATIVES``) has the same shape: a
list of ``{id, name, description, disarm, examples, negatives}``, or
``{narratives: [...]}``. An entry with a new id adds a narrative; one with a
known id replaces its name, description and DISARM techniques when it gives
them and adds its examples and negatives.

This module needs only YAML: the API and the exports read the names from here
without loading the classifiers (:mod:`newsgraph.nlp.narratives`).
"""
from __future__ import annotations

import importlib.resources
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ENV_NARRATIVES = "NEWSGRAPH_NARRATIVES"  # user narratives file (YAML)

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_LIST_FIELDS = ("disarm", "examples", "negatives")


@dataclass
class NarrativeDef:
    id: str
    name: str
    description: str = ""
    disarm: list[dict[str, str]] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    negatives: list[str] = field(default_factory=list)
    builtin: bool = True


def builtin_file() -> Path:
    """The narratives shipped with newsgraph."""
    return Path(str(importlib.resources.files("newsgraph").joinpath("data", "narratives.yaml")))


def _entries(data: Any, origin: str, strict: bool) -> list[dict]:
    """The entries of one file; when not ``strict``, malformed ones are passed over."""
    if isinstance(data, dict):
        data = data.get("narratives", None if strict else [])
    if not isinstance(data, list):
        if not strict:
            return []
        raise ValueError(f"{origin}: expected a list of narratives (id, name, description, examples)")
    out = []
    for item in data:
        if not isinstance(item, dict) or not item.get("id"):
            if not strict:
                continue
            raise ValueError(f"{origin}: every narrative needs an id: {item!r}")
        if strict:
            if not _ID_RE.match(str(item["id"])):
                raise ValueError(f"{origin}: narrative id {item['id']!r} must be lower_snake_case")
            for name in _LIST_FIELDS:
                if item.get(name) is not None and not isinstance(item[name], list):
                    raise ValueError(f"{origin}: {name} of narrative {item['id']!r} must be a list")
        out.append(item)
    return out


def _list(values: Any) -> list:
    return list(values) if isinstance(values, list) else []


def _strings(values: Any) -> list[str]:
    """Example passages, whitespace folded (an entry may be ``{text: ...}``)."""
    return [" ".join(str(v.get("text", "") if isinstance(v, dict) else v).split()) for v in _list(values)]


def _read(path: Path, strict: bool) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        if strict:
            raise
        return None


def _merge(result: dict[str, NarrativeDef], item: dict, builtin: bool) -> None:
    nid = str(item["id"])
    known = result.get(nid)
    if known is None:
        result[nid] = NarrativeDef(
            id=nid, name=str(item.get("name") or nid), description=str(item.get("description") or ""),
            disarm=_list(item.get("disarm")), examples=_strings(item.get("examples")),
            negatives=_strings(item.get("negatives")), builtin=builtin,
        )
        return
    known.name = str(item.get("name") or known.name)
    known.description = str(item.get("description") or known.description)
    if item.get("disarm"):
        known.disarm = _list(item["disarm"])
    known.examples += _strings(item.get("examples"))
    known.negatives += _strings(item.get("negatives"))


def load_narratives(extra: str | Path | None = None, *, use_env: bool = True,
                    strict: bool = True) -> list[NarrativeDef]:
    """Built-in narratives merged with a user file (``extra``, else $NEWSGRAPH_NARRATIVES when ``use_env``).

    ``strict`` (the extractor, the trainer): a file that cannot be read or an
    entry without a lower_snake_case id raises. Otherwise (the API, the
    exports, which only show names) what cannot be read is passed over."""
    if extra is None and use_env:
        extra = os.environ.get(ENV_NARRATIVES) or None
    files = [(builtin_file(), True)] + ([(Path(extra), False)] if extra is not None else [])
    result: dict[str, NarrativeDef] = {}
    for path, builtin in files:
        origin = "narratives.yaml" if builtin else str(path)
        for item in _entries(_read(path, strict), origin, strict):
            _merge(result, item, builtin)
    return list(result.values())
