"""The packaged sentence-embedding model: pinned files, shape, determinism, semantics."""
import hashlib

import numpy as np
import pytest

from newsgraph.nlp import embeddings
from newsgraph.nlp.embeddings import DIM, Embedder, EmbeddingModelError


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder.get()


def _sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_packaged_files_match_pinned_hashes():
    assert _sha256(embeddings.model_path()) == embeddings.MODEL_SHA256
    assert _sha256(embeddings.tokenizer_path()) == embeddings.TOKENIZER_SHA256
    # found in the installed packages, not in the repository
    assert embeddings.model_path().parent.name == embeddings.MODEL_PACKAGE
    assert embeddings.tokenizer_path().parent.parent.name == embeddings.TOKENIZER_PACKAGE


def test_hash_mismatch_is_refused():
    with pytest.raises(EmbeddingModelError):
        embeddings.verified_file(embeddings.MODEL_PACKAGE, embeddings.MODEL_FILE, "0" * 64)


def test_missing_package_is_reported():
    with pytest.raises(EmbeddingModelError, match="not installed"):
        embeddings.verified_file("newsgraph_no_such_model_package", "model.onnx", "0" * 64)


def test_singleton_loads_once(embedder):
    assert Embedder.get() is embedder
    assert embedder.session.get_session_options().intra_op_num_threads == 1


def test_shape_dtype_and_unit_norm(embedder):
    vecs = embedder.embed(["Russia delivered helicopters to Mali.", "Bonjour.", "x " * 400])
    assert vecs.shape == (3, DIM)
    assert vecs.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)


def test_empty_input(embedder):
    out = embedder.embed([])
    assert out.shape == (0, DIM)
    assert out.dtype == np.float32


def test_deterministic_and_independent_of_batching(embedder):
    texts = [
        "The junta expelled the French ambassador.",
        "Wagner fighters were seen near the gold mine in Intahaka on Tuesday morning.",
        "Rain.",
        "Russian instructors trained the presidential guard in Bangui for several months last year.",
    ]
    a = embedder.embed(texts)
    b = embedder.embed(texts)
    assert np.array_equal(a, b)
    # alone, in another order, or in another batch size: the same vector (padding is masked)
    single = np.vstack([embedder.embed([t]) for t in texts])
    np.testing.assert_allclose(a, single, atol=1e-4)
    reordered = embedder.embed(texts[::-1], batch_size=3)[::-1]
    np.testing.assert_allclose(a, reordered, atol=1e-4)


def test_similar_sentences_are_closer_than_unrelated(embedder):
    a, b, c, d = embedder.embed([
        "Russia delivered attack helicopters to the Malian army.",
        "Moscow supplied combat helicopters to Mali's armed forces.",
        "The football match in Dakar ended in a goalless draw.",
        "Inflation in Ghana slowed in the second quarter.",
    ])
    assert float(a @ b) > 0.7
    assert float(a @ b) > float(a @ c) + 0.3
    assert float(a @ b) > float(a @ d) + 0.3


def test_long_text_is_truncated_not_rejected(embedder):
    long_text = "The delegation discussed security cooperation. " * 200
    assert embedder.embed([long_text]).shape == (1, DIM)


def test_cached_vectors_equal_fresh_ones():
    from newsgraph.nlp.embeddings import Embedder

    e = Embedder.get()
    texts = ["Russia delivered helicopters to Mali.", "A brand new sentence for the cache test, number 7731."]
    first = e.embed(texts)
    again = e.embed(list(reversed(texts)))
    assert (first[::-1] == again).all()
    mixed = e.embed(["Another unseen sentence 99120.", texts[0]])
    assert (mixed[1] == first[0]).all() and mixed.shape == (2, 384)
