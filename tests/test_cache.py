"""The result caches behind a warm ``analyze`` re-run: per-document concept/framing rows and the
theme result. A hit must give exactly what a fresh computation gives; a changed text, lexicon,
model, package version or seed must never read a stale entry; a damaged entry is rebuilt."""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pandas as pd
import pytest

from corpus_tools import _cache
from corpus_tools.lexicon import load_lexicon, parse_lexicon
from corpus_tools.load import Corpus
from corpus_tools.pipeline import AnalysisResult, _find_topics_cached, _Progress, _run_text_stages

TEXTS = {
    "a": ("Digital retail is not a platform, but an infrastructure.\n\n"
          "We moved from the era of traffic to the era of retention. Private traffic pools matter."),
    "b": ("New retail came and went. The platform era ended.\n\n"
          "Retention is the key now, not traffic. Supply chain infrastructure decides who wins."),
    "c": ("Deep water is where the incumbents live. Membership programmes keep customers coming back.\n\n"
          "Livestream commerce turns traffic into sales, but the cost of traffic keeps rising."),
}

SMALL_LEXICON = """
[[concept]]
id = "traffic"
patterns = ["traffic"]

[[concept]]
id = "platform"
patterns = ["platform"]
"""

CONCEPT_TABLES = ("mentions", "by_document", "cooccurrence", "suggestions", "suggestions_by_document")
FRAMING_TABLES = ("contrasts", "orientation", "context", "profiles", "shifts", "summaries")


def _text_stages(corpus: Corpus, nlp, cache_dir: Path | None, lexicon=None) -> AnalysisResult:
    result = AnalysisResult(corpus=corpus)
    _run_text_stages(corpus, load_lexicon(lexicon), result, _Progress(None), nlp=nlp, model=None,
                     cache_dir=cache_dir)
    assert result.stage_status["concepts"]["status"] == "ok"
    assert result.stage_status["framing"]["status"] == "ok"
    return result


def _assert_same(a: AnalysisResult, b: AnalysisResult) -> None:
    for name in CONCEPT_TABLES:
        pd.testing.assert_frame_equal(getattr(a.concepts, name), getattr(b.concepts, name), obj=name)
    for name in FRAMING_TABLES:
        left, right = getattr(a.framing, name, None), getattr(b.framing, name, None)
        if isinstance(left, pd.DataFrame):
            pd.testing.assert_frame_equal(left, right, obj=name)


@pytest.fixture()
def small_corpus() -> Corpus:
    return Corpus.from_texts(TEXTS)


def test_rows_hit_equals_fresh_and_skips_parsing(small_corpus, nlp, tmp_path):
    cold = _text_stages(small_corpus, nlp, tmp_path)
    assert cold.parse_cache["rows_computed"] == 3 and cold.parse_cache["rows_cached"] == 0
    assert len(cold.concepts.mentions) > 0 and len(cold.framing.contrasts) > 0

    warm = _text_stages(small_corpus, nlp, tmp_path)
    assert warm.parse_cache["rows_cached"] == 3 and warm.parse_cache["rows_computed"] == 0
    # Not even the parse cache is read for documents whose rows are cached.
    assert warm.parse_cache["cached"] == 0 and warm.parse_cache["parsed"] == 0
    _assert_same(cold, warm)
    # Without the corpus-level entry, the per-document rows rebuild the same results.
    shutil.rmtree(tmp_path / "results")
    rows_only = _text_stages(small_corpus, nlp, tmp_path)
    assert rows_only.parse_cache["results_cached"] == 0 and rows_only.parse_cache["rows_cached"] == 3
    assert rows_only.parse_cache["parsed"] == 0 and rows_only.parse_cache["cached"] == 0
    _assert_same(cold, rows_only)


def test_changed_text_reads_only_unchanged_documents(small_corpus, nlp, tmp_path):
    _text_stages(small_corpus, nlp, tmp_path)
    changed = dict(TEXTS, b=TEXTS["b"].replace("Retention is the key", "Reserve is the key"))
    corpus = Corpus.from_texts(changed)
    warm = _text_stages(corpus, nlp, tmp_path)
    assert warm.parse_cache["rows_cached"] == 2 and warm.parse_cache["rows_computed"] == 1
    _assert_same(warm, _text_stages(corpus, nlp, tmp_path / "fresh"))
    mentions = warm.concepts.mentions
    assert "Reserve" in mentions.loc[mentions["doc_id"] == "b", "text"].tolist()


def test_changed_lexicon_never_reads_stale_rows(small_corpus, nlp, tmp_path):
    _text_stages(small_corpus, nlp, tmp_path)
    small = parse_lexicon(SMALL_LEXICON)
    warm = _text_stages(small_corpus, nlp, tmp_path, lexicon=small)
    assert warm.parse_cache["rows_cached"] == 0 and warm.parse_cache["rows_computed"] == 3
    assert set(warm.concepts.mentions["concept"]) <= {"traffic", "platform"}
    again = _text_stages(small_corpus, nlp, tmp_path, lexicon=small)
    assert again.parse_cache["rows_cached"] == 3


def test_changed_version_never_reads_stale_rows(small_corpus, nlp, tmp_path, monkeypatch):
    _text_stages(small_corpus, nlp, tmp_path)
    monkeypatch.setattr(_cache, "__version__", "999.0-test")
    _cache.source_fingerprint.cache_clear()
    try:
        warm = _text_stages(small_corpus, nlp, tmp_path)
    finally:
        monkeypatch.undo()
        _cache.source_fingerprint.cache_clear()
    assert warm.parse_cache["rows_cached"] == 0


def test_row_key_depends_on_everything_the_rows_depend_on():
    base = dict(doc_id="a", text="Traffic is over.", sentences=[("a", "a-p001", "a-p001-s01", "Traffic is over.", 0, 0, 16)],
                model="en_core_web_sm-3.8.0+tok2vec.tagger.parser", lexicon="lex1")
    key = _cache.document_row_key(**base)
    assert key == _cache.document_row_key(**base)
    for change in ({"doc_id": "b"}, {"text": "Traffic is over!"}, {"model": "en_core_web_sm-3.9.0+tok2vec.tagger.parser"},
                   {"lexicon": "lex2"}, {"sentences": [("a", "a-p001", "a-p001-s01", "Traffic is over.", 0, 1, 17)]},
                   {"options": "other"}):
        assert _cache.document_row_key(**{**base, **change}) != key, change
    # A different spaCy (or other library) version changes the key too.
    _cache.library_versions.cache_clear()
    try:
        real = _cache.library_versions(("spacy",))
        assert real.startswith("spacy=")
    finally:
        _cache.library_versions.cache_clear()


def test_lexicon_fingerprint_follows_patterns():
    one = parse_lexicon(SMALL_LEXICON)
    two = parse_lexicon(SMALL_LEXICON.replace('["traffic"]', '["traffic", "footfall"]'))
    assert _cache.lexicon_fingerprint(one) == _cache.lexicon_fingerprint(parse_lexicon(SMALL_LEXICON))
    assert _cache.lexicon_fingerprint(one) != _cache.lexicon_fingerprint(two)


def test_corrupt_results_entry_falls_back_to_rows(small_corpus, nlp, tmp_path, caplog):
    cold = _text_stages(small_corpus, nlp, tmp_path)
    assert cold.parse_cache["results_cached"] == 0
    warm = _text_stages(small_corpus, nlp, tmp_path)
    assert warm.parse_cache["results_cached"] == 1
    _assert_same(cold, warm)
    (entry,) = (tmp_path / "results").rglob("*.zip")
    entry.write_bytes(entry.read_bytes()[:-50])
    with caplog.at_level(logging.WARNING, logger="corpus_tools._cache"):
        again = _text_stages(small_corpus, nlp, tmp_path)
    assert any("corrupt" in r.getMessage() for r in caplog.records)
    assert again.parse_cache["results_cached"] == 0 and again.parse_cache["rows_cached"] == 3
    _assert_same(cold, again)


def test_corrupt_row_entry_is_rebuilt_with_a_warning(small_corpus, nlp, tmp_path, caplog):
    cold = _text_stages(small_corpus, nlp, tmp_path)
    shutil.rmtree(tmp_path / "results")  # so that the per-document entries are read
    entries = sorted((tmp_path / "rows").rglob("*.zip"))
    assert len(entries) == 3
    entries[0].write_bytes(b"not a pickle")
    with caplog.at_level(logging.WARNING, logger="corpus_tools._cache"):
        warm = _text_stages(small_corpus, nlp, tmp_path)
    assert any("corrupt" in r.getMessage() for r in caplog.records)
    assert warm.parse_cache["rows_cached"] == 2 and warm.parse_cache["rows_computed"] == 1
    _assert_same(cold, warm)
    again = _text_stages(small_corpus, nlp, tmp_path)
    assert again.parse_cache["rows_cached"] == 3


def test_store_rejects_an_entry_under_the_wrong_key(tmp_path, caplog):
    store = _cache.SafeStore(tmp_path)
    store.put("aa" + "1" * 62, {"x": 1})
    assert store.get("aa" + "1" * 62) == {"x": 1}
    # An entry copied to another key's place is not trusted.
    other = store.path("aa" + "2" * 62)
    other.parent.mkdir(parents=True, exist_ok=True)
    other.write_bytes(store.path("aa" + "1" * 62).read_bytes())
    with caplog.at_level(logging.WARNING, logger="corpus_tools._cache"):
        assert store.get("aa" + "2" * 62) is None
    assert store.stats == {"hits": 1, "misses": 0, "rebuilt": 1}
    assert not list(tmp_path.rglob("*.tmp"))


# --- themes -------------------------------------------------------------------------------

TOPIC_TABLES = ("assignments", "topics", "terms", "representatives", "doc_topics", "prevalence", "similar_docs")


def _topics(corpus, cache_dir, seed=42, embedder="static"):
    result = AnalysisResult(corpus=corpus)
    topics = _find_topics_cached(corpus, load_lexicon(None), result, _Progress(None), unit="paragraph", seed=seed,
                                 n_topics="auto", guided=False, cache_dir=cache_dir, embedder=embedder)
    return topics, result.parse_cache["topics_cached"]


def test_topics_hit_equals_fit_and_misses_on_change(starter_corpus, tmp_path):
    cold, hit = _topics(starter_corpus, tmp_path)
    assert hit == 0
    warm, hit = _topics(starter_corpus, tmp_path)
    assert hit == 1
    for name in TOPIC_TABLES:
        pd.testing.assert_frame_equal(getattr(cold, name), getattr(warm, name), obj=name)
    assert warm.metrics == cold.metrics
    # The fitted model is there, loaded on first use.
    assert warm.model.labels_ == cold.model.labels_
    assert list(warm.model.topics_) == list(cold.model.topics_)

    _, hit = _topics(starter_corpus, tmp_path, seed=7)
    assert hit == 0
    # The embedder is part of the key: MiniLM's themes are fitted, not the static model's reused.
    minilm, hit = _topics(starter_corpus, tmp_path, embedder="minilm")
    assert hit == 0 and minilm.metrics["embedder"] == "minilm" and cold.metrics["embedder"] == "static"
    assert minilm.metrics["embedding_fingerprint"] != cold.metrics["embedding_fingerprint"]
    _, hit = _topics(starter_corpus, tmp_path, embedder="minilm")
    assert hit == 1
    fewer = Corpus.from_texts({d: starter_corpus.text(d) for d in starter_corpus.doc_ids[:-1]})
    _, hit = _topics(fewer, tmp_path)
    assert hit == 0


def test_damaged_topic_entry_is_refitted(starter_corpus, tmp_path, caplog):
    cold, _ = _topics(starter_corpus, tmp_path)
    for entry in (tmp_path / "topics").rglob("*.zip"):
        entry.write_bytes(entry.read_bytes()[:20])
    with caplog.at_level(logging.WARNING, logger="corpus_tools._cache"):
        again, hit = _topics(starter_corpus, tmp_path)
    assert hit == 0 and any("corrupt" in r.getMessage() for r in caplog.records)
    pd.testing.assert_frame_equal(cold.assignments, again.assignments)


def test_changed_metadata_rebuilds_results_from_cached_rows(small_corpus, nlp, tmp_path):
    _text_stages(small_corpus, nlp, tmp_path)
    meta = pd.DataFrame({"doc_id": ["a", "b", "c"], "date": ["2021-01-01", "2020-01-01", "2019-01-01"]})
    dated = Corpus.from_texts(TEXTS, metadata=meta)
    warm = _text_stages(dated, nlp, tmp_path)
    assert warm.parse_cache["results_cached"] == 0 and warm.parse_cache["rows_cached"] == 3
    assert warm.framing.doc_ids == ["c", "b", "a"]
    _assert_same(warm, _text_stages(dated, nlp, tmp_path / "fresh"))


# --- no code runs from a cache file -------------------------------------------------------


class _Planted:
    """Unpickling this runs code: it creates a file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_planted_pickle_is_never_run(small_corpus, nlp, tmp_path, caplog):
    import pickle

    cold = _text_stages(small_corpus, nlp, tmp_path / "cache")
    marker = tmp_path / "code_ran"
    evil = pickle.dumps({"key": "x", "value": _Planted(marker)})
    pickle.loads(evil)  # the payload does run when unpickled ...
    assert marker.exists()
    marker.unlink()
    # ... so put it at every entry's place, and where the older layout kept its pickles.
    entries = sorted((tmp_path / "cache").rglob("*.zip"))
    assert {p.relative_to(tmp_path / "cache").parts[0] for p in entries} == {"rows", "results"}
    for entry in entries:
        entry.write_bytes(evil)
        entry.with_suffix(".pkl").write_bytes(evil)
    with caplog.at_level(logging.WARNING, logger="corpus_tools._cache"):
        warm = _text_stages(small_corpus, nlp, tmp_path / "cache")
    assert not marker.exists()
    assert any("corrupt" in r.getMessage() for r in caplog.records)
    _assert_same(cold, warm)  # rebuilt from scratch, same results


def test_safe_store_round_trips_exactly_and_refuses_other_objects(tmp_path):
    import numpy as np

    store = _cache.SafeStore(tmp_path)
    frame = pd.DataFrame({"id": ["a", "b"], "n": [1, 2], "x": [0.5, float("nan")],
                          "terms": [["p", "q"], []], "mixed": [1, "two"], "none": [None, "s"],
                          "cat": pd.Categorical(["u", "v"]), "when": pd.to_datetime(["2020-01-01", None])})
    value = {"rows": [("a", 1, None, 0.5, True), ("b", 2, "x", 1.5, False)], "frame": frame,
             "array": np.arange(6, dtype=np.float32).reshape(2, 3), "metrics": {"npmi": np.float64(0.25), 3: (1, "x")},
             "set": {"k"}, "nested": [[("t",)], {"a": None}]}
    key = "ab" + "3" * 62
    store.put(key, value)
    back = store.get(key)
    pd.testing.assert_frame_equal(back.pop("frame"), frame)
    np.testing.assert_array_equal(back.pop("array"), value["array"])
    assert back == {k: v for k, v in value.items() if k not in ("frame", "array")}
    assert type(back["metrics"]["npmi"]) is np.float64 and back["rows"][0] == ("a", 1, None, 0.5, True)
    store.put("cd" + "4" * 62, {"object": _Planted(tmp_path / "x")})
    assert not store.path("cd" + "4" * 62).exists()
