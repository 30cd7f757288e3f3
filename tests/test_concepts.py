"""Concept extraction: matcher behaviour, and hand-counted mentions on the starter corpus."""
from __future__ import annotations

import pandas as pd
import pytest

from corpus_tools.concepts import ConceptExtractor, ConceptResult, extract_concepts
from corpus_tools.errors import LexiconError, NotFittedError
from corpus_tools.lexicon import ConceptEntry, Lexicon, load_lexicon
from corpus_tools.load import Corpus
from tests.conftest import doc_id_for_prefix

CORE = ["traffic", "reserve", "platform", "infrastructure", "deep_water"]

# Hand counts, made by reading each essay (the whole text, headings included; passages the
# loader drops as boilerplate or verbatim repeats are not counted). How I counted:
# - traffic: every "traffic", plus "flow" where it means traffic (all 12 uses of the noun in
#   these essays: "abundant flow", "flow and capital", "flow-oriented", "from the flow point of
#   view"). A phrase counts once: "public and private domain traffic", "traffic dividend",
#   "conversion of traffic", "B-terminal traffic" are one traffic mention each. "existing
#   traffic" is reserve, not traffic (001 has it three times: 13 "traffic" - 3 + 4 "flow" = 14).
# - reserve: "reserve"/"reserved volume" (002: six "reserve" + "reserved volume"), "retention"
#   (001: 3, 002: 2), "retain"/"retaining" (001: 3), "existing traffic" (001: 3), "stock era"
#   (003: 1). "reservations are real users" (002) is left out on purpose: "reservation" usually
#   means a booking or a doubt, so the lexicon does not list it.
# - platform: "platform(s)" (000: 7, 001: 8, 002: 13), "hub" (000, 001: 1 each), "center(s)" as a
#   noun (000: 3, 001: 2), "intermediary" (001, 002: 1 each), "matchmaker" (001: 1),
#   "de-platformed" (004: 1). "channel-centered"/"consumer-centered" (004) are not platforms.
# - infrastructure: 000: 1; 002: 6 (one of them "underlying infrastructure").
# - deep water: only in 000: "deep water" (title, "entering the deep water"), "deep waters",
#   "deep water zone", "deep water area", "deep well" twice and "deep well drilling" = 8.
EXPECTED = {
    #        traffic reserve platform infrastructure deep_water
    "000": (18, 0, 11, 1, 8),
    "001": (14, 9, 13, 0, 0),
    "002": (21, 9, 14, 6, 0),
    "003": (3, 1, 0, 0, 0),
    "004": (4, 0, 1, 0, 0),
}


@pytest.fixture(scope="module")
def result(starter_corpus, parsed_starter, nlp) -> ConceptResult:
    return extract_concepts(starter_corpus, parsed=parsed_starter, nlp=nlp)


def small(*entries: ConceptEntry) -> Lexicon:
    return Lexicon(list(entries))


# ---------------------------------------------------------------- matcher behaviour (blank pipeline)

def test_longest_match_wins_and_counts_once(blank_nlp):
    lex = small(
        ConceptEntry("traffic", patterns=["traffic", "private domain traffic"]),
        ConceptEntry("reserve", patterns=["existing traffic"]),
        ConceptEntry("private_domain", patterns=["private domain"]),
    )
    ex = ConceptExtractor(lex).fit(blank_nlp)
    doc = blank_nlp("Private domain traffic and existing traffic beat private domain and traffic.")
    found = [(c, doc[s:e].text) for c, s, e in ex.match(doc)]
    assert found == [("traffic", "Private domain traffic"), ("reserve", "existing traffic"),
                     ("private_domain", "private domain"), ("traffic", "traffic")]


def test_case_hyphen_variants_and_exclusions(blank_nlp):
    lex = small(
        ConceptEntry("omni", patterns=["omni-channel"]),
        ConceptEntry("internet", patterns=["internet"], exclude=["internet cafe"]),
    )
    ex = ConceptExtractor(lex).fit(blank_nlp)
    doc = blank_nlp("INTERNET and Omnichannel, omni channel, Omni-Channel; an Internet cafe.")
    assert [(c, doc[s:e].text) for c, s, e in ex.match(doc)] == [
        ("internet", "INTERNET"), ("omni", "Omnichannel"), ("omni", "omni channel"), ("omni", "Omni-Channel")]


def test_match_on_span_uses_doc_offsets(blank_nlp):
    ex = ConceptExtractor(small(ConceptEntry("hub", patterns=["hub"]))).fit(blank_nlp)
    doc = blank_nlp("A hub here and a hub there")
    assert ex.match(doc[3:7]) == [("hub", 5, 6)]
    assert ex.match(blank_nlp("")) == []


def test_not_fitted_and_bad_token_patterns(blank_nlp):
    with pytest.raises(NotFittedError):
        ConceptExtractor().match(blank_nlp("x"))
    # Refused when the lexicon is built, before any extractor is fitted.
    with pytest.raises(LexiconError, match="line 7: concept 'a': token pattern 1: not a valid spaCy Matcher pattern"):
        small(ConceptEntry("a", patterns=["x"], token_patterns=[[{"NOT_AN_ATTR": "x"}]], line=7))


# ---------------------------------------------------------------- lemma quirks (trained pipeline)

@pytest.mark.parametrize("sentence, expected", [
    ("Big data and user data matter; the data is clear.", [("new_technology", "Big data"), ("data", "user data"), ("data", "data")]),
    ("The platforms and centers acted as hubs.", [("platform", "platforms"), ("platform", "centers"), ("platform", "hubs")]),
    ("Retail will be de-platformed and decentralized.", [("platform", "de-platformed")]),
    ("We keep retaining and activating existing traffic.", [("reserve", "retaining"), ("reserve", "existing traffic")]),
    ("The reserved volume is the reserve.", [("reserve", "reserved volume"), ("reserve", "reserve")]),
    ("Retail is entering the Deep Waters, digging a deep well.", [("deep_water", "Deep Waters"), ("deep_water", "deep well")]),
    ("It moved from channel-centered to consumer-centered retail.", [("user_needs", "consumer-centered")]),
    ("Flow and capital drove it, not cash flow; money flows in.", [("traffic", "Flow")]),
    ("A logistics hub near the shopping center.", []),
    ("The e-commerce platform used live streaming and the Internet.",
     [("e_commerce", "e-commerce"), ("platform", "platform"), ("live_streaming", "live streaming"), ("internet", "Internet")]),
    ("The industrial Internet and public and private domain traffic.",
     [("industrial_internet", "industrial Internet"), ("traffic", "public and private domain traffic")]),
])
def test_builtin_lexicon_on_genre_wordings(nlp, sentence, expected):
    ex = ConceptExtractor().fit(nlp)
    doc = nlp(sentence)
    assert [(c, doc[s:e].text) for c, s, e in ex.match(doc)] == expected


# ---------------------------------------------------------------- the starter corpus

def test_core_concept_counts_match_hand_counts(result, starter_corpus):
    got = {}
    for prefix in EXPECTED:
        doc_id = doc_id_for_prefix(starter_corpus, prefix)
        rows = result.by_document[result.by_document.doc_id == doc_id].set_index("concept")["count"]
        got[prefix] = tuple(int(rows[c]) for c in CORE)
    assert got == EXPECTED


def test_deep_water_only_in_deep_water_essay_and_reserve_in_gravedigger(result, starter_corpus):
    deep = result.mentions[result.mentions.concept == "deep_water"]
    assert set(deep.doc_id) == {doc_id_for_prefix(starter_corpus, "000")}
    reserve = result.mentions[result.mentions.concept == "reserve"]
    by_doc = reserve.groupby("doc_id").size()
    assert by_doc.idxmax() in {doc_id_for_prefix(starter_corpus, p) for p in ("001", "002")}
    gravedigger = reserve[reserve.doc_id == doc_id_for_prefix(starter_corpus, "002")]
    assert {"reserve", "retention"} <= set(gravedigger.text.str.lower())


def test_mentions_quote_the_original_text(result, starter_corpus):
    m = result.mentions
    assert list(m.columns[:7]) == ["doc_id", "para_id", "sent_id", "concept", "text", "start", "end"]
    assert len(m) > 300
    for row in m.itertuples(index=False):
        assert starter_corpus.text(row.doc_id)[row.start:row.end] == row.text
    sents = starter_corpus.sentences.set_index("sent_id")
    joined = m.join(sents[["start", "end", "para_id"]], on="sent_id", rsuffix="_sent")
    assert (joined.start >= joined.start_sent).all() and (joined.end <= joined.end_sent).all()
    assert (joined.para_id == joined.para_id_sent).all()
    # no token is counted twice
    assert not m.duplicated(["sent_id", "token_start"]).any()


def test_by_document_is_a_full_grid_with_rates(result, starter_corpus):
    bd = result.by_document
    lex = result.lexicon
    assert len(bd) == len(starter_corpus.doc_ids) * len(lex)
    assert set(bd.concept) == set(lex.ids)
    words = starter_corpus.documents.set_index("doc_id")["n_words"]
    row = bd[(bd.doc_id == doc_id_for_prefix(starter_corpus, "000")) & (bd.concept == "deep_water")].iloc[0]
    assert row["per_1k_words"] == pytest.approx(8 * 1000 / words[row["doc_id"]], abs=0.01)
    assert 0 < row["share_paragraphs"] <= 1
    assert row["first_position"] < 0.01  # the title says "deep water"
    absent = bd[bd["count"] == 0]
    assert (absent.per_1k_words == 0).all() and absent.first_position.isna().all()
    assert (bd.share_paragraphs.between(0, 1)).all()
    counts = result.mentions.groupby(["doc_id", "concept"]).size()
    present = bd[bd["count"] > 0].set_index(["doc_id", "concept"])["count"]
    assert present.sort_index().equals(counts.sort_index())


def test_wide_table_and_totals(result, starter_corpus):
    wide = result.table()
    assert list(wide.index) == list(starter_corpus.doc_ids)
    assert list(wide.columns) == result.lexicon.ids
    assert result.table(labels=True, drop_empty=True).columns[0] == "Traffic"
    totals = result.totals()
    assert totals.set_index("concept")["count"].sum() == len(result.mentions)


def test_ranked_lists_mentioned_concepts_with_counts_rates_and_peaks(result, starter_corpus):
    """What the report's concept table shows, computed by the stage: checked by hand on deep water,
    whose 8 mentions are all in the essay on the 'deep water' of retail (1,241 words of 5,576)."""
    ranked = result.ranked()
    assert list(ranked.columns) == ["concept", "label", "count", "n_docs", "per_1k_words", "peak_doc_id",
                                    "peak_count", "peak_per_1k_words", "forms"]
    deep = ranked.set_index("concept").loc["deep_water"]
    essay = doc_id_for_prefix(starter_corpus, "000")
    words = starter_corpus.documents.set_index("doc_id")["n_words"]
    assert (words[essay], int(words.sum())) == (1241, 5576)
    assert (deep["label"], deep["count"], deep["n_docs"], deep["peak_doc_id"], deep["peak_count"]) == \
        ("Deep water", 8, 1, essay, 8)
    assert deep["per_1k_words"] == pytest.approx(8000 / 5576)  # over the corpus, unrounded
    # 8000 / 1241 = 6.446, unrounded (by_document's 6.45 would print as 6.5 at one decimal)
    assert deep["peak_per_1k_words"] == pytest.approx(8000 / 1241)
    assert "%.1f" % deep["peak_per_1k_words"] == "6.4"
    # Its commonest surface forms, lowercased: "deep water" and "deep well" twice each in that essay
    # (the other four mentions are "deep waters", "deep well drilling", "deep water zone" and "... area").
    forms = deep["forms"].split("; ")
    assert set(forms[:2]) == {"deep water", "deep well"} and len(forms) == 4
    assert result.ranked(n_forms=1).set_index("concept").loc["traffic", "forms"] == "traffic"
    # Only concepts with a mention; most mentioned first, ties by id; counts agree with totals().
    totals = result.totals().set_index("concept")
    assert set(ranked["concept"]) == set(totals.index[totals["count"] > 0])
    keys = list(zip(-ranked["count"], ranked["concept"]))
    assert keys == sorted(keys)
    assert (ranked.set_index("concept")["count"] == totals.loc[ranked["concept"], "count"]).all()
    assert (ranked.set_index("concept")["n_docs"] == totals.loc[ranked["concept"], "n_docs"]).all()
    # The peak is the essay of the highest rate, by the unrounded rate that by_document rounds.
    bd = result.by_document
    for r in ranked.head(5).itertuples():
        rows = bd[bd["concept"] == r.concept]
        rates = rows["count"] * 1000 / rows["doc_id"].map(words)
        assert r.peak_per_1k_words == pytest.approx(rates.max())
        assert round(r.peak_per_1k_words, 2) == rows["per_1k_words"].max()
        assert r.peak_doc_id == rows[rates == rates.max()]["doc_id"].min()


def test_ranked_is_empty_when_nothing_is_mentioned(blank_nlp):
    corpus = Corpus.from_texts({"a": "Nothing of the lexicon here.\n\nStill nothing."})
    result = extract_concepts(corpus, small(ConceptEntry("deep_water", patterns=["deep water"])),
                              nlp=blank_nlp, suggest=False)
    assert result.ranked().empty and list(result.ranked().columns)[:3] == ["concept", "label", "count"]


def test_ranked_peak_is_read_from_the_unrounded_rate():
    """1 mention in 402 and in 401 words both round to 2.49 per 1k in by_document: the peak is the
    denser essay, and its rate is given unrounded (the report rounds it once)."""
    by_document = pd.DataFrame({"doc_id": ["a", "b"], "concept": ["x", "x"], "label": ["X", "X"],
                                "count": [1, 1], "per_1k_words": [2.49, 2.49]})
    mentions = pd.DataFrame({"doc_id": ["a", "b"], "concept": ["x", "x"], "text": ["x", "x"]})
    lexicon = small(ConceptEntry("x", patterns=["x"]))
    common = dict(mentions=mentions, by_document=by_document, cooccurrence=pd.DataFrame(),
                  suggestions=pd.DataFrame(), lexicon=lexicon, doc_ids=["a", "b"], total_words=803)
    peak = ConceptResult(**common, doc_words={"a": 402, "b": 401}).ranked().iloc[0]
    assert (peak["peak_doc_id"], peak["peak_count"]) == ("b", 1)
    assert peak["peak_per_1k_words"] == pytest.approx(1000 / 401)
    # a result made without word counts (hand-built, say) still ranks by by_document
    peak = ConceptResult(**common).ranked().iloc[0]
    assert (peak["peak_doc_id"], peak["peak_per_1k_words"]) == ("a", 2.49)


def test_cooccurrence_counts_units_once(result):
    co = result.cooccurrence
    assert set(co.scope) == {"sentence", "paragraph"}
    m = result.mentions
    pair = co[(co.concept_a == "traffic") & (co.concept_b == "reserve") & (co.scope == "sentence")]
    sets = m.groupby("sent_id")["concept"].agg(set)
    assert int(pair["count"].iloc[0]) == sum(1 for s in sets if {"traffic", "reserve"} <= s)
    order = {c: i for i, c in enumerate(result.lexicon.ids)}
    assert (co.concept_a.map(order) < co.concept_b.map(order)).all()
    sent = co[co.scope == "sentence"].set_index(["concept_a", "concept_b"])["count"]
    para = co[co.scope == "paragraph"].set_index(["concept_a", "concept_b"])["count"]
    assert set(sent.index) <= set(para.index)  # a shared sentence is a shared paragraph


def test_parsing_inside_equals_given_parse_and_custom_lexicon(starter_corpus, nlp, tmp_path):
    path = tmp_path / "lex.toml"
    path.write_text('[[concept]]\nid = "dw"\nlabel = "Deep"\npatterns = ["deep water", "deep well"]\n')
    res = extract_concepts(starter_corpus, lexicon=path, nlp=nlp, cache_dir=tmp_path / "cache", suggest=False)
    assert res.lexicon.ids == ["dw"]
    # without the longer built-in patterns, "deep water zone" is still a "deep water" mention
    assert len(res.mentions) == 8
    assert res.suggestions.empty
    assert isinstance(res.mentions, pd.DataFrame)


def test_bad_lexicon_stops_before_work(starter_corpus, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[[concept]]\nid = "a"\npatterns = []\n')
    with pytest.raises(LexiconError, match=r"bad.toml: line 3: concept 'a': empty pattern list"):
        extract_concepts(starter_corpus, lexicon=path, parsed=[])


def test_transform_document_rows(parsed_starter, nlp, starter_corpus):
    ex = ConceptExtractor(load_lexicon()).fit(nlp)
    parsed = parsed_starter[0]
    rows = ex.transform_document(parsed)
    assert rows and {"token_start", "token_end", "matched", "lemma"} <= set(rows[0])
    text = starter_corpus.text(parsed.doc_id)
    with_text = ex.transform_document(parsed, text)
    assert [r["start"] for r in rows] == [r["start"] for r in with_text]
    for r in with_text:
        sent = next(s for s in parsed.sentences if s.sent_id == r["sent_id"])
        assert sent.doc[r["token_start"]:r["token_end"]].text == r["matched"]
        assert " ".join(r["matched"].split()) == " ".join(r["text"].replace("“", '"').replace("”", '"').split())
