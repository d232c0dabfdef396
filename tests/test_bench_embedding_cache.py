"""The embedding cache that keeps the hot path from running the model twice on one input."""
from __future__ import annotations

import numpy as np

from newsgraph.nlp import embeddings
from newsgraph.nlp.embeddings import Embedder


def test_same_token_sequence_runs_the_model_once():
    emb = Embedder.get()
    embeddings.forget_recent()
    texts = ["Russia delivered helicopters to Mali.", "Russia delivered  helicopters\nto Mali.\n\n",
             "Russia delivered helicopters to Mali.", "Mali expelled the French ambassador."]
    before = dict(emb.counters)
    vecs = emb.embed(texts)
    assert emb.counters["requested"] - before["requested"] == 4
    assert emb.counters["computed"] - before["computed"] == 2  # whitespace is not model input
    assert np.array_equal(vecs[0], vecs[1]) and np.array_equal(vecs[0], vecs[2])
    # the cached vectors are those the model gives without the cache
    np.testing.assert_allclose(vecs, emb._embed(texts, 8), atol=1e-5)
    # asked again within the document: nothing is computed
    again = emb.embed(texts[::-1])
    assert emb.counters["computed"] - before["computed"] == 2
    assert np.array_equal(again[::-1], vecs)


def test_forget_recent_drops_the_cache_between_documents():
    emb = Embedder.get()
    emb.embed(["Niger left ECOWAS in January."])
    embeddings.forget_recent()
    before = emb.counters["computed"]
    emb.embed(["Niger left ECOWAS in January."])
    assert emb.counters["computed"] == before + 1


def test_pipeline_embeds_each_sentence_of_a_document_once(extractor):
    """Events and narratives ask for many of the same sentences; each runs through the model once."""
    from newsgraph.bench.corpus import generate_articles

    emb = Embedder.get()
    doc = generate_articles(1, seed=11)[0]
    before = dict(emb.counters)
    extractor.extract(doc)
    requested = emb.counters["requested"] - before["requested"]
    computed = emb.counters["computed"] - before["computed"]
    assert 0 < computed < requested
    sentences = sum(1 for p in doc.body.split("\n\n") for _ in p.split(". "))
    assert computed <= sentences + 2
