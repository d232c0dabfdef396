"""Name keys for deciding that two spellings name the same thing."""
from __future__ import annotations

import re
from functools import lru_cache

from newsgraph.kb import name_key

# Common romanization variants of the same Cyrillic/Arabic/French-African
# names: Sergey/Sergei, Shoygu/Shoigu, Yevgeny/Evgeny, Mikhail/Mihail.
_TRANSLIT_RULES = [
    (re.compile(r"^ye"), "e"),
    (re.compile(r"(?<=[aeiou])y(?=[aeiou]|\b)"), "i"),
    (re.compile(r"iy\b|yi\b|ii\b"), "i"),
    (re.compile(r"y"), "i"),
    (re.compile(r"kh"), "h"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"w"), "v"),
    (re.compile(r"ck"), "k"),
    (re.compile(r"ou"), "u"),
    (re.compile(r"([a-z])\1"), r"\1"),
]
PATRONYMIC = re.compile(r"^[A-Z][a-z]+(?:ovich|evich|yevich|ich|ovna|evna|ichna)$")


@lru_cache(maxsize=65536)
def translit_key(name: str) -> str:
    """``name_key`` with romanization variants folded: Sergey Shoygu == Sergei Shoigu."""
    words = []
    for word in name_key(name).split():
        for pattern, repl in _TRANSLIT_RULES:
            word = pattern.sub(repl, word)
        words.append(word)
    return " ".join(words)


def acronym_of(words: list[str]) -> str:
    """Initials of the significant words: 'Alliance of Sahel States' -> 'ASS'."""
    return "".join(w[0] for w in words if w[:1].isupper())
