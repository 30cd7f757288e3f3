"""The framing quality bar on the starter corpus and its gold, and the gold matching rule itself."""
from __future__ import annotations

import pandas as pd
import pytest

from corpus_tools.framing.evaluate import load_gold, marking_words, score_frames, side_matches
from tests.conftest import DATA_DIR, doc_id_for_prefix


@pytest.fixture(scope="module")
def framing(starter_corpus, parsed_starter, nlp):
    from corpus_tools.framing import analyze_framing

    return analyze_framing(starter_corpus, parsed=parsed_starter, nlp=nlp)


@pytest.fixture(scope="module")
def scores(framing, gold_contrasts, starter_corpus):
    return score_frames(framing.contrasts, gold_contrasts, starter_corpus.sentences)


def test_recall_on_core_rows(scores):
    assert scores["core"].recall >= 0.85, scores["core"]


def test_precision_over_all_frames(scores):
    assert scores["all"].precision >= 0.80, scores["all"]


def test_no_frames_from_additive_negatives(framing, gold_additive_negatives, starter_corpus):
    from corpus_tools.framing.evaluate import normalize

    sentences = framing.contrasts["sentence"].map(normalize)
    for row in gold_additive_negatives.itertuples(index=False):
        doc_id = doc_id_for_prefix(starter_corpus, row.doc)
        hits = framing.contrasts[(framing.contrasts["doc_id"] == doc_id)
                                 & sentences.str.contains(normalize(row.evidence), regex=False)]
        assert hits.empty, hits[["cue", "old", "new"]]


def test_speaker_on_attributed_row(framing, gold_contrasts, starter_corpus):
    from corpus_tools.framing.evaluate import normalize

    for row in gold_contrasts[gold_contrasts["speaker"] == "others"].itertuples(index=False):
        doc_id = doc_id_for_prefix(starter_corpus, row.doc)
        mine = framing.contrasts[(framing.contrasts["doc_id"] == doc_id) & framing.contrasts["sentence"].map(
            normalize).str.contains(normalize(row.evidence), regex=False)]
        assert len(mine) >= 1
        assert set(mine["speaker"]) == {"others"}


def test_most_frames_are_the_authors(framing):
    assert (framing.contrasts["speaker"] == "author").mean() >= 0.9


def test_offsets_quote_the_original_text(framing, starter_corpus):
    for row in framing.contrasts.itertuples(index=False):
        text = starter_corpus.text(row.doc_id)
        assert text[row.old_start:row.old_end] == row.old
        if row.new:
            assert text[row.new_start:row.new_end] == row.new


def test_platform_to_infrastructure_is_mapped_to_concepts(framing):
    pairs = set(zip(framing.contrasts["old_concept"], framing.contrasts["new_concept"]))
    assert ("platform", "infrastructure") in pairs
    assert ("traffic", "reserve") in pairs


# ----------------------------------------------------------------------------- the matching rule

def _found(rows):
    return pd.DataFrame(rows, columns=["doc_id", "sent_id", "old", "new", "sentence"])


GOLD = pd.DataFrame([{"doc": "000", "old": "era of traffic", "new": "era of retention", "cue": "from X to Y",
                      "level": "core", "speaker": "author", "evidence": "from the era of traffic to the era of retention"}])
SENT = "The industry moved from the era of traffic to the era of retention."


def test_marking_words_are_what_the_other_side_lacks():
    assert marking_words("era of traffic", "era of retention") == {"traffic"}


def test_exact_frame_matches():
    s = score_frames(_found([("000_x", "s1", "era of traffic", "era of retention", SENT)]), GOLD)
    assert s["all"].precision == 1.0 and s["all"].recall == 1.0


def test_swapped_sides_score_nothing():
    s = score_frames(_found([("000_x", "s1", "era of retention", "era of traffic", SENT)]), GOLD)
    assert s["all"].recall == 0.0


def test_whole_sentence_as_both_sides_scores_nothing():
    s = score_frames(_found([("000_x", "s1", SENT, SENT, SENT)]), GOLD)
    assert s["all"].recall == 0.0


def test_each_gold_row_matches_one_frame():
    row = ("000_x", "s1", "traffic", "retention", SENT)
    s = score_frames(_found([row, row]), GOLD)
    assert s["all"].matched_gold == 1 and s["all"].precision == 0.5


def test_other_sentence_does_not_match():
    s = score_frames(_found([("000_x", "s2", "traffic", "retention", "Traffic gave way to retention.")]), GOLD)
    assert s["all"].recall == 0.0


def test_empty_gold_new_accepts_anything_and_length_is_bounded():
    assert side_matches("", "", "old model")
    assert side_matches("anything at all", "", "old model")
    assert not side_matches("the very long old development model that everyone used for many years", "old model", "")
    assert side_matches("curly “old model”", "old model", "new model")


def test_load_gold_reports_missing_columns(tmp_path):
    from corpus_tools.framing.evaluate import GoldFileError

    bad = tmp_path / "bad.csv"
    bad.write_text("doc,old\n000,x\n", encoding="utf-8")
    with pytest.raises(GoldFileError, match="lacks column"):
        load_gold(bad)
    assert len(load_gold(DATA_DIR / "seed_contrasts.csv")) > 0


def test_bootstrap_keeps_the_score_and_draws_whole_essays():
    from corpus_tools.framing.evaluate import bootstrap_scores

    gold = pd.concat([GOLD, GOLD.assign(doc="001")], ignore_index=True)
    found = _found([("000_x", "s1", "era of traffic", "era of retention", SENT),  # right
                    ("001_y", "s1", "era of retention", "era of traffic", SENT)])  # swapped: wrong
    table = bootstrap_scores(found, gold, doc_ids=["000_x", "001_y", "002_z"], n_resamples=400).set_index("metric")
    assert table.loc["f1", "value"] == pytest.approx(score_frames(found, gold)["all"].f1) == 0.5
    assert set(table["n_essays"]) == {3}  # the essay with neither gold nor frames counts too
    # Resamples of these three essays can hold only the right one (1.0) or only the wrong one (0.0).
    assert table.loc["precision", "low"] == 0.0 and table.loc["precision", "high"] == 1.0
    again = bootstrap_scores(found, gold, doc_ids=["000_x", "001_y", "002_z"], n_resamples=400)
    pd.testing.assert_frame_equal(table.reset_index(), again)
    single = bootstrap_scores(found, gold, doc_ids=["000_x"], n_resamples=50).set_index("metric")
    assert (single["low"] == single["value"]).all() and (single["high"] == single["value"]).all()
    with pytest.raises(ValueError, match="n_resamples"):
        bootstrap_scores(found, gold, doc_ids=["000_x"], n_resamples=0)


def test_a_two_sentence_frame_is_matched_on_its_passage():
    first = "In the past, traffic was everything."
    second = "Today, retention is what counts."
    gold = pd.DataFrame([{"doc": "000", "old": "traffic", "new": "retention", "cue": "X; today Y", "level": "hard",
                          "speaker": "author", "evidence": "In the past, traffic was everything"}])
    found = _found([("000_x", "s2", "traffic", "retention", f"{first} {second}")])
    sentences = {"s1": first, "s2": second}
    assert score_frames(found.assign(first_sent_id="s1"), gold, sentences)["all"].recall == 1.0
    assert score_frames(found.assign(first_sent_id="s2"), gold, sentences)["all"].recall == 0.0  # one sentence
