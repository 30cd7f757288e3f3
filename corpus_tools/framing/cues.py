"""Genre-general cue lexicons used by the framing stage.

These are closed-class and near-closed-class English words that signal attribution, a time
orientation or an evaluation in commentary about retail and e-commerce. None of them is taken
from the gold annotations; they are the ordinary vocabulary of "X is over, Y is the way" writing.
Pass your own sets to :class:`~corpus_tools.framing.OrientationTagger` to change them; the
wordings of contrast frames live in the frame grammar (``data/frame_grammar.toml``).
"""
from __future__ import annotations

# ----------------------------------------------------------------------------- attribution

#: Reporting verbs whose clausal complement is someone's view.
REPORT_VERBS = frozenset({
    "believe", "think", "say", "argue", "claim", "hold", "feel", "insist", "suggest", "assert", "maintain",
    "consider", "contend", "reckon", "assume", "suppose", "predict", "regard", "view", "see", "agree",
    "worry", "fear", "expect", "hope", "imagine", "declare", "state", "propose", "point", "note",
})
#: Pronouns and nouns that name a third party or people in general.
OTHER_PRONOUNS = frozenset({"they", "he", "she", "someone", "somebody", "others", "everyone", "everybody",
                            "many", "some", "few", "most", "anyone", "one"})
OTHER_NOUNS = frozenset({
    "people", "person", "critic", "observer", "analyst", "expert", "commentator", "insider", "skeptic",
    "sceptic", "proponent", "advocate", "supporter", "opponent", "scholar", "economist", "investor",
    "player", "practitioner", "pundit", "media", "industry", "voice", "view", "opinion", "researcher",
    "consultant", "entrepreneur", "executive", "manager", "official", "founder", "user", "consumer",
})
#: Openers that mark a sentence as the author's own answer to a reported view.
AUTHOR_OPENERS = frozenset({"however", "but", "yet", "actually", "nevertheless", "nonetheless", "instead",
                            "in fact", "in my opinion", "in my view", "i think", "i believe", "we believe",
                            "we think", "in reality", "in essence", "to be honest", "still"})
FIRST_PERSON = frozenset({"i", "we", "me", "us", "my", "our"})

# ----------------------------------------------------------------------------- orientation

#: Temporal cues: the concept is placed in the past / presented as outdated.
TEMPORAL_OLD = frozenset({
    "past", "traditional", "once", "previous", "previously", "original", "originally", "early", "earlier",
    "old", "older", "outdated", "obsolete", "former", "formerly", "legacy", "conventional", "classic",
    "bygone", "ago", "yesterday", "no longer", "used to", "historically", "initially", "primitive",
    "the era of", "in the past", "in the early days", "at that time", "farewell", "goodbye", "abandon",
})
#: Temporal cues: the concept is placed in the present or the future.
TEMPORAL_NEW = frozenset({
    "now", "new", "must", "will", "future", "key", "currently", "current", "today", "present", "emerging",
    "next", "modern", "nowadays", "increasingly", "upcoming", "tomorrow", "brand-new", "should", "need",
    "trend", "emerge", "emergence", "coming", "soon", "latest", "from now on", "at present",
})
#: Evaluative cues: the concept is in trouble.
EVAL_NEGATIVE = frozenset({
    "bottleneck", "difficulty", "difficult", "trap", "trapped", "cage", "exhausted", "exhaust", "fail",
    "failure", "dilemma", "conundrum", "problem", "crisis", "decline", "shackle", "burden", "vicious",
    "dead", "unsustainable", "lose", "ineffective", "outdated", "obsolete", "dump", "confused", "pressure",
    "risk", "bubble", "chaos", "saturated", "saturation", "weak", "weaken", "struggle", "limited", "limit",
    "bad", "wrong", "false", "illusion", "myth", "hype", "gravedigger", "dead-end", "ceiling", "shrink",
    "shrinking", "costly", "expensive", "waste", "inefficient", "inefficiency", "unsalable", "unsellable",
    "collapse", "fade", "disappear", "peak", "entanglement", "predicament", "plight", "anxiety", "worry",
})
#: Evaluative cues: the concept is in favour.
EVAL_POSITIVE = frozenset({
    "breakthrough", "key", "effective", "real", "truly", "opportunity", "value", "valuable", "advantage",
    "success", "successful", "important", "strengthen", "sustainable", "growth", "potential", "stable",
    "stability", "core", "essential", "right", "efficient", "efficiency", "innovation", "innovative",
    "benefit", "powerful", "maturity", "mature", "better", "best", "good", "great", "strong", "vital",
    "crucial", "productive", "productivity", "thrive", "win", "promising", "healthy", "solid", "smart",
    "improve", "improvement", "empower", "empowerment", "upgrade", "boost", "driving", "deepen",
})
#: Concession markers: "traffic does have a certain potential; however, ..." grants X a merit in
#: order to set it aside. A positive evaluation in such a sentence does not hold for a concept that
#: the same paragraph puts on the old side of a frame.
CONCESSION_MARKERS = frozenset({"however", "but", "yet", "nevertheless", "nonetheless", "although", "though",
                                "admittedly", "indeed", "certainly", "granted", "while"})
#: Words that flip the polarity of an evaluative cue governed by them.
POLARITY_FLIPPERS = frozenset({"not", "n't", "no", "never", "without", "lack", "lose", "cannot"})
