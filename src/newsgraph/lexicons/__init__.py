"""Lexicons: the rules and word lists extraction reads, kept as YAML data."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LEXICON_DIR = Path(__file__).parent


@lru_cache(maxsize=None)
def load_lexicon(name: str) -> Any:
    """The parsed contents of ``lexicons/<name>.yaml``."""
    path = LEXICON_DIR / f"{name}.yaml"
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=None)
def line_patterns(name: str, group: str) -> re.Pattern[str]:
    """One compiled whole-line, case-insensitive pattern for a lexicon group."""
    rules = load_lexicon(name)[group]
    return re.compile("|".join(f"(?:{r})" for r in rules), re.IGNORECASE)
