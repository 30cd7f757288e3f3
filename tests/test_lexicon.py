"""The lexicon format: loading, validation messages with file and line, round trip."""
from __future__ import annotations

import textwrap

import pytest

from corpus_tools.errors import LexiconError
from corpus_tools.lexicon import ConceptEntry, Lexicon, load_lexicon, parse_lexicon

CORE = ["traffic", "reserve", "platform", "infrastructure", "deep_water"]
GENRE = ["new_retail", "e_commerce", "digitalization", "empowerment", "internet", "b_end_c_end",
         "live_streaming", "private_domain", "industrial_internet", "supply_production", "user_needs",
         "omni_channel", "online_offline", "consumption_upgrade", "data"]


def write(tmp_path, text: str, name: str = "lex.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def test_builtin_lexicon_covers_core_and_genre_concepts():
    lex = load_lexicon()
    assert lex.ids[:5] == CORE
    for cid in CORE + GENRE:
        entry = lex.get(cid)
        assert entry is not None, cid
        assert entry.label and entry.description and entry.patterns
        assert "\n" not in entry.description
    assert len(set(lex.ids)) == len(lex.ids)


def test_builtin_lexicon_has_the_issue_wordings():
    lex = load_lexicon()
    patterns = {cid: {p.lower() for p in lex.get(cid).patterns} for cid in CORE}
    assert {"traffic dividend", "public domain traffic", "private domain traffic"} <= patterns["traffic"]
    assert {"reserve", "reserved volume", "retention", "retain", "stock era", "existing traffic"} <= patterns["reserve"]
    assert {"platform", "hub", "intermediary", "matchmaker", "de-platform", "de-platformed"} <= patterns["platform"]
    assert {"infrastructure", "underlying infrastructure"} <= patterns["infrastructure"]
    assert {"deep water", "deep water zone", "deep water area", "deep well"} <= patterns["deep_water"]
    # "flow" and "center" need a part of speech, so they are token patterns
    assert lex.get("traffic").token_patterns and lex.get("platform").token_patterns


def test_load_custom_lexicon_and_resolve(tmp_path):
    path = write(tmp_path, """
        [lexicon]
        name = "mine"

        [[concept]]
        id = "green"
        label = "Green retail"
        description = "Sustainability."
        patterns = ["green retail", "sustainability", "Sustainability"]
        exclude = ["green light"]
    """)
    lex = load_lexicon(path)
    assert lex.ids == ["green"] and lex.name == "mine"
    entry = lex.get("green")
    assert entry.patterns == ["green retail", "sustainability"]  # case-duplicates folded
    assert entry.exclude == ["green light"]
    assert entry.line == 4
    assert lex.resolve("green retail") is entry and lex.resolve("GREEN") is entry
    assert lex.resolve("nothing") is None
    assert load_lexicon(lex) is lex


@pytest.mark.parametrize("body, line, words", [
    ('[[concept]]\nid = "a"\npatterns = ["x"]\ncolour = "red"\n', 4, "unknown key 'colour'"),
    ('[[concept]]\nid = "a"\nlabel = "A"\npatterns = []\n', 4, "empty pattern list"),
    ('[[concept]]\nid = "a"\npatterns = ["x"]\n\n[[concept]]\nid = "a"\npatterns = ["y"]\n', 5,
     "'a' defined twice (first defined at line 1)"),
    ('[[concept]]\nid = "a"\npatterns = ["x"\n', 3, "malformed TOML"),
    ('[[concept]]\nid = "a"\npatterns = ["x"]\n\nsurprise = 1\n', 5, "unknown key 'surprise'"),
    ('[[concept]]\nid = "a"\npatterns = ["x"]\nid = "b"\n', 4, "malformed TOML"),
    ('title = "x"\n[[concept]]\nid = "a"\npatterns = ["x"]\n', 1, "unknown key 'title'"),
    ('[lexicon]\nname = "n"\nowner = "me"\n[[concept]]\nid = "a"\npatterns = ["x"]\n', 3, "unknown key 'owner'"),
    ('[[concept]]\nid = "a"\nlabel = "A"\n', 1, "has no 'patterns'"),
    ('[[concept]]\nlabel = "A"\npatterns = ["x"]\n', 1, "no 'id'"),
    ('[[concept]]\nid = "a b"\npatterns = ["x"]\n', 2, "bad concept id"),
    ('[[concept]]\nid = "a"\npatterns = ["x", " "]\n', 3, "empty string"),
    ('[[concept]]\nid = "a"\npatterns = "x"\n', 3, "must be a list"),
    ('[[concept]]\nid = "a"\npatterns = ["x"]\nexclude = [1]\n', 4, "'exclude' must be"),
    ('[[concept]]\nid = "a"\npatterns = ["x"]\ntoken_patterns = [{LOWER = "x"}]\n', 4, "token_patterns"),
    ('[[concept]]\nid = "a"\npatterns = ["x"]\n[[concept]]\nid = "b"\npatterns = ["X"]\n', 4,
     "already a pattern of 'a'"),
    ('[lexicon]\nname = "n"\n', 1, "no [[concept]]"),
])
def test_lexicon_errors_name_file_line_and_problem(tmp_path, body, line, words):
    path = write(tmp_path, body)
    with pytest.raises(LexiconError) as info:
        load_lexicon(path)
    message = str(info.value)
    assert message.startswith(f"{path}: line {line}: "), message
    assert words in message, message


def test_missing_unreadable_and_non_utf8_files(tmp_path):
    with pytest.raises(LexiconError, match="not found"):
        load_lexicon(tmp_path / "nope.toml")
    with pytest.raises(LexiconError, match="is a folder"):
        load_lexicon(tmp_path)
    bad = tmp_path / "latin.toml"
    bad.write_bytes(b'[[concept]]\nid = "a"\npatterns = ["caf\xe9"]\n')
    with pytest.raises(LexiconError, match=r"line 3: not UTF-8"):
        load_lexicon(bad)


def test_to_toml_round_trip_keeps_everything():
    lex = load_lexicon()
    again = parse_lexicon(lex.to_toml(header="round trip"), "<again>")
    assert again.ids == lex.ids
    for a, b in zip(lex.entries, again.entries):
        assert (a.label, a.description, a.patterns, a.exclude, a.token_patterns) == \
               (b.label, b.description, b.patterns, b.exclude, b.token_patterns)


def test_lexicon_built_in_code_is_validated():
    with pytest.raises(LexiconError, match="defined twice"):
        Lexicon([ConceptEntry("a", patterns=["x"]), ConceptEntry("a", patterns=["y"])])
    with pytest.raises(LexiconError, match="empty pattern list"):
        Lexicon([ConceptEntry("a", patterns=[])])
    lex = Lexicon([ConceptEntry("deep_water", patterns=["deep water"])])
    assert lex.get("deep_water").label == "deep water"
    assert lex.resolve("Deep Water").id == "deep_water"


# --- what a lexicon may ask of the matcher is bounded ------------------------------------------

_TOKEN_PATTERN_LEXICON = """\
[[concept]]
id = "traffic"
patterns = ["traffic"]
token_patterns = [
  [{{LOWER = "flow"}}],
  {pattern},
]
"""


@pytest.mark.parametrize("pattern, words", [
    ('[{TEXT = {REGEX = "(unclosed"}}]', ["REGEX '(unclosed'", "not a valid regular expression"]),
    ('[{TEXT = {REGEX = "^(a+)+$"}}]', ["REGEX '^(a+)+$'", "repeat inside a repeat"]),
    ('[{OP = "*"}]', ["token pattern 2", "every token is optional"]),
    ('[{LOWER = "a", OP = "*"}]', ["every token is optional"]),
    ('[{LOWER = "a"}, {OP = "*"}, {OP = "*"}, {OP = "+"}]', ["3 repeated tokens"]),
    ('[' + ", ".join(['{LOWER = "a"}'] * 13) + ']', ["13 tokens"]),
    ('[{LOWERX = "a"}]', ["not a valid spaCy Matcher pattern", "LOWERX"]),
])
def test_unbounded_or_broken_token_patterns_are_refused_with_file_and_line(tmp_path, pattern, words):
    path = tmp_path / "lex.toml"
    path.write_text(_TOKEN_PATTERN_LEXICON.format(pattern=pattern), encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        load_lexicon(path)
    message = str(info.value)
    assert message.startswith(f"{path}: line 4: concept 'traffic': token pattern 2: "), message
    for word in words:
        assert word in message


def test_twelve_wildcard_patterns_are_refused_before_any_matching():
    entry = ConceptEntry(id="x", patterns=["x"], token_patterns=[[{"OP": "*"}]] * 12)
    with pytest.raises(LexiconError, match="token pattern 1: every token is optional"):
        Lexicon([entry])


def test_bounded_patterns_still_load():
    from corpus_tools.lexicon import regex_problem, token_pattern_problem

    assert token_pattern_problem([{"LOWER": "from"}, {"OP": "*"}, {"LOWER": "to"}]) is None
    assert token_pattern_problem([{"TEXT": {"REGEX": "^plat+form(s)?$"}}]) is None
    assert regex_problem("(ab)+c*") is None and regex_problem("(?:x{2,3})+") is not None
    load_lexicon(None)  # the built-in lexicon's own token patterns pass


def test_the_builtin_lexicon_passes_spacys_pattern_schema():
    """Loading the shipped lexicon skips spaCy's schema check (so a cached run needs no spaCy);
    this test is that check."""
    from corpus_tools.lexicon import builtin_lexicon_path, parse_lexicon

    text = builtin_lexicon_path().read_text(encoding="utf-8")
    checked = parse_lexicon(text, builtin_lexicon_path(), check_with_spacy=True)
    assert any(entry.token_patterns for entry in checked.entries)
