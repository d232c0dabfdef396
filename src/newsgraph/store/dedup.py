"""Near-duplicate detection: MinHash (datasketch) over word shingles, LSH bands kept in the database.

A syndicated story copied by ten sites is one story: the store links the copies
(``near_duplicates``) and gives them one ``story_id``, so that counts of
independent sources count it once. Candidates come from LSH band keys stored
per document (``lsh_bands``), so detection works across processes and runs;
each candidate is then confirmed by the MinHash estimate of Jaccard similarity.
"""
from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

NUM_PERM = 120
BANDS = 24
ROWS = NUM_PERM // BANDS  # 5 rows a band: candidates from Jaccard ~0.5 up
SHINGLE = 3  # words
MIN_SHINGLES = 8  # shorter texts are matched only when identical
SEED = 1
DEFAULT_THRESHOLD = 0.7

_WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, k: int = SHINGLE) -> set[bytes]:
    """The word k-shingles of a text (case-folded), as bytes: for inspection and tests."""
    words = _WORD.findall(text.casefold())
    if len(words) < k:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i:i + k]).encode("utf-8") for i in range(len(words) - k + 1)}


class _WordHashes(dict):
    """CRC-32 of words, memoized (news vocabularies repeat); cleared when it grows large."""

    def __missing__(self, word: str) -> int:
        if len(self) > 500_000:
            self.clear()
        value = self[word] = zlib.crc32(word.encode("utf-8"))
        return value


_WORD_HASHES = _WordHashes()


def shingle_hashes(text: str, k: int = SHINGLE) -> np.ndarray:
    """32-bit hashes of the word k-shingles (repeats included): CRC-32 of each word, combined position-wise.

    Stable across processes and platforms; the same set of shingles always gives
    the same hashes."""
    words = _WORD.findall(text.casefold())
    if not words:
        return np.zeros(0, dtype=np.uint64)
    table = _WORD_HASHES
    h = np.fromiter(map(table.__getitem__, words), dtype=np.uint64, count=len(words))
    if len(words) < k:
        return np.unique(h)
    n = len(words) - k + 1
    acc = np.zeros(n, dtype=np.uint64)
    for i in range(k):  # polynomial combination, mod 2**32
        acc = (acc * np.uint64(0x01000193) + h[i:i + n]) & np.uint64(0xFFFFFFFF)
    return acc  # repeats do not change a minimum: no need to make them unique


SCHEME = "affine32"  # datasketch >= 2.0; values are uint32


@lru_cache(maxsize=1)
def _template():
    """The MinHash whose permutations every signature uses, and datasketch's hash finalizer.

    Imported when first needed: datasketch brings SciPy, seconds to import, which
    commands that only read the store need not pay."""
    from datasketch import MinHash
    from datasketch.minhash import _fmix

    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=int), _fmix  # inputs are already hashed


@dataclass(frozen=True)
class Signature:
    values: np.ndarray  # uint32, NUM_PERM values

    def to_bytes(self) -> bytes:
        return self.values.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Signature":
        return cls(np.frombuffer(data, dtype="<u4"))

    def jaccard(self, other: "Signature") -> float:
        return float(np.count_nonzero(self.values == other.values)) / len(self.values)

    def band_keys(self) -> list[int]:
        """One signed 64-bit key per LSH band: the band's rows and its number, mixed (FNV-style, mod 2**64)."""
        rows = self.values.astype(np.uint64).reshape(BANDS, ROWS)
        key = np.arange(1, BANDS + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        for i in range(ROWS):
            key = (key ^ rows[:, i]) * np.uint64(0x100000001B3)
        key ^= key >> np.uint64(29)
        return key.view(np.int64).tolist()


def signature(text: str) -> Signature | None:
    """The MinHash signature of a text, or ``None`` when it is too short to compare.

    Exactly ``datasketch.MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32")``
    updated with the shingle hashes (a test checks it), computed in one
    vectorized step with the template's permutations."""
    hashes = shingle_hashes(text)
    if len(hashes) < MIN_SHINGLES:
        return None
    template, fmix = _template()
    hv = fmix(hashes.astype(np.uint32), 32).reshape(-1, 1)
    a, b = template.permutations
    phv = hv * a + b  # uint32 arithmetic wraps mod 2**32, as in datasketch
    values = np.minimum(template.hashvalues, phv.min(axis=0))
    return Signature(values.astype(np.uint32))


def signature_via_datasketch(text: str) -> Signature | None:
    """The same signature through ``MinHash.update_batch`` (slower; for checks)."""
    hashes = shingle_hashes(text)
    if len(hashes) < MIN_SHINGLES:
        return None
    m = _template()[0].copy()
    m.update_batch(hashes.tolist())
    return Signature(m.hashvalues.astype(np.uint32))
