"""Keyword in context for concepts and free phrases."""
from __future__ import annotations

import pytest

from corpus_tools.concepts import extract_concepts
from corpus_tools.kwic import KwicQueryError, format_kwic, kwic
from tests.conftest import doc_id_for_prefix


@pytest.fixture(scope="module")
def mentions(starter_corpus, parsed_starter, nlp):
    return extract_concepts(starter_corpus, parsed=parsed_starter, nlp=nlp, suggest=False).mentions


def test_concept_kwic_has_every_mention(starter_corpus, parsed_starter, nlp, mentions):
    frame = kwic(starter_corpus, "deep_water", parsed=parsed_starter, nlp=nlp, width=30)
    expected = mentions[mentions.concept == "deep_water"]
    assert len(frame) == len(expected) == 8
    assert list(frame.start) == list(expected.start)
    assert set(frame.concept) == {"deep_water"}
    assert set(frame.doc_id) == {doc_id_for_prefix(starter_corpus, "000")}
    for row in frame.itertuples(index=False):
        text = starter_corpus.text(row.doc_id)
        assert " ".join(text[row.start:row.end].split()) == row.keyword
        assert len(row.left) <= 30 and len(row.right) <= 30
        assert row.left.strip() and "\n" not in row.left + row.right
    assert {"deep water", "deep waters", "deep well", "deep water zone"} <= set(frame.keyword.str.lower())


def test_label_resolves_like_id(starter_corpus, parsed_starter, nlp):
    by_label = kwic(starter_corpus, "Deep Water", parsed=parsed_starter, nlp=nlp)
    assert len(by_label) == 8 and set(by_label.concept) == {"deep_water"}


def test_free_phrase_is_lemma_aware(starter_corpus, parsed_starter, nlp):
    frame = kwic(starter_corpus, "platforms", parsed=parsed_starter, nlp=nlp)
    assert set(frame.concept) == {""}
    words = set(frame.keyword.str.lower())
    assert {"platform", "platforms"} <= words
    # the 28 "platform(s)" of the essays; "de-platformed" is its own word (lemma "platforme")
    assert len(frame) == 28
    phrase = kwic(starter_corpus, "existing traffic", parsed=parsed_starter, nlp=nlp)
    assert len(phrase) == 3 and set(phrase.keyword) == {"existing traffic"}


def test_limit_width_and_format(starter_corpus, parsed_starter, nlp):
    frame = kwic(starter_corpus, "traffic", parsed=parsed_starter, nlp=nlp, width=20, limit=5)
    assert len(frame) == 5
    lines = format_kwic(frame, 20).splitlines()
    assert len(lines) == 5
    columns = {line.index("[") for line in lines}
    assert len(columns) == 1  # keywords line up
    assert all(line.startswith(sid) for line, sid in zip(lines, frame.sent_id))
    none = kwic(starter_corpus, "zebra crossing", parsed=parsed_starter, nlp=nlp)
    assert none.empty and format_kwic(none) == ""


def test_empty_query_is_an_error(starter_corpus):
    with pytest.raises(KwicQueryError):
        kwic(starter_corpus, "  ", parsed=[])


def test_limited_kwic_still_counts_every_match(starter_corpus, parsed_starter, nlp, corpus_dir, tmp_path):
    frame = kwic(starter_corpus, "deep_water", parsed=parsed_starter, nlp=nlp, limit=3)
    assert len(frame) == 3 and frame.attrs["n_total"] == 8
    from click.testing import CliRunner

    from corpus_tools.cli import main

    result = CliRunner().invoke(main, ["kwic", str(corpus_dir), "deep_water", "--limit", "3",
                                       "--out", str(tmp_path / "k")])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].endswith("8 matches for concept 'deep_water' (Deep water) (first 3 shown)")
    import pandas as pd

    assert len(pd.read_csv(tmp_path / "k" / "kwic.csv")) == 3
