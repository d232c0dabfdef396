"""Files of the small numpy models trained for this project (event types, narratives).

A model is two files under ``newsgraph/data/models/`` (or another directory):
``<name>.npz`` with the arrays and ``<name>.json`` with the metadata, which
records the sha256 of the ``.npz`` and the embedding model it was trained on.
The trainers write both with :func:`write_model_files`; the classifiers read
them with :func:`load_model_files`, which refuses files that do not match.
Both trainers cross-validate over the same kind of folds (:func:`stratified_folds`).
"""
from __future__ import annotations

import hashlib
import importlib.resources
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

#: Fixed zip member timestamp, so that equal arrays give equal bytes.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class ModelFileError(RuntimeError):
    """Model files are missing, do not match their recorded hashes, or were trained otherwise."""


def data_path(*parts: str) -> Path:
    """A file shipped under ``newsgraph/data/`` (models/, training/, narratives.yaml)."""
    return Path(str(importlib.resources.files("newsgraph").joinpath("data", *parts)))


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_model_files(weights_path: Path, meta_path: Path, *, what: str, trainer: str,
                     embedding_model: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The metadata and the arrays of a model, after checking that both files exist,
    that the weights are the ones whose sha256 the metadata records, and that the
    model was trained on ``embedding_model`` embeddings.

    ``what`` names the model in errors; ``trainer`` is the script that rebuilds it.
    The arrays are read from the bytes that were hashed."""
    if not weights_path.is_file() or not meta_path.is_file():
        raise ModelFileError(f"{what} files missing ({weights_path}, {meta_path.name}): run {trainer}")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    raw = weights_path.read_bytes()
    if sha256_bytes(raw) != meta.get("weights_sha256"):
        raise ModelFileError(f"{weights_path} does not match the sha256 recorded in {meta_path.name}")
    if meta.get("embedding_model") != embedding_model:
        raise ModelFileError(
            f"{what} was trained on {meta.get('embedding_model')!r} embeddings, not {embedding_model!r}")
    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    return meta, arrays


def stratified_folds(strata: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Fold number (0..k-1) of each item: each stratum is shuffled with ``seed`` and dealt
    round-robin, so every fold gets its share of every stratum, the same on every run."""
    rng = np.random.RandomState(seed)
    fold = np.empty(len(strata), dtype=np.int64)
    for c in np.unique(strata):
        idx = np.flatnonzero(strata == c)
        rng.shuffle(idx)
        fold[idx] = np.arange(len(idx)) % k
    return fold


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An .npz (readable by np.load) with fixed zip timestamps, so equal arrays give equal bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, arr in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(arr), allow_pickle=False)
            zf.writestr(info, member.getvalue())
    return buf.getvalue()


def write_model_files(directory: Path, name: str, arrays: dict[str, np.ndarray],
                      meta: dict[str, Any]) -> dict[str, Any]:
    """Write ``<name>.npz`` and ``<name>.json`` into ``directory``.

    The metadata written is ``meta`` followed by ``weights_file`` and
    ``weights_sha256``; it is returned."""
    directory.mkdir(parents=True, exist_ok=True)
    weights = npz_bytes(arrays)
    (directory / f"{name}.npz").write_bytes(weights)
    meta = {**meta, "weights_file": f"{name}.npz", "weights_sha256": sha256_bytes(weights)}
    (directory / f"{name}.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta
