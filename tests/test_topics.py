"""Themes on the starter corpus: the quality bar, tidy tables, determinism, guided, small/large n."""
from __future__ import annotations

import json
import math
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from corpus_tools.errors import NotFittedError, TopicModelError
from corpus_tools.load import Corpus
from corpus_tools.topics import (
    AdaptiveClusterer, AutoKMeans, TopicModel, build_units, diversity, find_topics, load_topic_model, make_label,
    npmi_scores,
)

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
VEC = {"ngram_range": (1, 2), "stop_words": "english", "token_pattern": r"(?u)\b\w[\w-]*\w\b"}


@pytest.fixture(scope="module")
def result(starter_corpus):
    """Themes of the starter corpus with the vanilla BERTopic baseline (fitted once)."""
    return find_topics(starter_corpus, unit="paragraph", seed=42, baseline=True)


# -- the quality bar -----------------------------------------------------------------------

def test_at_least_three_themes(result):
    assert result.metrics["n_topics"] >= 3
    assert (result.topics["topic"] >= 0).sum() >= 3


def test_outlier_share_at_most_15_percent(result):
    assert result.metrics["outlier_share"] <= 0.15
    assert result.metrics["outlier_share"] == pytest.approx((result.assignments["topic"] == -1).mean())


def test_npmi_at_least_vanilla_baselines(result):
    base = result.baseline_metrics
    assert base is not None and "error" not in base
    assert not math.isnan(base["npmi"]) and not math.isnan(result.metrics["npmi"])
    assert result.metrics["npmi"] >= base["npmi"]


def test_vanilla_baseline_fails_on_the_starter_corpus_as_reported(result):
    # The finding, measured here: vanilla BERTopic calls (nearly) everything an outlier.
    assert result.baseline_metrics["outlier_share"] > 0.5
    assert result.metrics["outlier_share"] < result.baseline_metrics["outlier_share"]


def test_no_theme_is_a_blob(result):
    assert result.metrics["largest_share"] < 0.8


def test_same_assignments_and_labels_in_a_separate_process(result, tmp_path):
    script = (
        "import json, sys\n"
        "import corpus_tools as ct\n"
        "r = ct.find_topics(ct.load_corpus(sys.argv[1]), seed=42)\n"
        "print(json.dumps({'a': r.assignments[['unit_id', 'topic']].values.tolist(),"
        " 't': r.topics[['topic', 'label', 'top_terms']].values.tolist()}))\n"
    )
    # A fresh cache: the other process computes its own embeddings.
    env = {**os.environ, "CORPUS_TOOLS_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run([sys.executable, "-c", script, str(REPO / "corpus")], capture_output=True, text=True,
                         env=env, cwd=REPO, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    other = json.loads(out.stdout.strip().splitlines()[-1])
    assert other["a"] == result.assignments[["unit_id", "topic"]].values.tolist()
    assert other["t"] == result.topics[["topic", "label", "top_terms"]].values.tolist()


# -- tables ----------------------------------------------------------------------------------

def test_assignments_are_tidy_and_cover_the_paragraphs(result, starter_corpus):
    a = result.assignments
    assert list(a.columns[:3]) == ["unit_id", "doc_id", "topic"]
    assert a["unit_id"].is_unique
    paras = starter_corpus.paragraphs
    assert set(a["unit_id"]) <= set(paras["para_id"])
    folded = {p for cell in a["folded"] for p in cell.split("; ") if p}
    covered = set(a["unit_id"]) | folded | set(result.dropped["unit_id"])
    assert covered == set(paras["para_id"])
    # Headings never stand alone: they are folded into the paragraph they introduce.
    headings = set(paras.loc[paras["is_heading"], "para_id"])
    assert headings and headings <= folded
    assert not a.map(lambda v: isinstance(v, (list, tuple, set))).any().any()


def test_topic_table_labels_and_terms(result):
    t = result.topics
    assert list(t.columns) == ["topic", "label", "size", "share", "top_terms"]
    assert t["size"].sum() == len(result.assignments)
    assert t["label"].is_unique
    for row in t.itertuples():
        terms = row.top_terms.split("; ")
        assert len(terms) >= 5
        assert not any(term in ENGLISH_STOP_WORDS for term in terms), terms
        for word in row.label.split(", "):
            assert not all(w in ENGLISH_STOP_WORDS for w in word.split())


def test_representatives_are_exact_quotes(result, starter_corpus):
    reps = result.representatives
    assert set(reps["topic"]) == set(result.topics.loc[result.topics["topic"] >= 0, "topic"])
    for row in reps.itertuples():
        assert starter_corpus.text(row.doc_id)[row.start:row.end] == row.text
        assert result.assignments.set_index("unit_id").loc[row.unit_id, "topic"] == row.topic
    # Rank 1 is the unit most similar to its theme's centroid.
    first = reps[reps["rank"] == 1].set_index("topic")["similarity"]
    assert (reps.groupby("topic")["similarity"].max() == first).all()


def test_doc_topics_share_per_essay(result, starter_corpus):
    d = result.doc_topics
    assert list(d.columns[:2]) == ["doc_id", "topic"]
    assert np.allclose(d.groupby("doc_id")["share"].sum(), 1.0, atol=1e-3)
    assert list(dict.fromkeys(d["doc_id"])) == starter_corpus.doc_ids


def test_prevalence_follows_the_essay_order(result, starter_corpus):
    p = result.prevalence
    firsts = list(dict.fromkeys(p["first_doc"]))
    assert firsts == starter_corpus.doc_ids  # five essays: one bin each, dated ones first
    dated = p.dropna(subset=["first_date"]).drop_duplicates("bin")
    assert list(dated["first_date"]) == sorted(dated["first_date"])
    assert np.allclose(p.groupby("bin")["share"].sum(), 1.0, atol=1e-3)


def test_similar_docs_are_ranked_distinct_pairs(result):
    s = result.similar_docs
    assert len(s) == 10  # all pairs of five essays
    assert (s["doc_id"] != s["other_doc_id"]).all()
    assert list(s["similarity"]) == sorted(s["similarity"], reverse=True)
    pairs = {frozenset(p) for p in zip(s["doc_id"], s["other_doc_id"])}
    assert len(pairs) == len(s)


def test_metrics_are_reported(result):
    m = result.metrics
    for key in ("n_topics", "outlier_share", "npmi", "diversity", "wall_seconds", "seconds_embed",
                "seconds_cluster", "seconds_represent", "model_clusterer"):
        assert key in m
    assert 0 < m["diversity"] <= 1
    assert -1 <= m["npmi"] <= 1


# -- options -----------------------------------------------------------------------------------

def test_fixed_number_of_topics(starter_corpus):
    r = find_topics(starter_corpus, n_topics=5)
    assert r.metrics["n_topics"] == 5
    assert "set by n_topics" in r.metrics["model_clusterer"]


@pytest.mark.parametrize("bad", [1, 60, "many"])
def test_impossible_n_topics_is_a_clear_error(starter_corpus, bad):
    with pytest.raises(TopicModelError, match="n_topics"):
        find_topics(starter_corpus, n_topics=bad)


def test_sentence_units(starter_corpus):
    two = {d: starter_corpus.text(d) for d in starter_corpus.doc_ids[:2]}
    corpus = Corpus.from_texts(two)
    r = find_topics(corpus, unit="sentence")
    assert set(r.assignments["unit_id"]) <= set(corpus.sentences["sent_id"])
    assert r.metrics["unit"] == "sentence" and r.metrics["n_topics"] >= 3
    row = r.representatives.iloc[0]
    assert two[row.doc_id][row.start:row.end] == row.text


def test_guided_themes_follow_the_lexicon(starter_corpus, result):
    from corpus_tools.lexicon import load_lexicon

    r = find_topics(starter_corpus, guided=True)
    assert r.metrics["guided"] and r.metrics["n_seed_topics"] >= 3
    patterns = {p.lower() for e in load_lexicon(None).entries for p in e.patterns}
    seeded_terms = [t for terms in r.topics["top_terms"] for t in terms.split("; ")[:5] if t in patterns]
    plain_terms = [t for terms in result.topics["top_terms"] for t in terms.split("; ")[:5] if t in patterns]
    assert len(seeded_terms) >= len(plain_terms) and len(seeded_terms) >= 3


def test_guided_with_word_lists(starter_corpus):
    r = find_topics(starter_corpus, guided=[["traffic", "retention"], ["omni-channel", "online and offline"]])
    assert r.metrics["n_seed_topics"] == 2


def test_too_small_corpus_is_a_clear_error():
    tiny = Corpus.from_texts({"a": "Digital retail is an infrastructure.\n\nTraffic is over.",
                              "b": "New retail is dead. Long live new retail."})
    with pytest.raises(TopicModelError, match="too few"):
        find_topics(tiny)


def test_twenty_paragraph_corpus_gets_themes():
    topics = {
        "traffic": "Traffic acquisition costs keep rising and the dividend of online traffic is exhausted for sellers",
        "channel": "Omni-channel stores connect online and offline shopping so consumers buy anywhere at any time",
        "supply": "Factories and the supply chain upstream must be digitised so production follows real demand",
    }
    texts = {}
    for d in range(4):
        paras = [f"{sentence} in case {d}-{i}, as analysts note." for i, sentence in
                 enumerate([topics["traffic"], topics["channel"], topics["supply"], topics["traffic"],
                            topics["channel"]])]
        texts[f"doc{d}"] = "\n\n".join(paras)
    r = find_topics(Corpus.from_texts(texts))
    assert r.metrics["n_units"] == 20
    assert 2 <= r.metrics["n_topics"] <= 4
    assert r.metrics["outlier_share"] == 0


def test_no_network_during_a_fit(starter_corpus, monkeypatch):
    def no_network(self, *args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket.socket, "connect_ex", no_network)
    r = find_topics(starter_corpus, representation="mmr")
    assert r.metrics["n_topics"] >= 3


def test_save_and_load_the_fitted_model(result, tmp_path, corpus_dir):
    written = result.save(tmp_path / "out", input_root=corpus_dir)
    names = {Path(p).name for p in written}
    assert {"topics.csv", "topic_assignments.csv", "topic_metrics.json", "topic_model"} <= names
    metrics = json.loads((tmp_path / "out" / "topic_metrics.json").read_text())
    assert metrics["metrics"]["n_topics"] == result.metrics["n_topics"]
    config = json.loads((tmp_path / "out" / "topic_model" / "bertopic" / "config.json").read_text())
    assert Path(config["embedding_model"]).is_dir()  # a local path, never a hub name
    loaded = load_topic_model(tmp_path / "out")
    assert loaded.labels_ == result.model.labels_
    pd.testing.assert_frame_equal(loaded.topic_table(), result.topics)
    text = result.representatives.iloc[0]
    embedding = result.model.embeddings_[result.assignments.index[result.assignments["unit_id"] == text["unit_id"]]]
    predicted = loaded.transform([text["text"]], embeddings=embedding)
    assert list(predicted.columns) == ["text", "topic", "label"]
    assert predicted["topic"].tolist() == [int(text["topic"])]
    assert predicted["label"].tolist() == [loaded.labels_[int(text["topic"])]]
    # The bare ids stay reachable for scripts that relied on them.
    assert loaded.transform([text["text"]], embeddings=embedding, ids_only=True).tolist() == [int(text["topic"])]


def test_saving_into_the_corpus_folder_is_refused(result, corpus_dir):
    from corpus_tools.errors import CorpusToolsError

    with pytest.raises(CorpusToolsError, match="inside the input folder"):
        result.save(corpus_dir / "out", input_root=corpus_dir)


# -- components ----------------------------------------------------------------------------

def test_topic_model_before_fit_raises():
    with pytest.raises(NotFittedError):
        TopicModel().topic_table()


def test_topic_model_stores_params_only():
    model = TopicModel(n_topics=4, seed=7)
    assert model.get_params()["n_topics"] == 4 and model.get_params()["seed"] == 7
    assert not any(name.endswith("_") and not name.startswith("_") for name in vars(model))


def _blobs(n_per: int, centres: int, dim: int = 32, spread: float = 0.15, seed: int = 0):
    rng = np.random.default_rng(seed)
    means = rng.normal(size=(centres, dim))
    points = np.vstack([m + spread * rng.normal(size=(n_per, dim)) * np.linalg.norm(m) / math.sqrt(dim)
                        for m in means])
    return points / np.linalg.norm(points, axis=1, keepdims=True), np.repeat(np.arange(centres), n_per)


def test_auto_kmeans_finds_the_number_of_blobs():
    X, truth = _blobs(30, 4)
    model = AutoKMeans(random_state=0).fit(X)
    assert model.n_clusters_ == 4
    assert pd.crosstab(model.labels_, truth).max(axis=1).sum() == len(X)


def test_adaptive_clusterer_falls_back_on_one_blob():
    X, _ = _blobs(300, 1, dim=5, spread=1.0)
    model = AdaptiveClusterer(random_state=0).fit(X)
    assert model.method_ == "kmeans" and model.reason_
    assert len(set(model.labels_)) >= 3


def test_large_corpus_path_uses_umap_and_hdbscan():
    X, truth = _blobs(300, 4, dim=48, spread=0.3)  # 1,200 units: the large-corpus path
    words = ["traffic dividend", "omni channel", "supply chain", "private domain"]
    docs = [f"{words[t]} essay {i % 7} retail view" for i, t in enumerate(truth)]
    model = TopicModel(seed=3).fit(docs, embeddings=X.astype(np.float32))
    assert "UMAP" in model.plan_["reducer"] and "HDBSCAN" in model.plan_["clusterer"]
    metrics = model.score(docs)
    assert metrics["n_topics"] >= 3 and metrics["outlier_share"] <= 0.15
    assert set(model.timings_) == {"embed", "reduce", "cluster", "represent"}
    assert model.timings_["reduce"] > 0
    # Memory: UMAP keeps its input for the model's life; it must share the model's embeddings.
    assert np.shares_memory(model.bertopic_.umap_model._raw_data, model.embeddings_)


def test_guided_fit_leaves_the_callers_embeddings_alone(tmp_path):
    from corpus_tools.embeddings import Embedder

    # Guided BERTopic moves seeded units' embeddings in place, so a guided fit works on a copy.
    words = ["traffic dividend", "omni channel", "supply chain"]
    docs = [f"{words[i % 3]} essay {i % 5} retail view" for i in range(60)]
    X = Embedder(cache_dir=tmp_path).fit().embed(docs)
    before = X.copy()
    model = TopicModel(seed=1, seed_topics=[["traffic", "dividend"], ["supply", "chain"]]).fit(docs, embeddings=X)
    assert np.array_equal(X, before)
    assert len(model.topics_) == len(docs)


def test_similar_docs_ties_are_broken_by_essay_order():
    from corpus_tools.topics._api import _similar_docs

    # Essays a, b, c, d: b and c are copies of a, so (a,b), (a,c), (b,c) tie at similarity 1.
    vectors = {"a": [1.0, 0.0], "b": [1.0, 0.0], "c": [1.0, 0.0], "d": [0.6, 0.8]}
    ids = ["a", "b", "c", "d"]
    assignments = pd.DataFrame({"doc_id": ids})
    embeddings = np.array([vectors[d] for d in ids], dtype=np.float32)
    corpus = type("C", (), {"doc_ids": ids})()
    table = _similar_docs(assignments, embeddings, corpus, 2)
    assert list(zip(table["doc_id"], table["other_doc_id"])) == [("a", "b"), ("a", "c")]
    assert list(table["rank"]) == [1, 2]


def test_word_counts_match_split():
    from corpus_tools.topics._units import word_counts

    texts = pd.Series(["two words", "  spaced\tout \n text ", "", None, "non\u00a0breaking space"])
    assert word_counts(texts).tolist() == [len(t.split()) if isinstance(t, str) else 0 for t in texts]


# -- units and measures -------------------------------------------------------------------------

def test_headings_and_short_paragraphs_are_folded():
    corpus = Corpus.from_texts({"d": "Smart Retail Stage\n\n" + "Smart retail changes retail from channels to "
                                "consumers with smart tools and stores.\n\nIn short.\n\n"
                                + "Another long paragraph about omni-channel retail and consumers online."})
    units, dropped = build_units(corpus)
    assert len(units) == 2 and dropped.empty
    assert units.loc[0, "text"].startswith("Smart Retail Stage")
    assert units.loc[0, "quote"].startswith("Smart retail changes")  # the quote is the paragraph itself
    assert units.loc[0, "folded"] == "d-p001"
    assert units.loc[1, "folded"] == "d-p003"  # "In short." joins its neighbour, never stands alone


def test_npmi_by_hand():
    texts = ["apple banana", "apple banana", "cherry", "cherry date"]
    # apple/banana always together: P=0.5 each and jointly -> NPMI 1; apple/cherry never -> -1.
    scores = npmi_scores([["apple", "banana"], ["apple", "cherry"]], texts, VEC)
    assert scores == pytest.approx([1.0, -1.0])


def test_npmi_skips_a_phrase_and_its_own_words():
    texts = ["digital retail grows", "digital retail shrinks", "digital tools"]
    assert math.isnan(npmi_scores([["digital retail", "retail"]], texts, VEC)[0])


def test_diversity_and_labels():
    assert diversity([["a", "b"], ["b", "c"]]) == pytest.approx(0.75)
    assert make_label(["new", "retail", "new retail", "digital", "traffic"]) == "new retail, digital, traffic"


# -- themes at scale: fit on a seeded sample, assign the rest ----------------------------------

@pytest.fixture(scope="module")
def dev_full(dev_corpus):
    return find_topics(dev_corpus, seed=42)


@pytest.fixture(scope="module")
def dev_sample(dev_corpus):
    return find_topics(dev_corpus, seed=42, fit_sample=80)


def test_sample_fit_gives_every_unit_a_topic(dev_corpus, dev_full, dev_sample):
    units, _ = build_units(dev_corpus)
    a = dev_sample.assignments
    assert a["unit_id"].tolist() == units["unit_id"].tolist() == dev_full.assignments["unit_id"].tolist()
    assert a["topic"].notna().all() and set(a["topic"]) <= set(dev_sample.topics["topic"])
    assert dev_sample.topics["size"].sum() == len(units) > 80
    m = dev_sample.metrics
    assert m["fit_sample"] == 80 and m["n_fit_units"] == 80 and m["n_units"] == len(units)
    assert f"sample of 80 of {len(units)} units" in m["model_sample"] and m["seconds_assign"] >= 0
    model = dev_sample.model
    assert len(model.fit_rows_) == 80 and np.all(np.diff(model.fit_rows_) > 0)
    # The units outside the sample were assigned, not fitted: 80 units sized the model (k range 3..9).
    assert "3..9" in m["model_clusterer"]
    assert dev_full.metrics["n_fit_units"] == len(units) and dev_full.metrics["fit_sample"] == 0
    assert "model_sample" not in dev_full.metrics and "seconds_assign" not in dev_full.metrics
    # The assigned units agree with the full fit more than chance does.
    from sklearn.metrics import adjusted_rand_score

    assert adjusted_rand_score(dev_full.assignments["topic"], a["topic"]) > 0.2


def test_sample_fit_is_reproducible_for_the_seed(dev_corpus, dev_sample):
    again = find_topics(dev_corpus, seed=42, fit_sample=80)
    pd.testing.assert_frame_equal(again.assignments, dev_sample.assignments)
    pd.testing.assert_frame_equal(again.topics, dev_sample.topics)
    pd.testing.assert_frame_equal(again.terms, dev_sample.terms)
    other = find_topics(dev_corpus, seed=7, fit_sample=80)
    assert not np.array_equal(other.model.fit_rows_, dev_sample.model.fit_rows_)


def test_sample_at_least_every_unit_equals_the_full_fit(starter_corpus, result):
    n = result.metrics["n_units"]
    for size in (n, 10 * n):
        sampled = find_topics(starter_corpus, seed=42, fit_sample=size)
        assert sampled.model.fit_rows_ is None and sampled.metrics["n_fit_units"] == n
        for name in ("assignments", "topics", "terms", "representatives", "doc_topics", "similar_docs"):
            pd.testing.assert_frame_equal(getattr(sampled, name), getattr(result, name), obj=name)


def test_sample_fit_on_the_starter_corpus_keeps_real_themes(starter_corpus):
    r = find_topics(starter_corpus, seed=42, fit_sample=40)
    assert r.metrics["n_fit_units"] == 40 and r.metrics["n_topics"] >= 3
    assert len(r.assignments) == r.metrics["n_units"] == 75
    assert r.metrics["npmi"] > 0  # labelled from the sample's terms, scored over every unit
    row = r.representatives.iloc[0]
    assert starter_corpus.text(row.doc_id)[row.start:row.end] == row.text


def test_sample_fit_through_umap_and_hdbscan_assigns_by_transform():
    X, truth = _blobs(300, 4, dim=48, spread=0.3)  # 1,200 units; a 1,000-unit sample is the large path
    words = ["traffic dividend", "omni channel", "supply chain", "private domain"]
    docs = [f"{words[t]} essay {i % 7} retail view" for i, t in enumerate(truth)]
    model = TopicModel(seed=3, fit_sample=1000).fit(docs, embeddings=X.astype(np.float32))
    assert "UMAP" in model.plan_["reducer"] and "HDBSCAN" in model.plan_["clusterer"]
    assert "the other 200 assigned" in model.plan_["sample"] and model.timings_["assign"] > 0
    rest = np.setdiff1d(np.arange(len(docs)), model.fit_rows_)
    assert len(rest) == 200 and len(model.topics_) == 1200
    # UMAP's transform and HDBSCAN's approximate prediction put the unseen units in their blob.
    from sklearn.metrics import adjusted_rand_score

    assigned = model.topics_[rest]
    kept = assigned >= 0
    assert kept.mean() >= 0.9
    assert adjusted_rand_score(truth[rest][kept], assigned[kept]) >= 0.9


def test_units_predicted_as_outliers_join_a_theme_only_when_similar_enough():
    from types import SimpleNamespace

    from corpus_tools.topics._model import _join_nearest_topic

    # A fitted model with no outlier topic left (BERTopic's reduce_outliers refuses to run then).
    fitted = SimpleNamespace(topic_embeddings_=np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]), _outliers=0)
    predicted = np.array([1, -1, -1, -1, 0])
    units = np.array([[0, 1, 0], [0.9, 0.1, 0], [0.1, 0.9, 0.1], [0, 0, 1], [1, 0, 0]], dtype=np.float32)
    _join_nearest_topic(fitted, predicted, units, threshold=0.8)
    assert predicted.tolist() == [1, 0, 1, -1, 0]
    # With an outlier topic first in the embeddings, ids still count from topic 0.
    fitted = SimpleNamespace(topic_embeddings_=np.array([[0, 0, 1.0], [1.0, 0, 0], [0, 1.0, 0]]), _outliers=1)
    predicted = np.array([-1, -1])
    _join_nearest_topic(fitted, predicted, units[[1, 3]], threshold=0.8)
    assert predicted.tolist() == [0, -1]


def test_bad_fit_sample_is_a_clear_error(starter_corpus):
    for bad in (5, -3, 2.5, "many", True):
        with pytest.raises(TopicModelError, match="fit_sample"):
            find_topics(starter_corpus, fit_sample=bad)
    with pytest.raises(TopicModelError, match="fit_sample"):
        find_topics(starter_corpus, model=TopicModel(), fit_sample=20)
    with pytest.raises(TopicModelError, match="fit sample of 75"):
        find_topics(starter_corpus, n_topics=15, fit_sample=20)


def test_sample_fit_model_saves_and_loads(dev_sample, tmp_path):
    path = dev_sample.model.save(tmp_path / "model")
    loaded = TopicModel.load(path)
    assert loaded.n_fit_units_ == 80 and loaded.fit_sample == 80
    assert np.array_equal(loaded.fit_rows_, dev_sample.model.fit_rows_)
    texts = ["Traffic is no longer the key; retention of members is.", "Stores become fulfilment centres."]
    assert len(loaded.transform(texts, ids_only=True)) == 2
