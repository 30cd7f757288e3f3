"""Implicit contrasts inside one sentence: a decline set against a rise, "unlike X, which is A, Y is B",
"compared with X, Y is actually B", "Y is different from the traditional X", "not so much X as Y",
"far from X, Y is Z", two values of one dimension ("X is still A, while Y is B") and temporal pairs
("the first half ... the second half", "yesterday's ... today's", "the old ... the new").
Each class is tested on invented sentences, with the plain comparisons it must leave alone."""
from __future__ import annotations

import pytest

from corpus_tools.framing import ContrastExtractor
from tests._frames import frames_by_family as frames


@pytest.mark.parametrize("text, family, old, new", [
    # a decline against a rise in a linked clause: what declines is the old side
    ("Discount culture is declining, while membership loyalty is growing.", "decline", "Discount culture",
     "membership loyalty"),
    ("As the price war fades, the service economy rises.", "decline", "price war", "service economy"),
    ("The discount model is weakened, while the membership model is strengthened.", "decline", "discount model",
     "membership model"),
    ("The catalogue channel continues to weaken, while the community channel keeps growing.", "decline",
     "catalogue channel", "community channel"),
    # unlike X, which is A, Y is B: the two characterisations
    ("Unlike the catalogue model, which was a one-way push of goods, the membership club is really a "
     "conversation with regulars.", "set_against", "one-way push of goods", "conversation with regulars"),
    ("Unlike the mall, which is a temple of spending, the bookshop is a room for reading.", "set_against",
     "temple of spending", "room for reading"),
    # compared with X, Y is actually B: what Y really is, against X
    ("Compared with the catalogue model, the membership club is in fact a conversation with regulars.",
     "set_against", "catalogue model", "conversation with regulars"),
    ("Compared with chasing traffic, building loyalty is actually the engine of growth.", "set_against",
     "chasing traffic", "engine of growth"),
    # different from: the side marked older is the old one, whichever way round
    ("Digital retail is fundamentally different from the traditional e-commerce model.", "different",
     "traditional e-commerce model", "Digital retail"),
    ("The traditional e-commerce model is quite different from digital retail.", "different",
     "traditional e-commerce model", "digital retail"),
    ("The club model is different from the catalogue model we knew in the past.", "different",
     "catalogue model we knew in the past", "club model"),
    # degree: not so much X as Y, less X than Y, more Y than X, less about X and more about Y
    ("Retail is not so much a trade in goods as a service of time.", "degree", "trade", "service of time"),
    ("Membership is less a discount scheme than a relationship.", "degree", "discount scheme", "relationship"),
    ("The club is more a community than a catalogue.", "degree", "catalogue", "community"),
    ("The bookshop is less about selling titles and more about hosting readers.", "degree", "selling titles",
     "hosting readers"),
    # no longer about X, it is about Y (a negated second clause names nothing new)
    ("Retail is no longer about traffic, it is about retention.", "negated_framing", "traffic", "retention"),
    ("Retail is no longer about selling products; it is about serving members.", "negated_framing",
     "selling products", "serving members"),
    ("Retail is no longer about traffic, and it is not about price either.", "negated_framing", "traffic", ""),
    # far from X, Y is Z
    ("Far from being a channel, the live room is an infrastructure.", "far_from", "channel", "infrastructure"),
    # two values of one dimension, the old one told by tense or by a marker of age
    ("The catalogue was a channel of sales, whereas the community group is a channel of trust.", "parallel",
     "channel of sales", "channel of trust"),
    ("Digital retail is a game of data, while traditional retail is a game of location.", "parallel",
     "game of location", "game of data"),
    # temporal pairs in one sentence
    ("In the first half of e-commerce, platforms competed for traffic; in the second half, they compete for "
     "retention.", "temporal_halves", "traffic", "retention"),
    ("Yesterday's bookshop sold titles, while today's bookshop sells an afternoon.", "temporal_then_now",
     "titles", "afternoon"),
    ("The old bookshop sold titles, and the new bookshop sells an afternoon.", "temporal_then_now", "titles",
     "afternoon"),
])
def test_implicit_contrasts(nlp, extractor, text, family, old, new):
    found = frames(nlp, extractor, text)
    assert (family, old, new) in found, found


@pytest.mark.parametrize("text", [
    # a decline alone, a cause, a negated decline, amounts
    "The market shrank last year.",
    "The old model declined because the membership model grew.",
    "The discount model is not declining, while the membership model grows.",
    "Sales declined while costs rose.",
    "Margins shrink as competition intensifies.",
    "Profits declined while online orders grew.",
    # plain comparisons of two things
    "Unlike the mall, the club is a place of conversation.",
    "Unlike department stores, which are built for weekends, community clubs are a daily stop.",
    "Unlike Amazon, which is an American group, Alibaba is a Chinese group.",
    "Unlike JD, which is a retailer, Taobao is a marketplace.",
    "Unlike the old stores, which were small, the new ones are bigger.",
    "Compared with department stores, community shops are more convenient.",
    "Compared with the catalogue, the club is a warmer place.",
    "Compared with the catalogue model, the membership club is a conversation with regulars.",
    "Compared with malls, outlets are actually a cheaper channel.",
    "Compared with the big platforms, there are more opportunities for small shops.",
    "Compared with 2019, the market is actually a smaller one.",
    # things that differ, with nothing that tells the old one; a negated difference
    "Physical stores are different from online shops.",
    "Membership is different from a discount scheme.",
    "Digital retail is not different from the traditional e-commerce model.",
    # more / less of an amount or a degree, a clause after "than", a literal place
    "JD has more traffic than Taobao.",
    "Online shops are more efficient than malls.",
    "We need more data than ever.",
    "There are more a few issues than we thought.",
    "Far from the city, the club is a refuge.",
    # two values with nothing that tells the old one, or two players
    "Offline is a channel of sales, while online is a channel of marketing.",
    "Alibaba is a platform, while JD is a retailer.",
    "The shop is a place of sale, while the club is a place of meeting.",
    # halves and old / new that are literal or name no framing
    "In the first half of the year, sales grew; in the second half, sales fell.",
    "The old store closed and the new store opened in May.",
    "The old customers buy more than the new customers.",
    "In the first stage, we built warehouses; in the second stage, we built stores.",
])
def test_plain_comparisons_are_not_frames(nlp, extractor, text):
    assert frames(nlp, extractor, text) == []


def test_new_classes_are_data(nlp):
    """Each class is in the grammar file and can be switched off by family like any other."""
    from corpus_tools.framing.grammar import load_grammar

    names = set(load_grammar().class_names)
    assert {"decline", "set_against", "parallel", "different", "degree", "far_from", "temporal_halves",
            "temporal_then_now"} <= names
    text = "As the price war fades, the service economy rises."
    without = ContrastExtractor(families=sorted(names - {"decline"})).fit(nlp)
    assert all(f[0] != "decline" for f in frames(nlp, without, text))


def test_implicit_classes_find_the_starter_hard_rows(starter_framing, gold_contrasts, starter_corpus):
    """On real text: the starter gold's in-sentence implicit rows ("unlike X, which ...", "X weakens,
    while Y strengthens") are found, and every frame of the new classes there matches a gold row."""
    from corpus_tools.framing.evaluate import match_frames

    contrasts = starter_framing.contrasts.reset_index(drop=True)
    matching = match_frames(contrasts, gold_contrasts, starter_corpus.sentences)
    gold = gold_contrasts.reset_index(drop=True)
    found_cues = {gold.loc[g, "cue"] for g in matching}
    assert {"unlike X, Y", "X weakens, while Y strengthens"} <= found_cues, found_cues
    new_classes = contrasts.index[contrasts["family"].isin(["decline", "set_against", "parallel", "different",
                                                            "temporal_halves", "temporal_then_now"])]
    assert len(new_classes) >= 3
    assert set(new_classes) <= set(matching.values()), contrasts.loc[new_classes, ["cue", "old", "new"]]
