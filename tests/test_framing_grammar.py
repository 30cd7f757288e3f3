"""The frame grammar file: what it holds, how a user extends it, and clear errors for a broken one."""
from __future__ import annotations

import pytest

from corpus_tools.errors import FrameGrammarError
from corpus_tools.framing import ContrastExtractor
from corpus_tools.framing.grammar import builtin_grammar_path, load_grammar, parse_grammar
from tests._frames import frames_by_family as frames


def test_builtin_grammar_has_every_class_of_the_issue():
    grammar = load_grammar()
    names = set(grammar.class_names)
    assert {"change", "replacement", "leaving", "ending", "negation", "preference", "temporal"} <= names
    assert grammar.n_wordings() > 150


@pytest.mark.parametrize("text, family, old, new", [
    ("The era of cheap traffic is over.", "ending", "era of cheap traffic", ""),
    ("The old membership model is now obsolete.", "ending", "old membership model", ""),
    ("The subsidy war has come to an end, and the era of service has arrived.", "ending", "subsidy war", "era of service"),
    ("Community commerce is overtaking traditional supermarkets.", "replacement", "traditional supermarkets", "Community commerce"),
    ("The catalogue was replaced by live streaming.", "replacement", "catalogue", "live streaming"),
    ("The mall gave way to the warehouse club.", "giving_way", "mall", "warehouse club"),
    ("Brands are shifting from traffic acquisition to user retention.", "change", "traffic acquisition", "user retention"),
    ("The shift from ownership to circulation is visible everywhere.", "change", "ownership", "circulation"),
    ("Players have moved their attention from scale to efficiency.", "change", "scale", "efficiency"),
    ("Retailers must jump out of the price trap and seek a new growth model.", "leaving", "price trap", "new growth model"),
    ("Merchants are trying to break away from platform dependence.", "leaving", "platform dependence", ""),
    ("Bookshops are evolving into community spaces.", "change_into", "Bookshops", "community spaces"),
    ("There will be no paper catalogues in ten years, only apps!", "negation_only", "paper catalogues", "apps"),
    ("Out of the price trap, the shop is entering a new cycle of service.", "fronted_leaving", "price trap", "new cycle of service"),
    ("Less ownership, more circulation.", "comparison", "ownership", "circulation"),
    ("Membership has never been a discount scheme.", "negated_identity", "discount scheme", ""),
    ("The Stock Market Replaces the Incremental Market", "replacement", "Incremental Market", "Stock Market"),
    ("Taobao: the gravedigger of physical retail", "replacement", "physical retail", "Taobao"),
    ("So many players have shifted their focus from traditional e-commerce to digital retail.", "change",
     "traditional e-commerce", "digital retail"),
    ("New retail is struggling to get rid of e-commerce as a concept.", "leaving", "e-commerce", ""),
    ("The old logic of traffic no longer works.", "negated_framing", "old logic of traffic", ""),
    ("Brands are moving away from discounts toward membership.", "leaving", "discounts", "membership"),
    ("Live streaming has become the new norm, replacing the shelf.", "replacement", "shelf", "Live streaming"),
    ("Community group buying is no longer a fad but an infrastructure.", "negation", "fad", "infrastructure"),
    ("Instead of chasing traffic, brands should cultivate loyalty.", "preference", "chasing traffic", "loyalty"),
    ("The era of traffic is over, and the era of reserve has begun.", "ending", "era of traffic", "era of reserve"),
    # an aspectual "began to" / "started a ..." is no arrival
    ("The flow-led model also began to come to an end, and it started a new round.", "ending", "flow-led model", ""),
    ("Operations will be transformed from the logic of the consumer Internet.", "change_away",
     "logic of the consumer Internet", ""),
])
def test_grammar_classes_on_invented_sentences(nlp, text, family, old, new):
    extractor = ContrastExtractor().fit(nlp)
    found = frames(nlp, extractor, text)
    assert any(f == family and o.startswith(old) and n == new for f, o, n in found), found


@pytest.mark.parametrize("text", [
    "We moved the goods from the warehouse to the store.",
    "The shop closed last year.",
    "The channel stopped broadcasting in May.",
    "From time to time, merchants run discounts.",
    "From live rooms to community groups, all of them are centred on growth.",
    "Does this mean that the e-commerce industry has come to an end?",
    "It is not only a platform, but also an infrastructure.",
    "It is not a problem.",
    "Retailers have not got rid of the old habits.",
    "The front end contacts consumers, and the back end serves the supply chain.",
    "When the old logic no longer works, brands struggle.",
])
def test_literal_uses_are_not_frames(nlp, text):
    assert frames(nlp, ContrastExtractor().fit(nlp), text) == []


def test_a_new_wording_is_one_line_of_data(nlp, tmp_path):
    text = "Membership clubs are ousting the loyalty card."
    assert frames(nlp, ContrastExtractor().fit(nlp), text) == []
    source = builtin_grammar_path().read_text(encoding="utf-8")
    edited = source.replace('"replace", "supplant", "supersede", "displace",', '"oust", "replace", "supplant", "supersede", "displace",', 1)
    assert edited != source
    path = tmp_path / "frames.toml"
    path.write_text(edited, encoding="utf-8")
    found = frames(nlp, ContrastExtractor(path).fit(nlp), text)
    assert ("replacement", "loyalty card", "Membership clubs") in found


def test_a_grammar_of_one_class(nlp):
    grammar = parse_grammar('''
[[predicate]]
class = "handover"
active = { old = ["object"], new = ["prep:to"] }
verbs = ["hand over"]
''')
    extractor = ContrastExtractor(grammar).fit(nlp)
    assert frames(nlp, extractor, "The chain handed over the logistics business to a partner network.") == [
        ("handover", "logistics business", "partner network")]
    assert frames(nlp, extractor, "Digital retail is not a platform, but an infrastructure.") == []


def test_a_class_may_require_an_old_marker_and_take_the_means_as_new(nlp):
    grammar = parse_grammar('''
[checks]
old_markers = ["traditional"]
adopt_verbs = ["use"]

[[predicate]]
class = "rework"
old_marked = true
active = { old = ["object"], new = ["means"] }
verbs = ["rework"]
''')
    extractor = ContrastExtractor(grammar).fit(nlp)
    assert frames(nlp, extractor, "Brands use live streaming to rework the traditional catalogue.") == [
        ("rework", "traditional catalogue", "live streaming")]
    assert frames(nlp, extractor, "Brands use live streaming to rework the catalogue.") == []


def test_a_class_that_requires_a_new_side_frames_a_trap_alone(nlp):
    grammar = parse_grammar('''
[checks]
trap_nouns = ["trap"]

[[predicate]]
class = "leaving_for"
require_new = true
alone_when_trapped = true
active = { old = ["object"], new = ["adopt"] }
verbs = ["escape"]
''')
    extractor = ContrastExtractor(grammar).fit(nlp)
    assert frames(nlp, extractor, "Merchants must escape the traffic trap.") == [("leaving_for", "traffic trap", "")]
    assert frames(nlp, extractor, "Merchants must escape the city.") == []
    assert frames(nlp, extractor, "Merchants must escape the trap.") == []  # a bare trap may be a literal one
    without = parse_grammar('''
[[predicate]]
class = "leaving_for"
require_new = true
active = { old = ["object"], new = ["adopt"] }
verbs = ["escape"]
''')
    assert frames(nlp, ContrastExtractor(without).fit(nlp), "Merchants must escape the traffic trap.") == []


@pytest.mark.parametrize("text, line, words", [
    ("[grammar]\nname = 'x'\n[[predicate]]\nclass = 'a'\nverbs = ['replace']\nactive = { old = ['object'] }\nnoise = 1\n",
     7, "unknown key 'noise'"),
    ("[[predicate]]\nclass = 'a'\nverbs = ['replace']\nactive = { old = ['elsewhere'] }\n", 4, "unknown role 'elsewhere'"),
    ("[[connective]]\nclass = 'c'\nreader = 'magic'\nwords = ['but']\n", 3, "unknown reader 'magic'"),
    ("[[predicate]]\nclass = 'a'\nverbs = []\nactive = { old = ['object'] }\n", 3, "empty 'verbs' list"),
    ("[[predicate]]\nclass = 'a'\nnouns = ['end of']\nactive = { old = ['object'] }\n", 3, "no nominal form"),
    ("[[predicate]]\nclass = 'a'\nverbs = ['replace'\n", 3, "malformed TOML"),
    ("[checks]\nliteral_heads = 'time'\n[[predicate]]\nclass = 'a'\nverbs = ['x']\nactive = { old = ['object'] }\n",
     2, "must be a list"),
    ("[[predicate]]\nclass = 'a'\nverbs = ['x']\nactive = { old = ['object'] }\n"
     "[[predicate]]\nclass = 'a'\nverbs = ['y']\nactive = { old = ['object'] }\n", 5, "defined twice"),
    ("[[predicate]]\nclass = 'a'\nverbs = ['x']\nactive = { old = ['object'] }\nold_marked = 'yes'\n", 5,
     "'old_marked' must be true or false"),
    ("[[predicate]]\nclass = 'a'\nverbs = ['x']\nactive = { old = ['object'] }\nalone_when_trapped = 1\n", 5,
     "'alone_when_trapped' must be true or false"),
])
def test_broken_grammar_names_file_and_line(tmp_path, text, line, words):
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FrameGrammarError) as info:
        load_grammar(path)
    message = str(info.value)
    assert message.startswith(f"{path}: line {line}:"), message
    assert words in message, message


def test_missing_grammar_file(tmp_path):
    with pytest.raises(FrameGrammarError, match="frame grammar file not found"):
        load_grammar(tmp_path / "nope.toml")


def test_a_grammar_built_in_code_may_leave_check_lists_out(nlp):
    # a FrameGrammar made by hand (not parsed from TOML) with only some [checks]: the missing lists are empty
    from dataclasses import replace

    grammar = load_grammar(None)
    partial = replace(grammar, checks={k: v for k, v in grammar.checks.items() if k in {"literal_heads", "negators"}})
    found = frames(nlp, ContrastExtractor(partial).fit(nlp), "The era of cheap traffic is over.")
    assert ("ending", "era of cheap traffic", "") in found, found
