"""Orientation of concept mentions: the cue words that decide it, read within the mention's clause."""
from __future__ import annotations

import pytest

from corpus_tools.framing import OrientationTagger


@pytest.fixture(scope="module")
def tagger():
    return OrientationTagger().fit()


def orient(nlp, tagger, text, word):
    doc = nlp(text)
    i = next(t.i for t in doc if t.lower_ == word)
    return tagger.orient(doc, i, i + 1)


def test_past_and_trouble(nlp, tagger):
    o = orient(nlp, tagger, "The traditional traffic model has run into a bottleneck.", "traffic")
    assert o.temporal == "old" and "traditional" in o.temporal_cues
    assert o.evaluation == "negative" and "bottleneck" in o.evaluation_cues


def test_present_future_and_favour(nlp, tagger):
    o = orient(nlp, tagger, "Now retention will be the key to a real breakthrough.", "retention")
    assert o.temporal == "new"
    assert o.evaluation == "positive" and "breakthrough" in o.evaluation_cues


def test_negation_flips_evaluation(nlp, tagger):
    o = orient(nlp, tagger, "Traffic is not effective any more.", "traffic")
    assert o.evaluation == "negative" and "not effective" in o.evaluation_cues


def test_no_longer_marks_the_past(nlp, tagger):
    o = orient(nlp, tagger, "The traffic dividend is no longer available.", "traffic")
    assert o.temporal == "old" and "no longer" in o.temporal_cues


def test_cues_in_another_clause_do_not_count(nlp, tagger):
    o = orient(nlp, tagger, "Platforms grew quickly, although the new retail stores failed.", "platforms")
    assert o.evaluation == "" and o.temporal == ""


def test_no_cue_no_orientation(nlp, tagger):
    o = orient(nlp, tagger, "Platforms connect buyers and sellers.", "platforms")
    assert (o.temporal, o.evaluation) == ("", "")


def test_custom_cues(nlp):
    tagger = OrientationTagger(negative={"sluggish"}, positive=set(), temporal_old=set(), temporal_new=set()).fit()
    o = orient(nlp, tagger, "Traffic growth is sluggish.", "traffic")
    assert o.evaluation_cues == ["sluggish"]


@pytest.fixture(scope="module")
def framing(starter_corpus, parsed_starter, nlp):
    from corpus_tools.framing import analyze_framing

    return analyze_framing(starter_corpus, parsed=parsed_starter, nlp=nlp)


def test_orientation_table_is_tidy(framing, starter_corpus):
    o = framing.orientation
    assert list(o.columns[:7]) == ["doc_id", "para_id", "sent_id", "concept", "text", "start", "end"]
    assert set(o["temporal"]) <= {"old", "new", "mixed", ""}
    assert set(o["evaluation"]) <= {"negative", "positive", "mixed", ""}
    for row in o.head(50).itertuples(index=False):
        assert starter_corpus.text(row.doc_id)[row.start:row.end] == row.text
    # every decided orientation names the words that decided it
    assert (o.loc[o["temporal"] != "", "temporal_cues"] != "").all()
    assert (o.loc[o["evaluation"] != "", "evaluation_cues"] != "").all()


def test_contrast_sides_orient_mentions(framing):
    o = framing.orientation
    sided = o[o["contrast_side"] != ""]
    assert len(sided) > 0
    assert (sided["temporal"] == sided["contrast_side"]).all()
    assert sided["temporal_cues"].str.startswith("contrast:").all()


def test_traffic_is_framed_as_past_more_than_reserve(framing):
    p = framing.profiles
    traffic = p[p["concept"] == "traffic"]
    reserve = p[p["concept"] == "reserve"]
    share = lambda f: (f["share_old"] * f["n_mentions"]).sum() / f["n_mentions"].sum()  # noqa: E731
    assert share(traffic) > share(reserve)
    assert traffic["contrast_old"].sum() > traffic["contrast_new"].sum()
    assert reserve["contrast_new"].sum() > reserve["contrast_old"].sum()
