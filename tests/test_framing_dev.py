"""Framing on essays the rules were not written for: the 30 dev essays and their gold, by half.

Rules are developed on the starter corpus and the dev ``tune`` half only; the ``heldout`` half is
scored, never used to choose a rule. The floors sit a little under what the built-in grammar
reaches, so a change that loses frames on unseen text fails here.
"""
from __future__ import annotations

import pytest

from corpus_tools.framing.evaluate import (
    doc_id_of_file, match_frames, normalize, score_by_half, score_frames,
)

# measured with the built-in grammar (see the framing grammar commit messages): F1 on each half
# (tune F1 0.93 P 0.97, held-out F1 0.34 P 0.34, all F1 0.65 P 0.67). The held-out precision floor went
# from 0.35 to 0.33 when a trap left behind became a frame on its own ("escape the traffic trap"): one
# held-out essay holds that frame with a new side the reader does not find, so it counts as unmatched.
FLOORS = {"tune": {"f1": 0.88, "precision": 0.93}, "heldout": {"f1": 0.33, "precision": 0.33},
          "all": {"f1": 0.62, "precision": 0.64}}


@pytest.fixture(scope="module")
def halves(dev_split):
    return {doc_id_of_file(f): h for f, h in zip(dev_split["file"], dev_split["half"])}


@pytest.fixture(scope="module")
def dev_scores(dev_framing, dev_gold_contrasts, halves, dev_corpus):
    return score_by_half(dev_framing.contrasts, dev_gold_contrasts, halves, dev_corpus.sentences)


@pytest.mark.parametrize("half", ["tune", "heldout", "all"])
def test_dev_floors(dev_scores, half):
    score = dev_scores[half]["all"]
    assert score.f1 >= FLOORS[half]["f1"], (half, score)
    assert score.precision >= FLOORS[half]["precision"], (half, score)


def test_dev_halves_cover_every_gold_row(dev_scores, dev_gold_contrasts):
    assert dev_scores["tune"]["all"].n_gold + dev_scores["heldout"]["all"].n_gold == len(dev_gold_contrasts)


def test_no_additive_frame_in_dev_negatives(dev_framing, dev_gold_negatives, dev_gold_contrasts, dev_corpus):
    """No look-alike ("not only X, but also Y") yields a frame. A negative sentence may hold a separate
    gold contrast (its note says so); a frame there must then be that gold row."""
    contrasts = dev_framing.contrasts.reset_index(drop=True)
    matched = set(match_frames(contrasts, dev_gold_contrasts, dev_corpus.sentences).values())
    sentences = contrasts["sentence"].map(normalize)
    for row in dev_gold_negatives.itertuples(index=False):
        doc_id = doc_id_of_file(row.file)
        hits = contrasts[(contrasts["doc_id"] == doc_id) & sentences.str.contains(normalize(row.evidence), regex=False)]
        stray = hits[~hits.index.isin(matched)]
        assert stray.empty, (row.evidence, stray[["cue", "old", "new"]].to_dict("records"))


def test_sides_keep_hyphenated_words_whole(dev_framing):
    for side in list(dev_framing.contrasts["old"]) + list(dev_framing.contrasts["new"]):
        words = side.split()
        assert not words or not (words[0].startswith("-") or words[-1].endswith("-")), side
        assert side.count('"') % 2 == 0 and side.count("“") == side.count("”"), side


def test_head_columns(dev_framing, starter_framing):
    for result in (dev_framing, starter_framing):
        c = result.contrasts
        assert {"old_head", "new_head"} <= set(c.columns)
        assert (c["old_head"] != "").all()
        assert ((c["new"] == "") == (c["new_head"] == "")).all()
        assert (c["old_head"] == c["old_head"].str.lower()).all()
    heads = set(dev_framing.contrasts["old_head"])
    assert "e-commerce" in heads  # a hyphenated head stays one word


def test_starter_floors_hold_with_the_grammar(starter_framing, gold_contrasts, starter_corpus):
    scores = score_frames(starter_framing.contrasts, gold_contrasts, starter_corpus.sentences)
    assert scores["core"].recall >= 0.95, scores["core"]
    assert scores["all"].precision >= 0.80, scores["all"]


def test_concept_mentions_on_dev(dev_corpus, parsed_dev):
    """Five-concept mentions against tests/data/dev/gold_concepts.csv: a found mention matches a gold
    mention of the same concept that it overlaps (the gold span is ``surface`` inside ``evidence``)."""
    import pandas as pd

    from corpus_tools.concepts import extract_concepts
    from tests.conftest import DEV_DIR

    gold = pd.read_csv(DEV_DIR / "gold_concepts.csv", dtype=str, keep_default_na=False)
    found = extract_concepts(dev_corpus).mentions
    found = found[found["concept"].isin(set(gold["concept"]))].reset_index(drop=True)
    used: set[int] = set()
    matched = 0
    for g in gold.itertuples(index=False):
        doc_id = doc_id_of_file(g.file)
        text = dev_corpus.text(doc_id)
        at = normalize_quotes(text).find(normalize_quotes(g.evidence))
        assert at >= 0, g.evidence
        start = at + text[at:at + len(g.evidence)].lower().find(g.surface.lower())
        end = start + len(g.surface)
        for i, f in enumerate(found.itertuples(index=False)):
            if i not in used and f.doc_id == doc_id and f.concept == g.concept and f.start < end and start < f.end:
                used.add(i)
                matched += 1
                break
    precision, recall = len(used) / len(found), matched / len(gold)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.97, (precision, recall, f1)


def normalize_quotes(text: str) -> str:
    return text.replace("“", '"').replace("”", '"').replace("’", "'").replace("‘", "'")
