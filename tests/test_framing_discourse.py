"""Frames across two adjacent sentences (framing/discourse.py): what fires, what must not, the data
file's errors, and how such a frame is reported and scored."""
from __future__ import annotations

import pytest

from corpus_tools.errors import FrameGrammarError
from corpus_tools.framing.discourse import builtin_discourse_path, load_discourse, parse_discourse


@pytest.fixture(scope="module")
def extractor(nlp):
    from corpus_tools.framing import FramingExtractor

    return FramingExtractor().fit(nlp)


@pytest.fixture(scope="module")
def single(nlp):
    from corpus_tools.framing import FramingExtractor

    return FramingExtractor(discourse=False).fit(nlp)


def contrasts(nlp, fx, text):
    """The contrast rows of a one-paragraph text, with their sides checked against the offsets."""
    from corpus_tools.load import load_text
    from corpus_tools.parse import Parser

    corpus = load_text(text)
    parser = Parser(nlp=nlp, use_cache=False).fit()
    rows = []
    for parsed in parser.iter_parse(corpus):
        original = corpus.text(parsed.doc_id)
        for row in fx.transform_document(parsed, original)["contrasts"]:
            for side in ("old", "new"):
                if row[f"{side}_start"] is not None:
                    assert original[row[f"{side}_start"]:row[f"{side}_end"]] == row[side]
                    assert row[side] in row["sentence"]
            rows.append(row)
    return rows


def sides(rows, family=None):
    return [(r["old"], r["new"]) for r in rows if family is None or r["family"] == family]


@pytest.mark.parametrize("text, old, new", [
    ("In the past, e-commerce was a sales channel. Today, it is an infrastructure for the whole retail industry.",
     "sales channel", "infrastructure for the whole retail industry"),
    ("Traditionally, bookshops were a channel for publishers. Now, bookshops are a hub of community life.",
     "channel for publishers", "hub of community life"),
    ("Many people regard membership as a discount scheme. In fact, membership is a relationship with readers.",
     "discount scheme", "relationship with readers"),
    ("The prevailing view is that retail is a channel business. In fact, retail is a service business.",
     "channel business", "service business"),
    ("For a long time, retail was seen as a channel business. Today, it is seen as a service business.",
     "channel business", "service business"),
    ("It used to be a battle for traffic. Now it is a battle for users.", "battle for traffic", "battle for users"),
    ("Once, the supermarket was the centre of urban consumption. "
     "Today, community commerce is the centre of urban consumption.", "supermarket", "community commerce"),
    # a view marked as the first one, or a time that is over ("There was a time when X was A")
    ("Initially, the loyalty app was a coupon wallet. Now it is a membership platform.",
     "coupon wallet", "membership platform"),
    ("There was a time when the mall was a shopping destination. Today, it is a social venue.",
     "shopping destination", "social venue"),
    ("Flow and capital are no longer the fundamental energy that drives retail. "
     "The transformation of retail itself is the original energy that drives its development.",
     "Flow and capital", "transformation of retail itself"),
])
def test_pair_readers_find_the_frame(nlp, extractor, text, old, new):
    rows = contrasts(nlp, extractor, text)
    found = [r for r in rows if r["family"] == "discourse"]
    assert (old, new) in sides(found)
    row = found[0]
    assert row["sent_id"].endswith("-s02")  # reported at the sentence holding the turn
    assert row["sentence"].startswith(text.split(". ")[0][:20])  # quoting both sentences
    assert row["old_start"] < len(text.split(". ")[0]) + 2  # the old side lies in the first sentence


def test_pointing_side_is_resolved_to_the_previous_sentence(nlp, extractor, single):
    text = ("Historically, e-commerce was driven by incremental market logic. "
            "However, the sector has long surpassed this framework, embarking on a fresh developmental trajectory.")
    assert not any("logic" in r["old"] for r in contrasts(nlp, single, text))
    rows = contrasts(nlp, extractor, text)
    resolved = [r for r in rows if "[this framework]" in r["cue"]]
    assert [(r["old"], r["new"]) for r in resolved] == [("incremental market logic", "fresh developmental trajectory")]
    assert resolved[0]["family"] != "discourse"  # the in-sentence class that read it
    assert resolved[0]["old_head"] == "logic"


@pytest.mark.parametrize("text, old, new", [
    ("The platform model dominated by traffic shaped the industry for a decade. Today, this model has come to an end.",
     "platform model dominated by traffic", ""),
    ("The era of cheap traffic lasted ten years. This era is over.", "era of cheap traffic", ""),
    ("Many retailers adopted the membership model in 2019. However, we must say goodbye to this model and embrace "
     "the service model.", "membership model", "service model"),
])
def test_reverse_order_names_what_the_first_sentence_set_up(nlp, extractor, single, text, old, new):
    assert (old, new) in sides(contrasts(nlp, extractor, text))
    assert (old, new) not in sides(contrasts(nlp, single, text))


def test_a_pointing_side_finds_only_its_own_kind(nlp, extractor):
    # "this model" is a way of doing, not a time: "a new era of data" is no antecedent
    text = "Retailers entered a new era of data. This model is now obsolete."
    assert not [r for r in contrasts(nlp, extractor, text) if "[" in r["cue"]]


@pytest.mark.parametrize("text", [
    # a turn word that turns no framing
    "Traffic is important for merchants. However, the cost of traffic keeps rising.",
    "In the past, the weather was mild. However, it rained every day this year.",
    "In the past, JD focused on logistics. Now, it also invests in artificial intelligence.",
    # another topic and another claim: two facts, not one framing turned
    "In the past, e-commerce was a channel. Today, logistics is the bottleneck.",
    # the same claim again
    "For a long time, traffic was the key to growth. Today, traffic is still the key to growth.",
    "We believe that retail is a service. However, the service must be paid for.",
    "Once, we thought that the pattern of e-commerce was already set. "
    "However, the pattern of the e-commerce market has not been determined.",
    # a pointing side with nothing to point back to
    "Retail has changed a lot. However, we must say goodbye to this model.",
    # a restatement whose role noun differs
    "Traffic is no longer the main cost. Data is the main asset.",
])
def test_a_turn_alone_makes_no_frame(nlp, extractor, text):
    rows = contrasts(nlp, extractor, text)
    assert not [r for r in rows if r["family"] == "discourse" or "[" in r["cue"]], rows


def test_a_turn_against_a_reported_view_is_the_authors(nlp, extractor):
    text = ("Many people believe that bookshops are a channel for publishers. "
            "Today, bookshops are a hub of community life.")
    rows = [r for r in contrasts(nlp, extractor, text) if r["family"] == "discourse"]
    assert [(r["old"], r["new"], r["speaker"]) for r in rows] == [
        ("channel for publishers", "hub of community life", "author")]


def test_pairs_stay_inside_a_paragraph(nlp, extractor):
    text = "In the past, e-commerce was a sales channel.\n\nToday, it is an infrastructure for retail."
    assert not [r for r in contrasts(nlp, extractor, text) if r["family"] == "discourse"]


def test_a_second_sentence_that_frames_on_its_own_is_not_doubled(nlp, extractor):
    text = "Many believe that private traffic is a marketing tool. However, private traffic is not a marketing tool."
    rows = contrasts(nlp, extractor, text)
    assert [r["old"] for r in rows].count("marketing tool") == 1
    text = "In the past, traffic was the core of e-commerce. Today, traffic is no longer the core of e-commerce."
    assert not [r for r in contrasts(nlp, extractor, text) if r["family"] == "discourse"]


def test_a_denied_held_view_without_a_frame_of_its_own(nlp, extractor):
    text = "In the past, e-commerce was a sales channel. However, it is not a channel any more."
    assert sides(contrasts(nlp, extractor, text), "discourse") == [("sales channel", "")]


def test_two_sentence_frame_matches_gold_evidence_in_either_sentence(nlp, extractor):
    import pandas as pd

    from corpus_tools.framing.evaluate import score_frames
    from corpus_tools.load import load_text

    text = "In the past, e-commerce was a sales channel. Today, it is an infrastructure for the whole retail industry."
    found = pd.DataFrame(contrasts(nlp, extractor, text))
    sentences = load_text(text).sentences

    def gold(evidence):
        return pd.DataFrame([{"doc": "doc", "old": "sales channel", "new": "infrastructure for the retail industry",
                              "level": "hard", "evidence": evidence}])

    for evidence in ("e-commerce was a sales channel", "it is an infrastructure",
                     "a sales channel. Today, it is an infrastructure"):
        assert score_frames(found, gold(evidence), sentences)["all"].recall == 1.0, evidence
    # an ordinary frame is still matched on its own sentence only
    ordinary = found.assign(sentence=found["sentence"].str.split(". ").str[-1], family="negation")
    assert score_frames(ordinary, gold("e-commerce was a sales channel"), sentences)["all"].recall == 0.0


@pytest.mark.parametrize("text, old, new", [
    # the same subject, said to be something else now (a pronoun or the same noun, a copula or "become")
    ("The bookshop is no longer a seller of titles. It has become a community hub for readers.",
     "seller of titles", "community hub for readers"),
    ("The loyalty card is not a discount tool. Rather, it is a data asset.", "discount tool", "data asset"),
    ("The bookshop is not a seller of titles. The bookshop is a community hub.", "seller of titles", "community hub"),
    # a turn, then a verb of adoption of the same agent
    ("Retailers bid farewell to the price war. Instead, they embrace the value war.", "price war", "value war"),
    ("We must say goodbye to the traffic mindset. Instead, we must build a logic of retention.",
     "traffic mindset", "logic of retention"),
    # what ends, then what arrives of the same kind (the same noun, or one of its type group)
    ("The era of cheap clicks is over. The era of earned attention has begun.",
     "era of cheap clicks", "era of earned attention"),
    ("The era of cheap clicks has come to an end. A new stage of careful growth is emerging.",
     "era of cheap clicks", "new stage of careful growth"),
    # a focus opening names the new concern
    ("The era of cheap clicks is over. What matters now is the lifetime value of each customer.",
     "era of cheap clicks", "lifetime value of each customer"),
])
def test_a_rejection_is_completed_by_the_next_sentence(nlp, extractor, single, text, old, new):
    assert (old, "") in sides(contrasts(nlp, single, text))  # one sentence alone rejects only
    rows = contrasts(nlp, extractor, text)
    assert sides(rows) == [(old, new)]  # the rejection is reported once, now with its new side
    assert rows[0]["family"] == "discourse" and rows[0]["sent_id"].endswith("-s02")
    assert rows[0]["sentence"].startswith(text.split(". ")[0])


@pytest.mark.parametrize("text, rejected", [
    # a literal or evaluative second sentence
    ("The store is no longer a bank. It is a quiet place now.", "bank"),
    ("The app is not a toy. It is expensive.", "toy"),
    ("The membership is not a fee. It is clear that shoppers like it.", "fee"),
    ("The bookshop is no longer a seller of titles. It is a pity.", "seller of titles"),
    # another subject, another agent, another verb
    ("The bookshop is no longer a seller of titles. The cafe next door is a meeting point.", "seller of titles"),
    ("Retailers bid farewell to the price war. Instead, the government raised taxes.", "price war"),
    ("Retailers bid farewell to the price war. Instead, their suppliers embrace it.", "price war"),
    ("Retailers bid farewell to the price war. In fact, they entered the market in 2019.", "price war"),
    # what arrives is of another kind, is not named, or does not arrive
    ("Traffic dividends are over. Competition rises.", "Traffic dividends"),
    ("The era of cheap clicks is over. Prices have risen.", "era of cheap clicks"),
    ("The era of cheap clicks is over. The era has begun.", "era of cheap clicks"),
    ("The era of cheap clicks is over. Its successor has not begun.", "era of cheap clicks"),
    # what it was, still is, also is, or is not either
    ("The bookshop is no longer a seller of titles. It was a cornerstone of the town for fifty years.",
     "seller of titles"),
    ("The bookshop is no longer a seller of titles. However, it is still a meeting point for readers.",
     "seller of titles"),
    ("The membership is not a fee. It is also a gift.", "fee"),
    ("The bookshop is not a seller of titles. It is not a community hub either.", "seller of titles"),
    # not the next sentence of the paragraph
    ("The bookshop is no longer a seller of titles.\n\nIt has become a community hub.", "seller of titles"),
])
def test_a_rejection_is_not_completed_by_what_does_not_replace_it(nlp, extractor, text, rejected):
    rows = contrasts(nlp, extractor, text)
    assert not [r for r in rows if r["family"] == "discourse"], rows
    assert (rejected, "") in sides(rows)


def test_a_literal_state_is_no_rejection_to_complete(nlp, extractor):
    assert contrasts(nlp, extractor, "The store is no longer open. It is a quiet street now.") == []


# ----------------------------------------------------------------------------- the data file

def test_builtin_file_loads():
    grammar = load_discourse()
    assert {p.reader for p in grammar.pairs} == {"held_turn", "restatement", "completion"}
    assert "this" in grammar.determiners and "model" in grammar.type_nouns
    assert load_discourse(builtin_discourse_path()).fingerprint() == grammar.fingerprint()


GOOD = """
[discourse]
name = "mine"

[[pair]]
class = "held_view"
reader = "held_turn"
held = ["in the past"]
believe = ["believe"]
holders = ["many"]
turns = ["however"]

[anaphora]
determiners = ["this"]

[anaphora.type_nouns]
way = ["model", "logic"]
time = ["era"]
"""


@pytest.mark.parametrize("edit, line, words", [
    (('reader = "held_turn"', 'reader = "held"'), 7, "unknown reader 'held'"),
    (('turns = ["however"]', 'turns = []'), 11, "empty 'turns'"),
    (('turns = ["however"]', 'turns = "however"'), 11, "'turns' must be a list"),
    (('holders = ["many"]\n', ''), 5, "needs a 'holders' list"),
    (('[anaphora]', '[anaphora]\npronouns = ["it"]'), 14, "unknown key 'pronouns' in [anaphora]"),
    (('name = "mine"', 'name = "mine"\nmax_side_words = 0'), 4, "max_side_words"),
    (('class = "held_view"', 'class = "Held view"'), 6, "'class' name"),
    (('turns = ["however"]', 'turns = ["however"]\nnegators = ["not"]'), 12, "does not use 'negators'"),
    (('[anaphora]', '[anaphor]'), 13, "unknown key 'anaphor'"),
    (('turns = ["however"]', 'turns = ["however"'), 13, "malformed TOML"),
    (('time = ["era"]', 'time = ["era", "logic"]'), 18, "'logic' is in two groups"),
    (('[anaphora.type_nouns]\nway = ["model", "logic"]\ntime = ["era"]', 'type_nouns = ["model"]'), 16,
     "must be a table [anaphora.type_nouns]"),
])
def test_broken_file_names_file_and_line(tmp_path, edit, line, words):
    path = tmp_path / "mine.toml"
    path.write_text(GOOD.replace(*edit), encoding="utf-8")
    with pytest.raises(FrameGrammarError) as err:
        load_discourse(path)
    message = str(err.value)
    assert str(path) in message and f"line {line}:" in message and words in message, message


def test_completion_reader_needs_its_lists(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('[[pair]]\nclass = "done"\nreader = "completion"\nturns = ["instead"]\n', encoding="utf-8")
    with pytest.raises(FrameGrammarError, match="line 1: class 'done': reader 'completion' needs a 'focus' list"):
        load_discourse(path)
    path.write_text(path.read_text(encoding="utf-8") + 'focus = ["what matters now"]\n', encoding="utf-8")
    assert load_discourse(path).pairs[0].words["focus"] == (("what", "matters", "now"),)


def test_good_file_parses_and_missing_file_is_clear(tmp_path):
    grammar = parse_discourse(GOOD, "mine.toml")
    assert grammar.name == "mine" and grammar.pairs[0].words["turns"] == (("however",),)
    with pytest.raises(FrameGrammarError, match="not found"):
        load_discourse(tmp_path / "none.toml")


def test_own_file_changes_what_is_read(nlp, tmp_path):
    from corpus_tools.framing import FramingExtractor

    path = tmp_path / "mine.toml"
    path.write_text(GOOD.replace('turns = ["however"]', 'turns = ["however", "today"]'), encoding="utf-8")
    text = "In the past, e-commerce was a sales channel. Today, it is an infrastructure for retail."
    assert sides(contrasts(nlp, FramingExtractor(discourse=path).fit(nlp), text), "discourse")
    path.write_text(GOOD, encoding="utf-8")
    assert not sides(contrasts(nlp, FramingExtractor(discourse=path).fit(nlp), text), "discourse")


def test_mentions_on_two_sentence_sides_take_the_side(nlp, extractor):
    from corpus_tools.load import load_text
    from corpus_tools.parse import Parser

    text = ("Historically, e-commerce was driven by traffic logic. "
            "However, the sector has long surpassed this framework, embarking on a digital retail trajectory.")
    corpus = load_text(text)
    parsed = next(iter(Parser(nlp=nlp, use_cache=False).fit().iter_parse(corpus)))
    rows = extractor.transform_document(parsed, corpus.text("doc"))
    assert [(r["old"], r["new"]) for r in rows["contrasts"]] == [("traffic logic", "digital retail trajectory")]
    sides_of = {r["concept"]: r["contrast_side"] for r in rows["orientation"]}
    assert sides_of.get("traffic") == "old" and sides_of.get("digital_retail") == "new", rows["orientation"]
