"""Speed-ups must not change results: the fast sentence splitter and language check in load.py
give exactly what the straightforward versions give."""
from __future__ import annotations

import unicodedata

import pytest

from corpus_tools.clean import clean_span
from corpus_tools.load import _language_flag, _sentence_spans, _sentence_spans_batch, _sentencizer, split_paragraphs

from .conftest import CORPUS_DIR, DATA_DIR

EDGE_CASES = [
    "", " ", "\n\n", "...", "Hello. ", "A.B. c d.", "Wait... what?! Yes.\n\nNo", "“Quoted.” Then more. (Paren.) x",
    "。中文。句子！好", "a\u2029b. c", "Mr. Smith went to Washington. He said: 'no!' Then left.",
    "Numbers like 3.5 and 4. Then 5 items.", "Ends with ellipsis…", "Trailing spaces.   ", "One?Two!Three.",
]


def _paragraph_texts() -> list[str]:
    texts = list(EDGE_CASES)
    files = sorted(CORPUS_DIR.glob("*")) + sorted(p for p in DATA_DIR.rglob("*") if p.suffix in (".txt", ".md"))
    for path in files:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for start, end in split_paragraphs(text):
            cleaned, _ = clean_span(text, start, end)
            texts.append(cleaned)
    return texts


def test_fast_sentence_split_equals_spacy_sentencizer():
    texts = _paragraph_texts()
    assert len(texts) > 100
    expected = [list(_sentence_spans(doc)) for doc in _sentencizer().pipe(texts)]
    assert list(_sentence_spans_batch(texts)) == expected


def _language_flag_reference(text: str) -> float | str:
    letters = [ch for ch in text[:20000] if ch.isalpha()]
    if not letters:
        return "no letters"
    return sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, "")) / len(letters)


@pytest.mark.parametrize("text", ["", "123 !!", "Hello world café", "数字零售不是平台 but infrastructure here",
                                  "Привет мир hello", "ÀÉÎõü" * 10, "ﬁne ligatures ǅ and ß"])
def test_language_flag_latin_share_unchanged(text):
    reference = _language_flag_reference(text)
    flag = _language_flag(text)
    if reference == "no letters":
        assert flag == "no letters"
    elif reference < 0.5:
        assert flag.startswith("mostly non-Latin")
    else:
        assert not flag.startswith("mostly non-Latin") and flag != "no letters"


# -- the text stages: parse workers and array reads give what the straightforward versions give

def test_worker_parse_equals_in_process_parse(starter_corpus, nlp, tmp_path):
    """Parsing in worker processes (DocBin per document piece on the way back) gives the same
    Docs as parsing in this process, writes cache entries that read back as those Docs, and an
    early close leaves no worker behind."""
    import multiprocessing

    from corpus_tools.parse import Parser

    def sentences(parser):
        return [(s.sent_id, s.doc.to_json()) for d in parser.iter_parse(starter_corpus) for s in d.sentences]

    before = set(multiprocessing.active_children())  # e.g. the session's Dask workers
    here = sentences(Parser(nlp=nlp, use_cache=False, n_process=1, batch_size=64).fit())
    workers = Parser(nlp=nlp, cache_dir=tmp_path, n_process=2, batch_size=64).fit()
    assert sentences(workers) == here
    assert workers.stats_["parsed"] == len(starter_corpus)
    cached = Parser(nlp=nlp, cache_dir=tmp_path, n_process=2, batch_size=64).fit()
    assert sentences(cached) == here
    assert cached.stats_["cached"] == len(starter_corpus)
    stream = Parser(nlp=nlp, use_cache=False, n_process=2, batch_size=16).fit().iter_parse(starter_corpus)
    next(stream)
    stream.close()
    assert set(multiprocessing.active_children()) - before == set()


def test_document_pieces_follow_batches():
    from corpus_tools.parse import _batches

    docs = [["a1", "a2", "a3"], ["b1"], ["c1", "c2", "c3", "c4", "c5"]]
    batches = list(_batches(docs, 4))
    assert [sum(len(p) for p in pieces) for pieces, _ in batches] == [4, 4, 1]
    assert [t for pieces, _ in batches for p in pieces for t in p] == [t for d in docs for t in d]
    assert batches[0] == ([["a1", "a2", "a3"], ["b1"]], [True, True])
    assert batches[1] == ([["c1", "c2", "c3", "c4"]], [False])
    assert batches[2] == ([["c5"]], [True])


def test_array_reads_equal_token_reads(parsed_starter):
    from corpus_tools.framing.orientation import sentence_words

    for parsed in parsed_starter:
        for sent in parsed.sentences:
            doc = sent.doc
            assert sentence_words(doc) == ([t.lower_ for t in doc], [t.lemma_.lower() for t in doc])
            assert sent.original_extent() == sent.original_span(0, len(doc.text))


def _context_rows_by_token(doc, doc_id, sent_id, matches):
    """framing.extractor._context_rows as it read each Token."""
    from collections import Counter

    by_concept = {}
    for concept, s, e in matches:
        by_concept.setdefault(concept, set()).update(range(s, e))
    lemmas = [(t.i, t.lemma_.lower()) for t in doc
              if t.pos_ in {"NOUN", "PROPN", "ADJ", "VERB"} and t.is_alpha and not t.is_stop and len(t) > 2]
    rows = []
    for concept, own in by_concept.items():
        counts = Counter(lemma for i, lemma in lemmas if i not in own)
        rows.extend({"doc_id": doc_id, "sent_id": sent_id, "concept": concept, "term": term, "count": n}
                    for term, n in sorted(counts.items()))
    return rows


def _candidates_by_token(suggester, doc, covered):
    """discovery.ConceptSuggester._candidates as it read each Token."""
    import re

    from corpus_tools.discovery import _WORD, VAGUE_WORDS

    out = []
    for chunk in doc.noun_chunks:
        tokens = list(chunk)
        while tokens and suggester._is_edge_noise(tokens[0]):
            tokens.pop(0)
        while tokens and suggester._is_edge_noise(tokens[-1]):
            tokens.pop()
        if not tokens or any(t.i in covered for t in tokens):
            continue
        words = [t for t in tokens if t.text != "-"]
        if not (suggester.min_words <= len(words) <= suggester.max_words):
            continue
        lemmas = [(t.lemma_ or t.text).lower() for t in words]
        if not all(_WORD.match(l) and len(l) > 1 for l in lemmas):
            continue
        if any(t.is_stop or l in VAGUE_WORDS for t, l in zip(words, lemmas)):
            continue
        surface = doc[tokens[0].i: tokens[-1].i + 1].text.lower()
        out.append(("".join(lemmas), re.sub(r"\s*-\s*", "-", " ".join(surface.split()))))
    return out


def test_array_based_rows_equal_token_based_rows(parsed_starter, parsed_dev, nlp):
    from corpus_tools.concepts import ConceptExtractor
    from corpus_tools.discovery import ConceptSuggester
    from corpus_tools.framing.extractor import _context_rows

    concepts = ConceptExtractor().fit(nlp)
    suggester = ConceptSuggester().start()
    n_context = n_candidates = 0
    for parsed in list(parsed_starter) + list(parsed_dev):
        for sent in parsed.sentences:
            doc = sent.doc
            matches = concepts.match(doc)
            rows = _context_rows(doc, parsed.doc_id, sent.sent_id, matches)
            assert rows == _context_rows_by_token(doc, parsed.doc_id, sent.sent_id, matches)
            covered = {i for _, s, e in matches for i in range(s, e)}
            found = suggester._candidates(doc, covered)
            assert found == _candidates_by_token(suggester, doc, covered)
            n_context += len(rows)
            n_candidates += len(found)
    assert n_context > 1000 and n_candidates > 100


def test_token_matcher_runs_where_it_can_match(parsed_starter, parsed_dev, nlp):
    """The token matcher is skipped on sentences holding none of the words its patterns need:
    the matches are those of running it on every sentence."""
    from corpus_tools.concepts import ConceptExtractor, _required_lowers

    concepts = ConceptExtractor().fit(nlp)
    assert concepts.token_anchors_  # the shipped lexicon's patterns all name their words
    everywhere = ConceptExtractor().fit(nlp)
    everywhere.token_anchors_ = None
    docs = [s.doc for p in list(parsed_starter) + list(parsed_dev) for s in p.sentences]
    found = [concepts.match(d) for d in docs]
    assert found == [everywhere.match(d) for d in docs]
    token_ids = {e.id for e in concepts.lexicon_.entries if e.token_patterns}
    assert any(c in token_ids for m in found for c, _, _ in m)  # the token patterns did match somewhere
    strings = nlp.vocab.strings
    assert _required_lowers([[{"POS": "NOUN"}]], strings) is None
    assert _required_lowers([[{"LOWER": "x", "OP": "?"}, {"POS": "NOUN"}]], strings) is None
    assert _required_lowers([[{"ORTH": "Flow"}], [{"TEXT": {"IN": ["A", "b"]}, "OP": "+"}]], strings) == \
        frozenset(strings[w] for w in ("flow", "a", "b"))


def _orient_by_clause(tagger, doc, start, end, blocked, words):
    """framing.orientation.OrientationTagger.orient as it read the mention's whole clause."""
    from corpus_tools.framing.orientation import Orientation, _label, _negated

    near = tagger.neighbourhood(doc, start, end) - set(range(start, end)) - set(blocked)
    old, new, neg, pos = (tagger._find(words, near, t) for t in (tagger.old_, tagger.new_, tagger.neg_, tagger.pos_))
    neg_final, pos_final = [], []
    for i, word in neg:
        (pos_final if _negated(doc[i]) else neg_final).append(("not " if _negated(doc[i]) else "") + word)
    for i, word in pos:
        (neg_final if _negated(doc[i]) else pos_final).append(("not " if _negated(doc[i]) else "") + word)
    return Orientation(_label(len(old), len(new), "old", "new"), [w for _, w in old] + [w for _, w in new],
                       _label(len(neg_final), len(pos_final), "negative", "positive"), neg_final + pos_final)


def test_orientation_reads_only_cue_words(parsed_starter, parsed_dev, nlp):
    """Mention orientation looks up only the sentence's cue words in the mention's clause (walking
    up from each): the same neighbourhood and the same orientations as collecting the clause."""
    from corpus_tools.concepts import ConceptExtractor
    from corpus_tools.framing.orientation import OrientationTagger, sentence_words

    concepts = ConceptExtractor().fit(nlp)
    tagger = OrientationTagger().fit()
    n_mentions = n_cued = 0
    for parsed in list(parsed_starter) + list(parsed_dev):
        for sent in parsed.sentences:
            doc = sent.doc
            matches = concepts.match(doc)
            words = sentence_words(doc)
            cues = tagger.cue_positions(words)
            blocked = {i for _, s, e in matches for i in range(s, e)}
            for _, start, end in matches:
                assert tagger._in_neighbourhood(doc, start, end, range(len(doc))) == tagger.neighbourhood(doc, start, end)
                found = tagger.orient(doc, start, end, blocked, words, cues)
                assert found == _orient_by_clause(tagger, doc, start, end, blocked, words)
                assert found == tagger.orient(doc, start, end, blocked)
                n_mentions += 1
                n_cued += bool(found.temporal_cues or found.evaluation_cues)
    assert n_mentions > 500 and n_cued > 100


def test_pointing_pretest_equals_token_read(parsed_starter):
    """The two-sentence reader's test for a noun of the previous sentence reads the Doc's arrays."""
    from corpus_tools.framing.discourse import _NOUNS, _has_noun

    for parsed in parsed_starter:
        for sent in parsed.sentences:
            doc = sent.doc
            for lemmas in ({t.lemma_.lower() for t in doc[:3]}, {t.lemma_.lower() for t in doc[-4:]}, {"zzz"}):
                assert _has_noun(doc, lemmas) == any(t.pos_ in _NOUNS and t.lemma_.lower() in lemmas for t in doc)
