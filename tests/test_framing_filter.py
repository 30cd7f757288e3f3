"""The learned candidate filter: shipped as data, loadable, swappable, and trained reproducibly."""
from __future__ import annotations

import json

import pytest

from corpus_tools.errors import NotFittedError
from corpus_tools.framing import ContrastExtractor
from corpus_tools.framing.frame_filter import FrameFilter, builtin_filter_path, frame_features


def test_builtin_model_is_plain_data():
    data = json.loads(builtin_filter_path().read_text(encoding="utf-8"))
    assert {"threshold", "intercept", "coefficients"} <= set(data)
    assert all(isinstance(v, float) for v in data["coefficients"].values())
    model = FrameFilter().fit()
    assert model.threshold_ == data["threshold"]
    assert 0.0 < model.probability({}) < 1.0


def test_unfitted_filter_says_so():
    with pytest.raises(NotFittedError):
        FrameFilter().probability({})


def test_filter_keeps_a_subset_and_threshold_one_drops_all(nlp):
    doc = nlp("Retail is no longer a platform, but an infrastructure.")
    plain = ContrastExtractor().fit(nlp).extract(doc)
    assert plain
    kept = ContrastExtractor(frame_filter=True).fit(nlp).extract(nlp(doc.text))
    assert len(kept) <= len(plain) and all("filter_score" in f.extra for f in kept)
    none = ContrastExtractor(frame_filter=FrameFilter(threshold=1.0)).fit(nlp).extract(nlp(doc.text))
    assert none == []
    features = frame_features(doc, plain[0])
    assert f"family={plain[0].family}" in features


def test_training_is_seeded_and_round_trips(tmp_path):
    X = [{"a": 1.0}, {"b": 1.0}, {"a": 1.0, "c": 1.0}, {"b": 1.0, "c": 1.0}] * 3
    y = [1, 0, 1, 0] * 3
    one, two = FrameFilter(seed=0).fit(X, y), FrameFilter(seed=0).fit(X, y)
    assert one.coefficients_ == two.coefficients_
    assert one.probability({"a": 1.0}) > 0.5 > one.probability({"b": 1.0})
    path = one.save(tmp_path / "m.json")
    loaded = FrameFilter(path).fit()
    assert loaded.probability({"a": 1.0}) == pytest.approx(one.probability({"a": 1.0}))
