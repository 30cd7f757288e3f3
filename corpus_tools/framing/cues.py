"""Genre-general cue lexicons used by the framing stage.

These are closed-class and near-closed-class English words that signal a contrast, a time
orientation or an evaluation in commentary about retail and e-commerce. None of them is taken
from the gold annotations; they are the ordinary vocabulary of "X is over, Y is the way" writing.
Pass your own sets to :class:`~corpus_tools.framing.ContrastExtractor` and
:class:`~corpus_tools.framing.OrientationTagger` to change them.
"""
from __future__ import annotations

# ----------------------------------------------------------------------------- contrast cues

#: Negators that can open the rejected side of "not X, but Y".
NEGATORS = frozenset({"not", "n't", "never", "no", "nor"})
#: Words after a negator that make it restrictive ("not only", "not just").
RESTRICTIVE = frozenset({"only", "just", "merely", "simply", "solely", "purely"})
#: Words at the start of the "but" side that make "not only X but ..." additive.
ADDITIVE_ALWAYS = frozenset({"also", "too", "likewise", "besides"})
#: Additive only after a restrictive negator ("not only X, but more Y", "not just X but even Y").
ADDITIVE_AFTER_RESTRICTIVE = frozenset({"more", "even", "further", "moreover"})

#: Verbs whose object is rejected ("abandon X"); phrasal ones are matched as token sequences.
REJECT_VERBS = frozenset({"abandon", "discard", "ditch", "jettison", "renounce", "forsake", "scrap"})
#: Multi-word rejection cues as lowercase token sequences (first token matched on its lemma).
REJECT_PHRASES = (
    ("bid", "farewell", "to"), ("bid", "goodbye", "to"), ("bid", "adieu", "to"),
    ("say", "goodbye", "to"), ("say", "farewell", "to"), ("say", "no", "to"), ("say", "bye", "to"),
    ("give", "up"), ("get", "rid", "of"), ("let", "go", "of"),
    ("break", "away", "from"), ("move", "away", "from"), ("walk", "away", "from"), ("turn", "away", "from"),
    ("break", "free", "from"), ("break", "free", "of"), ("shake", "off"), ("phase", "out"),
    ("farewell", "to"), ("goodbye", "to"),
)
#: Verbs that, coordinated after a rejection, name what replaces it ("bid farewell to X and enter Y").
ADOPT_VERBS = frozenset({
    "enter", "embrace", "adopt", "use", "welcome", "usher", "step", "move", "turn", "shift",
    "pursue", "build", "choose", "switch", "transform", "upgrade", "evolve", "head", "go", "start", "begin",
})
#: Prepositions of means after a rejection ("say goodbye to X through Y").
MEANS_PREPS = frozenset({"through", "via"})

#: Verbs of substitution: "replace X with Y", "Y replaces X", "X is replaced by Y".
REPLACE_VERBS = frozenset({"replace", "substitute", "supplant", "supersede", "displace", "succeed"})
#: Verbs of conversion that take an "into"/"to" result: "X is transformed into Y".
CONVERT_VERBS = frozenset({"transform", "turn", "convert", "change", "evolve", "upgrade", "shift", "transition",
                           "morph", "develop", "switch"})
#: Verbs/nouns of change whose "from X to Y" is a reframing, not a range.
CHANGE_WORDS = frozenset({
    "change", "shift", "move", "transform", "transformation", "transition", "turn", "evolve", "evolution",
    "go", "develop", "upgrade", "switch", "convert", "conversion", "progress", "pivot", "leap", "jump",
    "migrate", "migration", "swing", "graduate", "advance", "step", "enter", "return", "expand",
    "grow", "extend", "transfer", "redirect", "reorient", "rise", "journey", "road", "path", "upgrade",
})
#: Change verbs that physically move their object ("migrate traffic from offline to online"):
#: with a direct object, their "from X to Y" says where the object goes, not how a concept is recast.
MOTION_VERBS = frozenset({"move", "migrate", "transfer", "shift", "bring", "take", "send", "redirect", "divert",
                          "carry", "expand", "extend", "lead", "push", "pull", "drive", "channel", "ship"})
#: Verbs of entering a stage: "enter the era of Y from the era of X".
ENTRY_VERBS = frozenset({"enter", "move", "shift", "turn", "step", "transition", "go", "switch", "upgrade",
                         "evolve", "leap", "jump", "pass", "advance", "progress"})
#: Sides that make "from X to Y" a range or an idiom rather than a reframing.
RANGE_WORDS = frozenset({
    "time", "day", "year", "month", "week", "hour", "minute", "season", "generation", "top", "bottom",
    "head", "toe", "start", "beginning", "end", "finish", "left", "right", "north", "south", "east", "west",
    "side", "place", "point", "moment", "morning", "night", "dawn", "dusk", "one", "first", "last",
})

#: Predicate nominals that praise their subject ("reserve is the key"): with them, the subject is the
#: endorsed side of "instead of X, Y is the key".
PRAISE_PREDICATES = frozenset({
    "key", "answer", "way", "core", "focus", "priority", "solution", "direction", "future", "essence",
    "point", "goal", "trend", "path", "mainstream", "foundation", "basis", "heart", "center", "centre",
    "engine", "driver", "lifeline", "must",
})

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
#: Words that flip the polarity of an evaluative cue governed by them.
POLARITY_FLIPPERS = frozenset({"not", "n't", "no", "never", "without", "lack", "lose", "cannot"})
