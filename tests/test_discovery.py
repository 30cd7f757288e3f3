"""Discovery of candidate concepts the lexicon lacks."""
from __future__ import annotations

import re

import pytest

from corpus_tools.concepts import ConceptExtractor, extract_concepts
from corpus_tools.discovery import ConceptSuggester, suggestions_to_lexicon, write_draft_lexicon
from corpus_tools.lexicon import load_lexicon
from corpus_tools.load import Corpus


@pytest.fixture(scope="module")
def result(starter_corpus, parsed_starter, nlp):
    return extract_concepts(starter_corpus, parsed=parsed_starter, nlp=nlp)


def test_suggestions_are_multiword_clean_and_ranked(result):
    s = result.suggestions
    assert {"term", "score", "n_docs", "variants", "example"} <= set(s.columns)
    assert len(s) >= 15
    assert s.score.is_monotonic_decreasing
    for row in s.itertuples(index=False):
        words = row.term.replace("-", " ").split()
        assert 2 <= len(words) <= 4, row.term
        assert not re.search(r"\d", row.term)
        assert words[0] not in {"the", "a", "an", "this", "such", "certain", "new", "its", "our"}
        assert row.count >= 2 and row.n_docs >= 1
        assert row.term.split()[-1][:4] in row.example.lower() or row.term[:4] in row.example.lower()
    assert not s.term.duplicated().any() and not s.proposed_id.duplicated().any()


def test_suggestions_are_not_already_in_the_lexicon(result, nlp):
    ex = ConceptExtractor(result.lexicon).fit(nlp)
    for term in result.suggestions.term:
        assert ex.match(nlp(term)) == [], term
    # the genre's recurring, unlisted terms come out on top
    top = set(result.suggestions.term.head(15))
    assert {"development model", "underlying technology"} <= top


def test_example_quotes_the_original_sentence(result, starter_corpus):
    sents = starter_corpus.sentences.set_index("sent_id")
    for row in result.suggestions.itertuples(index=False):
        original = " ".join(sents.loc[row.example_sent_id, "text"].split())
        assert row.example == original
        assert sents.loc[row.example_sent_id, "doc_id"] == row.example_doc_id


def test_per_document_candidates(result, starter_corpus):
    per_doc = result.suggestions_by_document
    assert set(per_doc.doc_id) <= set(starter_corpus.doc_ids)
    assert per_doc.groupby("doc_id")["rank"].max().max() <= 10
    first = per_doc[per_doc["rank"] == 1]
    assert len(first) >= 3


def test_variants_grouped_across_plural_case_and_hyphen(nlp):
    corpus = Corpus.from_texts({
        "a": "Smart shelves are changing stores. The smart shelf tracks stock. Dark factories run all night.",
        "b": "We installed a smart-shelf in the shop. Dark factories and the dark factory appear. The weather is nice.",
        "c": "Nothing here but the weather. The weather is nice again.",
    })
    res = extract_concepts(corpus, nlp=nlp, suggester=ConceptSuggester(min_count=2))
    terms = res.suggestions.set_index("term")
    shelf = [t for t in terms.index if "shelf" in t or "shelves" in t]
    assert len(shelf) == 1, terms.index.tolist()
    row = terms.loc[shelf[0]]
    assert row["count"] == 3 and row["n_docs"] == 2
    assert set(row["variants"].split("; ")) == {"smart shelves", "smart shelf", "smart-shelf"}
    assert any("factor" in t for t in terms.index)


def test_draft_lexicon_round_trip(result, tmp_path, starter_corpus, parsed_starter, nlp):
    path = write_draft_lexicon(result.suggestions, tmp_path / "draft.toml", top=10)
    draft = load_lexicon(path)
    assert len(draft) == 10
    assert draft.ids == result.suggestions.proposed_id.head(10).tolist()
    again = extract_concepts(starter_corpus, draft, parsed=parsed_starter, nlp=nlp, suggest=False)
    counts = again.mentions.groupby("concept").size()
    expected = result.suggestions.head(10).set_index("proposed_id")["count"]
    # each drafted term is found at least as often as it was counted
    for cid, n in expected.items():
        assert counts.get(cid, 0) >= n, cid
    assert suggestions_to_lexicon(result.suggestions, top=3).ids == draft.ids[:3]


def test_empty_input_gives_empty_suggestions(nlp):
    res = extract_concepts(Corpus.from_texts({"x": "Short text."}), nlp=nlp)
    assert res.suggestions.empty and list(res.suggestions.columns)[:1] == ["term"]
