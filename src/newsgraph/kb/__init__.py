"""Knowledge base: states, people with dated offices, bodies, armed groups, media.

``load_kb()`` reads the built-in YAML files and any user folders merged over
them (an entry with the same id replaces the built-in one).
"""
from __future__ import annotations

from newsgraph.kb.model import KBEntry, Office
from newsgraph.kb.store import KBError, KnowledgeBase, builtin_kb_dir, load_kb, name_key, office_key

__all__ = ["KBEntry", "KBError", "KnowledgeBase", "Office", "builtin_kb_dir", "load_kb", "name_key", "office_key"]
